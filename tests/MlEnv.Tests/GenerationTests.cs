using System.Formats.Tar;
using MlEnv.Definition;
using MlEnv.Generation;
using MlEnv.Specs;

namespace MlEnv.Tests;

public class DockerfileGeneratorTests
{
    private static DefinitionInputs Layered(TempDir dir, string pillow = "10.3.0") => new()
    {
        Name = "x",
        BaseImage = "debian:bookworm-slim",
        AptPackages = [Defs.Apt("libgomp1")],
        PipPackages = [Defs.Pip("pillow", pillow), Defs.Pip("requests")],
        PipWheels = [dir.WriteBytes("private_pkg-1.0-py3-none-any.whl", TestZip.Of(1, 2))],
        Variables = [new("A", "1", default)],
    };

    [Fact]
    public void OrdersLayersLeastChangingFirst()
    {
        using var dir = new TempDir();
        var df = DockerfileGenerator.Generate(Defs.Build(Layered(dir))).Dockerfile;
        int[] positions = [df.IndexOf("FROM debian"), df.IndexOf("apt-get install"), df.IndexOf("python3 -m venv"), df.IndexOf("COPY requirements.txt"), df.IndexOf("COPY wheels/"), df.IndexOf("ENV \"A\"=")];
        Assert.DoesNotContain(-1, positions);
        Assert.Equal(positions.Order(), positions);
        Assert.Contains("--no-cache-dir", df);
        Assert.Contains("rm -rf /var/lib/apt/lists/*", df);
    }

    [Fact]
    public void APipChangeSharesEveryLineUpToThePipLayer()
    {
        using var dir = new TempDir();
        var a = DockerfileGenerator.Generate(Defs.Build(Layered(dir))).Dockerfile.Split('\n');
        var b = DockerfileGenerator.Generate(Defs.Build(Layered(dir, "10.4.0"))).Dockerfile.Split('\n');
        int pipLayer = Array.FindIndex(a, l => l.StartsWith("COPY requirements.txt"));
        Assert.True(pipLayer > 0);
        Assert.Equal(a[..(pipLayer + 1)], b[..(pipLayer + 1)]);  // the COPY line itself is identical; its file differs
        Assert.Equal(a.Length, b.Length);
        var filesA = DockerfileGenerator.Generate(Defs.Build(Layered(dir))).Files;
        var filesB = DockerfileGenerator.Generate(Defs.Build(Layered(dir, "10.4.0"))).Files;
        Assert.NotEqual(Text(filesA, "requirements.txt"), Text(filesB, "requirements.txt"));
    }

    [Fact]
    public void CondaDefinitionsUseMicromambaAndWriteEnvironmentYml()
    {
        var d = Defs.Build(new DefinitionInputs
        {
            Name = "x",
            PythonVersion = "3.11",
            CondaChannels = [("conda-forge", default)],
            CondaPackages = [new("numpy", "1.26", null, null, default)],
            PipPackages = [Defs.Pip("requests", "2.31.0")],
        });
        var build = DockerfileGenerator.Generate(d);
        Assert.StartsWith("FROM mambaorg/micromamba:", build.Dockerfile);
        Assert.Contains("micromamba create -y -p /opt/mlenv/env -c 'conda-forge' 'python=3.11' 'pip'", build.Dockerfile);
        Assert.Contains("micromamba install -y -p /opt/mlenv/env -f /tmp/mlenv/environment.yml", build.Dockerfile);
        Assert.Contains("micromamba clean -a -y", build.Dockerfile);
        var yml = Text(build.Files, "environment.yml");
        Assert.Contains("  - \"conda-forge\"", yml);
        Assert.Contains("  - \"numpy 1.26.*\"", yml);
        Assert.True(build.Dockerfile.IndexOf("environment.yml") < build.Dockerfile.IndexOf("requirements.txt"));
    }

    [Fact]
    public void UserManagedDependenciesInstallNoPythonPackages()
    {
        var d = Defs.Build(new DefinitionInputs { Name = "x", BaseImage = "myorg/ml:1", UserManagedDependencies = true, AptPackages = [Defs.Apt("git")] });
        var df = DockerfileGenerator.Generate(d).Dockerfile;
        Assert.DoesNotContain("pip install", df);
        Assert.DoesNotContain("venv", df);
        Assert.Contains("'git'", df);
    }

