using MlEnv.Definition;
using MlEnv.Generation;
using MlEnv.Specs;

namespace MlEnv.Tests;

/// <summary>
/// A base Dockerfile is the head of the generated one: whatever it says, MlEnv's own instructions after it must be
/// read as MlEnv wrote them, and it may not use the build context (which holds only generated files).
/// </summary>
public class BaseDockerfileTests
{
    private static readonly SourceLocation At = new("/proj/demo.csproj");

    private static DefinitionResult Resolve(TempDir dir, string text, bool bytes = false)
    {
        var path = bytes ? dir.WriteBytes("base.Dockerfile", System.Text.Encoding.UTF8.GetBytes(text)) : dir.Write("base.Dockerfile", text);
        return DefinitionBuilder.Build(new DefinitionInputs
        {
            Name = "demo",
            Project = At,
            BaseDockerfile = path,
            PipPackages = [Defs.Pip("requests", "2.32.3")],
            Variables = [new("A", "1", At)],
        });
    }

    [Theory]
    [InlineData("# escape=`\nFROM debian\n", 1)]
    [InlineData("# ESCAPE=`\nFROM debian\n", 1)]
    [InlineData("#escape = `\nFROM debian\n", 1)]
    [InlineData("# syntax=docker/dockerfile:1\n# escape=`\nFROM debian\n", 2)]
    [InlineData("\uFEFF# escape=`\nFROM debian\n", 1)]
    [InlineData("# escape=`\r\nFROM debian\r\n", 1)]
    [InlineData("# syntax=example.com/evil/frontend:1\nFROM debian\n", 1)]
    [InlineData("# syntax = ghcr.io/someone/dockerfile:latest\nFROM debian\n", 1)]
    public void ParserDirectivesThatChangeHowMlEnvsLinesAreReadAreRefused(string text, int line)
    {
        using var dir = new TempDir();
        var error = Assert.Single(Resolve(dir, text).Diagnostics, d => d.IsError);
        Assert.Equal("MLENV1046", error.Code);
        Assert.Equal(line, error.Line);
        Assert.EndsWith("base.Dockerfile", error.File);
    }

    [Theory]
    [InlineData("# escape=\\\nFROM debian\n")]
    [InlineData("# syntax=docker/dockerfile:1\nFROM debian\n")]
    [InlineData("# syntax=docker.io/docker/dockerfile:1.7-labs\nFROM debian\n")]
    [InlineData("# check=skip=all\nFROM debian\n")]
    [InlineData("FROM debian\n# escape=`\n")]
    [InlineData("# a comment\n# escape=`\nFROM debian\n")]
    [InlineData("# unknown=1\n# escape=`\nFROM debian\n")]
    [InlineData("\n# escape=`\nFROM debian\n")]
    public void DirectivesDockerDoesNotApplyOrThatChangeNothingAreAccepted(string text)
    {
        using var dir = new TempDir();
        var result = Resolve(dir, text);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        var dockerfile = DockerfileGenerator.Generate(result.Definition!).Dockerfile;
        // The reader applies directives as Docker does: MlEnv's lines still read as MlEnv's instructions.
        Assert.Equal(["FROM", "RUN", "ENV", "COPY", "RUN", "ENV"], TestDockerfile.Parse(dockerfile).Select(i => i.Keyword));
    }

    [Theory]
    [InlineData("FROM debian\nRUN echo hi \\\n", 2, "line continuation")]
    [InlineData("FROM debian\nRUN echo hi \\ \t\n", 2, "line continuation")]
    [InlineData("FROM debian\nRUN echo hi \\", 2, "line continuation")]
    [InlineData("FROM debian\nRUN echo hi \\\n\n\n", 2, "line continuation")]
    [InlineData("FROM debian\nRUN echo hi \\\n# a comment\n  # another\n", 2, "line continuation")]
    [InlineData("FROM debian\r\nRUN echo \\\r\n", 2, "line continuation")]
    [InlineData("FROM debian\nRUN a \\\n  b \\\n", 2, "line continuation")]
    [InlineData("FROM debian\nRUN <<EOF\necho hi\n", 2, "heredoc")]
    [InlineData("FROM debian\nRUN <<-EOF\necho hi\n", 2, "heredoc")]
    [InlineData("FROM debian\nRUN cat <<\"END\"\nx\nEND2\n", 2, "heredoc")]
    [InlineData("FROM debian\nCOPY <<EOF /etc/x\ncontent\n", 2, "heredoc")]
    public void AnOpenContinuationOrHeredocAtTheEndIsRefused(string text, int line, string what)
    {
        using var dir = new TempDir();
        var error = Assert.Single(Resolve(dir, text).Diagnostics, d => d.IsError);
        Assert.Equal("MLENV1047", error.Code);
        Assert.Equal(line, error.Line);
        Assert.Contains(what, error.Message);
    }

