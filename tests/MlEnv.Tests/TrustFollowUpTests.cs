using System.Diagnostics;
using MlEnv.Definition;
using MlEnv.Engine;
using MlEnv.Generation;
using MlEnv.Specs;
using MlEnv.Store;

namespace MlEnv.Tests;

/// <summary>What an attacker's pass over the trust fixes still found: each case here broke before its fix.</summary>
public class TrustFollowUpTests
{
    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/null")]
    public void AModelThatIsADeviceIsRefusedWithoutBeingRead(string device)
    {
        var diagnostics = new List<MlEnv.Diagnostics.Diagnostic>();
        var models = ServiceGenerator.ExpandModels([device], diagnostics);
        Assert.Empty(models);
        Assert.Equal("MLENV1050", Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void AFifoInsideAModelFolderIsRefusedAndRegularFilesStay()
    {
        using var dir = new TempDir();
        dir.Write("model/weights.bin", "w");
        var fifo = Path.Combine(dir.Path, "model", "pipe");
        using (var mkfifo = Process.Start("mkfifo", [fifo])) mkfifo.WaitForExit();
        var diagnostics = new List<MlEnv.Diagnostics.Diagnostic>();
        var models = ServiceGenerator.ExpandModels([Path.Combine(dir.Path, "model")], diagnostics);
        Assert.Equal("model/model/weights.bin", Assert.Single(models).ContextPath);
        Assert.Equal("MLENV1050", Assert.Single(diagnostics).Code);
    }

    [Theory]
    [InlineData("u7", "@ https://host/u7.zip")]
    [InlineData("u7 @ https://host/u7.zip", null)]
    public void AUrlRequirementItemTakesItsMarkersMetadata(string name, string? version)
    {
        var inputs = Defs.Inputs();
        inputs.PipPackages.Add(Defs.Pip(name, version, markers: "os_name == 'posix'"));
        var definition = Defs.Build(inputs);
        Assert.Equal("u7 @ https://host/u7.zip ; os_name == \"posix\"", Assert.Single(definition.PipPackages).Requirement);
    }

    [Theory]
    [InlineData("no-such-env\n", "*", "MLENV1020")]
    [InlineData("Bad Name", "*", "MLENV1020")]
    [InlineData("demo", "[bad", "MLENV1035")]
    public void AReferenceWithAnInvalidNameOrRangeSaysSoInsteadOfListingTheStore(string name, string range, string code)
    {
        using var dir = new TempDir();
        var store = new EnvironmentStore(Path.Combine(dir.Path, "store"));
        Assert.Null(store.Find(name, range, out var error));
        Assert.Equal(code, error!.Code);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("https://idx.example.com/links?token=SECRETTOKEN42")]
    [InlineData("https://x.example.com/simple#pw=FRAG")]
    [InlineData("https://acct.blob.core.windows.net/wheels/?sv=2022-11-02&sig=SECRETSIG%3D")]
    public void ACredentialInAQueryOrFragmentIsRefusedAndNotEchoed(string url)
    {
        foreach (var extra in new[] { true, false })
        {
            var inputs = Defs.Inputs();
            (extra ? inputs.PipExtraIndexUrls : inputs.PipFindLinks).Add((url, new SourceLocation("/proj/demo.csproj", 7, 6)));
            var error = Assert.Single(Defs.Errors(inputs));
            Assert.Equal(("MLENV1051", 7), (error.Code, error.Line));
            Assert.DoesNotContain("SECRET", error.Message);
            Assert.DoesNotContain("FRAG", error.Message);
        }
        var index = Defs.Inputs();
        index = new DefinitionInputs { Name = "demo", Project = index.Project, BaseImage = "debian:bookworm-slim", PipIndexUrl = url };
        Assert.Equal("MLENV1051", Assert.Single(Defs.Errors(index)).Code);
    }

    [Fact]
    public void ACredentialInARequirementUrlsQueryIsRefused()
    {
        var inputs = Defs.Inputs();
        inputs.PipPackages.Add(Defs.Pip("wheelpkg @ https://acct.blob.core.windows.net/w/wheelpkg-1.0-py3-none-any.whl?sv=1&sig=SECRETSIG"));
        var error = Assert.Single(Defs.Errors(inputs));
        Assert.Equal("MLENV1042", error.Code);
        Assert.DoesNotContain("SECRETSIG", error.Message);
    }

    [Theory]
    [InlineData("https://host/simple?page=2")]
    [InlineData("https://host/links?keyword=x")]
    public void AnOrdinaryQueryStays(string url)
    {
        var inputs = Defs.Inputs();
        inputs.PipFindLinks.Add((url, new SourceLocation("/proj/demo.csproj", 7, 6)));
        Assert.Contains(url, Defs.Build(inputs).PipIndex.FindLinks);
    }

    [Theory]
    [InlineData("abc\r\n", "abc")]
    [InlineData("line1\r\nline2", "line1 line2")]
    [InlineData("a\nb", "a b")]
    [InlineData("10%\r100%\nnext", "100% next")]
    public void EngineTextKeepsEveryLine(string raw, string expected) => Assert.Equal(expected, EngineText.Clean(raw));

    [Theory]
    [InlineData("RUN --mount=type=bind,ro,ro true\n")]
    [InlineData("RUN --mount=target=/a,Target=/b true\n")]
    public void ARepeatedMountOptionIsReadNotACrash(string body)
    {
        var problems = new List<MlEnv.Diagnostics.Diagnostic>();
        BaseDockerfileRules.Check("FROM debian:bookworm\n" + body, "/proj/Dockerfile", (d, _) => problems.Add(d));
        Assert.Equal("MLENV1022", Assert.Single(problems).Code);
    }

    [Fact]
    public void ADirectiveFollowedByAMillionBlanksIsReadInLinearTime()
    {
        var text = "#a= x" + new string(' ', 1_000_000) + "y\nFROM debian:bookworm\n";
        var watch = Stopwatch.StartNew();
        BaseDockerfileRules.Check(text, "/proj/Dockerfile", (_, _) => { });
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }
}