    [Fact]
    public void ABaseDockerfileBecomesTheFirstStage()
    {
        using var dir = new TempDir();
        var path = dir.Write("base.Dockerfile", "FROM debian:bookworm-slim AS base\r\nRUN echo hi\r\n");
        var df = DockerfileGenerator.Generate(Defs.Build(new DefinitionInputs { Name = "x", BaseDockerfile = path })).Dockerfile;
        Assert.StartsWith("FROM debian:bookworm-slim AS base\nRUN echo hi\n", df);
        Assert.Single(df.Split('\n'), l => l.StartsWith("FROM"));
    }

    [Fact]
    public void ABaseDockerfileThatCopiesFromTheContextIsRejectedWithItsLine()
    {
        using var dir = new TempDir();
        var path = dir.Write("base.Dockerfile", "FROM debian\nRUN true\nCOPY app /app\n");
        var error = Assert.Single(Defs.Errors(new DefinitionInputs { Name = "x", BaseDockerfile = path }));
        Assert.Equal("MLENV1022", error.Code);
        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void PythonVersionIsCheckedOnACustomBase()
    {
        var df = DockerfileGenerator.Generate(Defs.Build(new DefinitionInputs { Name = "x", BaseImage = "b:1", PythonVersion = "3.11" })).Dockerfile;
        Assert.Contains(DockerfileGenerator.PythonMismatchMarker, df);
        Assert.Contains("want = \"3.11\"", df);
    }

    [Theory]
    [InlineData("pip", "x; $(touch /pwned) == 'a'")]
    [InlineData("pip", "x`id`")]
    [InlineData("pip", "x\nRUN curl evil")]
    [InlineData("apt", "curl; rm -rf /")]
    [InlineData("apt", "curl\nRUN id")]
    [InlineData("apt-version", "1.0'$(id)'")]
    [InlineData("var-name", "A;B")]
    [InlineData("var-value", "line\nRUN id")]
    [InlineData("label", "x\"y")]
    [InlineData("base", "debian\nRUN id")]
    [InlineData("base", "debian; id")]
    [InlineData("conda", "numpy;id")]
    [InlineData("channel", "conda-forge -c $(id)")]
    [InlineData("executable", "micromamba; id")]
    [InlineData("index", "https://x/`id`")]
    public void InjectionAttemptsAreRejectedBeforeGeneration(string where, string value)
    {
        var i = new DefinitionInputs
        {
            Name = "x",
            BaseImage = where == "base" ? value : "b:1",
            CondaExecutable = where == "executable" ? value : null,
            PipIndexUrl = where == "index" ? value : null,
        };
        switch (where)
        {
            case "pip": i.PipPackages.Add(Defs.Pip(value)); break;
            case "apt": i.AptPackages.Add(Defs.Apt(value)); break;
            case "apt-version": i.AptPackages.Add(Defs.Apt("curl", value)); break;
            case "var-name": i.Variables.Add(new(value, "1", default)); break;
            case "var-value": i.Variables.Add(new("A", value, default)); break;
            case "label": i.Labels.Add(new(value, "1", default)); break;
            case "conda": i.CondaPackages.Add(new(value, null, null, null, default)); break;
            case "channel": i.CondaChannels.Add((value, default)); i.CondaPackages.Add(new("numpy", null, null, null, default)); break;
        }
        var errors = Defs.Errors(i);
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.StartsWith("MLENV1", e.Code));
    }

    [Fact]
    public void ValuesThatPassValidationAreQuotedSoTheShellNeverRunsThem()
    {
        var d = Defs.Build(new DefinitionInputs
        {
            Name = "x",
            BaseImage = "b:1",
            PipPackages = [Defs.Pip("pkg", null, null, "platform_release == '$(touch /pwned)'")],
            Variables = [new("GREETING", "it's \"$HOME\" `x` \\", default)],
        });
        var build = DockerfileGenerator.Generate(d);
        Assert.Contains("ENV \"GREETING\"=\"it's \\\"\\$HOME\\\" `x` \\\\\"", build.Dockerfile);
        // The marker lives in requirements.txt, read by pip, never by a shell.
        Assert.DoesNotContain("touch", build.Dockerfile);
        Assert.Contains("$(touch /pwned)", Text(build.Files, "requirements.txt"));
        Assert.Equal("'it'\"'\"'s'", Shell.Quote("it's"));
    }