    [Theory]
    [InlineData("FROM debian\nRUN echo hi \\\n  there\n")]
    [InlineData("FROM debian\n# ends with a backslash \\\n")]
    [InlineData("FROM debian\nRUN <<EOF\necho hi\nEOF\n")]
    [InlineData("FROM debian\nRUN <<-EOF\necho hi\n\tEOF\n")]
    [InlineData("FROM debian\nCOPY <<EOF /etc/x\ncontent\nEOF\n")]
    [InlineData("FROM debian\nRUN echo '<<EOF'\n")]
    [InlineData("FROM debian\nRUN echo a\\b\n")]
    public void CompleteInstructionsAreAccepted(string text)
    {
        using var dir = new TempDir();
        var result = Resolve(dir, text);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
    }

    [Theory]
    [InlineData("FROM debian\nCOPY app /app\n", "COPY", 2)]
    [InlineData("FROM debian\ncopy app /app\n", "COPY", 2)]
    [InlineData("FROM debian\nADD app.tar.gz /app\n", "ADD", 2)]
    [InlineData("FROM debian\nADD https://example.com/a local.txt /app/\n", "ADD", 2)]
    [InlineData("FROM debian\nCOPY \\\n  app /app\n", "COPY", 2)]
    [InlineData("FROM debian\nRUN true \\\n && true\nCOPY app /app\n", "COPY", 4)]
    [InlineData("FROM debian\nCOPY [\"app\", \"/app\"]\n", "COPY", 2)]
    [InlineData("FROM debian\nCOPY --chown=1:1 app /app\n", "COPY", 2)]
    [InlineData("FROM debian\nRUN --mount=type=bind,target=/src make\n", "RUN --mount", 2)]
    [InlineData("FROM debian\nRUN --mount=target=/src make\n", "RUN --mount", 2)]
    [InlineData("FROM debian\n  COPY app /app\n", "COPY", 2)]
    public void InstructionsThatReadTheContextAreRefusedAtTheirLine(string text, string kind, int line)
    {
        using var dir = new TempDir();
        var error = Assert.Single(Resolve(dir, text).Diagnostics, d => d.IsError);
        Assert.Equal("MLENV1022", error.Code);
        Assert.Equal(line, error.Line);
        Assert.Contains($"uses {kind} from the build context", error.Message);
    }

    [Theory]
    [InlineData("FROM debian\nADD https://example.com/tool.tar.gz /opt/\n")]
    [InlineData("FROM debian\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/a /a\n")]
    [InlineData("FROM debian\nADD http://example.com/a https://example.com/b /dest/\n")]
    [InlineData("FROM debian\nADD git@github.com:org/repo.git /src\n")]
    [InlineData("FROM debian\nADD [\"https://example.com/a\", \"/a\"]\n")]
    [InlineData("FROM debian\nADD \"https://example.com/a\" /a\n")]
    [InlineData("FROM debian\nONBUILD COPY . /app\n")]
    [InlineData("FROM debian AS build\nRUN true\nFROM debian\nCOPY --from=build /x /x\n")]
    [InlineData("FROM debian\nCOPY --link --from=busybox:1 /bin/sh /sh\n")]
    [InlineData("FROM debian\nRUN --mount=type=cache,target=/root/.cache pip --version\n")]
    [InlineData("FROM debian\nRUN --mount=type=bind,from=busybox:1,target=/b ls /b\n")]
    [InlineData("FROM debian\nRUN --mount=type=secret,id=x cat /run/secrets/x\n")]
    [InlineData("FROM debian\n# COPY app /app\n")]
    [InlineData("FROM debian\nRUN echo COPY app /app\n")]
    public void InstructionsThatDoNotReadTheContextAreAccepted(string text)
    {
        using var dir = new TempDir();
        var result = Resolve(dir, text);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
    }

    [Fact]
    public void ABaseDockerfileOverTheSizeLimitIsRefused()
    {
        using var dir = new TempDir();
        var text = "FROM debian\n" + string.Concat(Enumerable.Repeat("# padding padding padding padding padding padding padding\n", 20_000));
        var error = Assert.Single(Resolve(dir, text).Diagnostics, d => d.IsError);
        Assert.Equal("MLENV1049", error.Code);
    }

    [Fact]
    public void TheGeneratedDockerfileStartsWithTheBaseAndKeepsMlEnvsInstructions()
    {
        using var dir = new TempDir();
        var result = Resolve(dir, "# syntax=docker/dockerfile:1\nFROM debian:bookworm-slim AS base\nRUN echo hi \\\n  there\n");
        var dockerfile = DockerfileGenerator.Generate(result.Definition!).Dockerfile;
        Assert.StartsWith("# syntax=docker/dockerfile:1\nFROM debian:bookworm-slim AS base\n", dockerfile);
        Assert.Equal(["FROM", "RUN", "RUN", "ENV", "COPY", "RUN", "ENV"], TestDockerfile.Parse(dockerfile).Select(i => i.Keyword));
    }
}