    [Fact]
    public void GpuIsDetectedFromPackagesAndAnExplicitSettingWins()
    {
        Assert.True(Defs.Build(new DefinitionInputs { Name = "x", PipPackages = [Defs.Pip("torch", "2.1.0+cu121")] }).Gpu);
        Assert.True(Defs.Build(new DefinitionInputs { Name = "x", PipPackages = [Defs.Pip("nvidia-cublas-cu12")] }).Gpu);
        Assert.True(Defs.Build(new DefinitionInputs { Name = "x", PipPackages = [Defs.Pip("tensorflow", null, "and-cuda")] }).Gpu);
        Assert.True(Defs.Build(new DefinitionInputs { Name = "x", CondaPackages = [new("pytorch-cuda", "12.1", null, null, default)] }).Gpu);
        Assert.False(Defs.Build(new DefinitionInputs { Name = "x", PipPackages = [Defs.Pip("torch", "2.1.0")] }).Gpu);
        Assert.False(Defs.Build(new DefinitionInputs { Name = "x", Gpu = "false", PipPackages = [Defs.Pip("torch", "2.1.0+cu121")] }).Gpu);
        var forced = Defs.Build(new DefinitionInputs { Name = "x", Gpu = "true", GpuBaseImage = "nvidia/cuda:12.4.1-runtime-ubuntu22.04" });
        Assert.True(forced.Gpu);
        Assert.Equal("nvidia/cuda:12.4.1-runtime-ubuntu22.04", forced.Base.Image);
        Assert.Equal("MLENV1019", Assert.Single(Defs.Errors(new DefinitionInputs { Name = "x", Gpu = "maybe" })).Code);
    }

    [Fact]
    public void DefaultImagesArePinnedAndUnavailablePythonIsAnError()
    {
        Assert.Equal("python:3.12.7-slim-bookworm", Defs.Build(new DefinitionInputs { Name = "x" }).Base.Image);
        Assert.Equal("python:3.10.15-slim-bookworm", Defs.Build(new DefinitionInputs { Name = "x", PythonVersion = "3.10" }).Base.Image);
        Assert.Equal("python:3.11.4-slim-bookworm", Defs.Build(new DefinitionInputs { Name = "x", PythonVersion = "3.11.4" }).Base.Image);
        Assert.Equal("mirror.example/python:3.12.7-slim-bookworm", Defs.Build(new DefinitionInputs { Name = "x", BaseImageRegistry = "mirror.example" }).Base.Image);
        Assert.Equal(BaseImages.Micromamba, Defs.Build(new DefinitionInputs { Name = "x", CondaPackages = [new("numpy", null, null, null, default)] }).Base.Image);
        Assert.Equal("MLENV1025", Assert.Single(Defs.Errors(new DefinitionInputs { Name = "x", PythonVersion = "2.7" })).Code);
        Assert.Equal("MLENV1016", Assert.Single(Defs.Errors(new DefinitionInputs { Name = "x", PythonVersion = "three" })).Code);
        Assert.Equal("MLENV1021", Assert.Single(Defs.Errors(new DefinitionInputs { Name = "mlenv-minimal" })).Code);
        Assert.Equal("MLENV1020", Assert.Single(Defs.Errors(new DefinitionInputs { Name = "Bad Name" })).Code);
    }

    [Fact]
    public void TheContextIsADeterministicTarOfOnlyTheUsedFiles()
    {
        using var dir = new TempDir();
        dir.Write("secret-project-file.txt", "never in the context");
        var d = Defs.Build(Layered(dir));
        var first = BuildContext.ToTarBytes(DockerfileGenerator.Generate(d).Files);
        Thread.Sleep(1100);
        var second = BuildContext.ToTarBytes(DockerfileGenerator.Generate(Defs.Build(Layered(dir))).Files.Reverse());
        Assert.Equal(first, second);

        using var reader = new TarReader(new MemoryStream(first));
        var names = new List<string>();
        while (reader.GetNextEntry() is { } entry)
        {
            names.Add(entry.Name);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(0), entry.ModificationTime);
            Assert.Equal(0, entry.Uid);
        }
        Assert.Equal(["wheels/", "Dockerfile", "requirements.txt", "wheels/private_pkg-1.0-py3-none-any.whl"], names);
    }

    [Fact]
    public void WithIndexCredentialsPackagesInstallInAStageTheFinalImageOnlyCopiesFrom()
    {
        using var dir = new TempDir();
        var inputs = Layered(dir);
        var d = Defs.Build(new DefinitionInputs
        {
            Name = "x",
            BaseImage = "debian:bookworm-slim",
            PipIndexUrl = "https://alice:s3cret@pypi.example/simple/",
            AptPackages = inputs.AptPackages,
            PipPackages = inputs.PipPackages,
            PipWheels = inputs.PipWheels,
            Variables = inputs.Variables,
        });
        var plain = DockerfileGenerator.Generate(d).Dockerfile;
        var staged = DockerfileGenerator.Generate(d, indexCredentials: true).Dockerfile;
        Assert.DoesNotContain("ARG", plain);
        Assert.DoesNotContain("s3cret", staged);
        Assert.DoesNotContain("alice", staged);

        var stages = staged.Split("\nFROM ");
        Assert.Equal(3, stages.Length);
        Assert.StartsWith("FROM debian:bookworm-slim AS mlenv-system", stages[0]);
        Assert.Contains("apt-get install", stages[0]);
        Assert.StartsWith("mlenv-system AS mlenv-packages\nARG MLENV_PIP_INDEX_USERNAME\nARG MLENV_PIP_INDEX_PASSWORD", stages[1]);
        Assert.Contains("machine %s login %s password %s", stages[1]);
        Assert.Contains("'pypi.example'", stages[1]);
        Assert.Contains("trap 'rm -f $HOME/.netrc' EXIT", stages[1]);
        // The final stage declares no ARG and copies only the installed environment.
        Assert.StartsWith("mlenv-system\nCOPY --from=mlenv-packages /opt/mlenv /opt/mlenv\nENV VIRTUAL_ENV=", stages[2]);
        Assert.DoesNotContain("ARG", stages[2]);
        Assert.Contains("ENV \"A\"=", stages[2]);

        using var output = new TempDir();
        GeneratedEnvironment.Write(d, output.Path);
        Assert.Equal(staged, File.ReadAllText(Path.Combine(output.Path, "Dockerfile.credentials")));
        Assert.Equal(plain, File.ReadAllText(Path.Combine(output.Path, "Dockerfile")));
        Assert.Equal(staged, Text(GeneratedEnvironment.ReadContext(output.Path, withCredentials: true), "Dockerfile"));
        Assert.Equal(plain, Text(GeneratedEnvironment.ReadContext(output.Path), "Dockerfile"));
    }

    private static string Text(IReadOnlyList<ContextFile> files, string path) =>
        System.Text.Encoding.UTF8.GetString(files.Single(f => f.Path == path).Content!);
}

public class ExplainTests
{
    [Fact]
    public void ExplainsWhatChangedInUsersWords()
    {
        var before = Defs.Build(new DefinitionInputs { Name = "x", BaseImage = "debian:bookworm-slim", PipPackages = [Defs.Pip("pillow", "10.3.0"), Defs.Pip("six")] });
        var after = Defs.Build(new DefinitionInputs
        {
            Name = "x",
            BaseImage = "debian:trixie-slim",
            PipPackages = [Defs.Pip("pillow", "10.4.0"), Defs.Pip("requests", ">=2")],
            AptPackages = [Defs.Apt("libgomp1")],
        });
        var changes = DefinitionDiff.Explain(CanonicalJson.Serialize(before), CanonicalJson.Serialize(after));
        Assert.Equal([
            "base image changed: debian:bookworm-slim → debian:trixie-slim",
            "apt: +libgomp1",
            "pip: pillow ==10.3.0 → ==10.4.0, +requests >=2, -six",
        ], changes);
        Assert.Empty(DefinitionDiff.Explain(CanonicalJson.Serialize(after), CanonicalJson.Serialize(after)));
    }

    [Fact]
    public void ExplainsChannelOrderAndWheelBytes()
    {
        using var dir = new TempDir();
        var wheel = dir.WriteBytes("w-1.0-py3-none-any.whl", TestZip.Of(1));
        DefinitionInputs Make(params string[] channels) => new()
        {
            Name = "x",
            BaseImage = "b:1",
            PipWheels = [wheel],
            CondaChannels = channels.Select(c => (c, SourceLocation.None)).ToList(),
            CondaPackages = [new("numpy", null, null, null, default)],
        };
        var before = CanonicalJson.Serialize(Defs.Build(Make("conda-forge", "defaults")));
        File.WriteAllBytes(wheel, TestZip.Of(2));
        var changes = DefinitionDiff.Explain(before, CanonicalJson.Serialize(Defs.Build(Make("defaults", "conda-forge"))));
        Assert.Contains("conda channels: order [conda-forge, defaults] → [defaults, conda-forge]", changes);
        Assert.Contains(changes, c => c.StartsWith("wheels: w-1.0-py3-none-any.whl sha256 "));
    }
}
