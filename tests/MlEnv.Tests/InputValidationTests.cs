using System.Diagnostics;
using MlEnv.Definition;
using MlEnv.Generation;
using MlEnv.Specs;

namespace MlEnv.Tests;

/// <summary>
/// Every value a project sets is checked against a closed pattern anchored at the very end (a trailing line break
/// never passes), with ASCII digits only; the outcome is one exact code, never an exception.
/// </summary>
public class InputValidationTests
{
    private static readonly SourceLocation At = new("/proj/demo.csproj");

    private static DefinitionInputs Base() => new() { Name = "demo", Project = At, BaseImage = "debian:bookworm-slim" };

    private static string Code(DefinitionInputs inputs) => Assert.Single(Defs.Errors(inputs)).Code;

    [Theory]
    [InlineData("demo\n", "MLENV1020")]
    [InlineData("demo\r\n", "MLENV1020")]
    [InlineData("demo\u2028", "MLENV1020")]
    [InlineData("Demo", "MLENV1020")]
    [InlineData("-demo", "MLENV1020")]
    [InlineData("de mo", "MLENV1020")]
    [InlineData("demo/x", "MLENV1020")]
    [InlineData("démo", "MLENV1020")]
    [InlineData("mlenv-demo", "MLENV1021")]
    public void EnvironmentNames(string name, string code)
    {
        var inputs = Base();
        Assert.Equal(code, Code(new DefinitionInputs { Name = name, Project = At, BaseImage = inputs.BaseImage }));
    }

    [Fact]
    public void ANameOfMoreThan128CharactersIsRefused()
    {
        Assert.Equal("MLENV1020", Code(new DefinitionInputs { Name = new string('a', 129), Project = At, BaseImage = "debian:bookworm-slim" }));
        Assert.Equal(new string('a', 128), Defs.Build(new DefinitionInputs { Name = new string('a', 128), Project = At, BaseImage = "debian:bookworm-slim" }).Name);
    }

    [Theory]
    [InlineData("3.11\u0661")]        // ARABIC-INDIC DIGIT ONE: \d would take it
    [InlineData("\u0663.\u0661\u0661")]
    [InlineData("３.１１")]             // full-width digits
    [InlineData("3")]
    [InlineData("3.x")]
    [InlineData("3.11.0.1")]
    [InlineData("3.11;rm")]
    [InlineData("3.11\"")]
    [InlineData("3.1\n1")]
    public void PythonVersionsTakeAsciiDigitsOnly(string python)
    {
        var inputs = Base();
        Assert.Equal("MLENV1016", Code(new DefinitionInputs { Name = "demo", Project = At, BaseImage = inputs.BaseImage, PythonVersion = python }));
    }

    /// <summary>
    /// Whitespace around a property or metadata value (an MSBuild element written over several lines) is not part of
    /// it: it is trimmed, so a trailing line break never reaches the Dockerfile; inside a value it is refused above.
    /// </summary>
    [Fact]
    public void SurroundingWhitespaceOfPropertiesAndMetadataIsTrimmedNotInjected()
    {
        var d = Defs.Build(new DefinitionInputs
        {
            Name = "demo",
            Project = At,
            BaseImage = "debian:bookworm\n",
            PythonVersion = " 3.11\n",
            CondaExecutable = "micromamba\n",
            AptPackages = [Defs.Apt("curl\n", "\n    7.88\n  ")],
            CondaPackages = [new("numpy\n", "\n 1.26\n", null, "py311*\r\n", At)],
        });
        Assert.Equal("3.11", d.PythonVersion);
        Assert.Equal("debian:bookworm", d.Base.Image);
        Assert.Equal("micromamba", d.CondaExecutable);
        Assert.Equal("curl=7.88", Assert.Single(d.AptPackages).Argument);
        Assert.Equal("numpy 1.26.* py311*", Assert.Single(d.CondaPackages).Spec);
        var dockerfile = DockerfileGenerator.Generate(d).Dockerfile;
        Assert.Contains("'python=3.11'", dockerfile);
        Assert.Contains("'curl=7.88'", dockerfile);
        Assert.Equal(["FROM", "USER", "RUN", "RUN", "ENV", "COPY", "RUN"], TestDockerfile.Parse(dockerfile).Select(i => i.Keyword));
    }

    [Theory]
    [InlineData("FOO\n", "MLENV1012")]
    [InlineData("FOO\r", "MLENV1012")]
    [InlineData("FOO BAR", "MLENV1012")]
    [InlineData("FOO=BAR", "MLENV1012")]
    [InlineData("1FOO", "MLENV1012")]
    [InlineData("FOO$", "MLENV1012")]
    [InlineData("FOO\"", "MLENV1012")]
    [InlineData("FÖO", "MLENV1012")]
    [InlineData("FOO\u2028", "MLENV1012")]
    [InlineData("", "MLENV1012")]
    public void VariableNames(string name, string code)
    {
        var inputs = Base();
        inputs.Variables.Add(new(name, "1", At));
        var error = Assert.Single(Defs.Errors(inputs));
        Assert.Equal(code, error.Code);
        Assert.Equal(-1, TextRules.FirstForbidden(error.Message));
    }

    [Theory]
    [InlineData("team\n")]
    [InlineData("team name")]
    [InlineData("team=x")]
    [InlineData(".team")]
    [InlineData("team\"")]
    [InlineData("org.mlenv.definition-hash")]
    [InlineData("tëam")]
    public void LabelKeys(string key)
    {
        var inputs = Base();
        inputs.Labels.Add(new(key, "1", At));
        Assert.Equal("MLENV1013", Code(inputs));
    }

    [Theory]
    [InlineData("cu\nrl", null)]
    [InlineData("curl;rm", null)]
    [InlineData("Curl", null)]
    [InlineData("curl && id", null)]
    [InlineData("-curl", null)]
    [InlineData("c", null)]
    [InlineData("curl", "7.88\n1")]
    [InlineData("curl", "7.88 1")]
    [InlineData("curl", "$(id)")]
    [InlineData("curl", "7.88;id")]
    [InlineData("curl", "7.88'")]
    public void AptPackages(string name, string? version)
    {
        var inputs = Base();
        inputs.AptPackages.Add(Defs.Apt(name, version));
        Assert.Equal("MLENV1011", Code(inputs));
    }

    [Theory]
    [InlineData("micro\nmamba")]
    [InlineData("micromamba;id")]
    [InlineData("conda -h")]
    [InlineData("/usr/bin/conda")]
    [InlineData("$(id)")]
    public void CondaExecutables(string executable)
    {
        var inputs = Base();
        Assert.Equal("MLENV1029", Code(new DefinitionInputs { Name = "demo", Project = At, BaseImage = inputs.BaseImage, CondaExecutable = executable }));
    }

    [Theory]
    [InlineData("debian:book\nworm", "MLENV1024")]
    [InlineData("debian:bookworm\rx", "MLENV1024")]
    [InlineData("debian:bookworm\u2028x", "MLENV1024")]
    [InlineData("Debian", "MLENV1024")]
    [InlineData("debian:", "MLENV1024")]
    [InlineData("debian bookworm", "MLENV1024")]
    [InlineData("debian;id", "MLENV1024")]
    [InlineData("debian:book\u0661", "MLENV1024")]
    [InlineData("debian@sha256:abc", "MLENV1024")]
    public void ImageReferences(string image, string code) =>
        Assert.Equal(code, Code(new DefinitionInputs { Name = "demo", Project = At, BaseImage = image }));

    [Fact]
    public void ImageReferencesOverDockersLengthLimitsHaveTheirOwnCode()
    {
        var longName = "registry.example/" + new string('a', 256 - "registry.example/".Length);
        var error = Assert.Single(Defs.Errors(new DefinitionInputs { Name = "demo", Project = At, BaseImage = longName + ":1" }));
        Assert.Equal("MLENV1048", error.Code);
        Assert.Contains("256 characters", error.Message);

        error = Assert.Single(Defs.Errors(new DefinitionInputs { Name = "demo", Project = At, BaseImage = "debian:" + new string('t', 129) }));
        Assert.Equal("MLENV1048", error.Code);
        Assert.Contains("the tag has 129 characters", error.Message);

        error = Assert.Single(Defs.Errors(new DefinitionInputs { Name = "demo", Project = At, GpuBaseImage = new string('a', 100_000) }));
        Assert.Equal("MLENV1048", error.Code);
        Assert.True(error.Message.Length < 1000, "the message shows a shortened reference");

        // At the limits exactly, the references are valid.
        var name255 = "registry.example/" + new string('a', 255 - "registry.example/".Length);
        Assert.Equal(name255 + ":" + new string('t', 128), Defs.Build(new DefinitionInputs { Name = "demo", Project = At, BaseImage = name255 + ":" + new string('t', 128) }).Base.Image);
        Assert.Equal("MLENV1048", Code(new DefinitionInputs { Name = "demo", Project = At, BaseImageRegistry = new string('r', 300) }));
        // A registry that is valid alone, but too long together with the default image's name.
        var error2 = Assert.Single(Defs.Errors(new DefinitionInputs { Name = "demo", Project = At, BaseImageRegistry = "mirror.example/" + new string('r', 236) }));
        Assert.Equal("MLENV1048", error2.Code);
        Assert.Contains("python:", error2.Message);
    }

    [Theory]
    [InlineData("pkg-1.0-py3-none-any.whl\n")]
    [InlineData("pkg-1.0-py3-none-any.zip")]
    [InlineData("pkg-1.0-\u0661x-py3-none-any.whl")]
    [InlineData("pkg.whl")]
    [InlineData("pkg-1.0-py3-none-any.whl.txt")]
    [InlineData("pkg-1.0-py3-none-any\u2028.whl")]
    public void WheelFileNames(string fileName)
    {
        using var dir = new TempDir();
        var path = dir.WriteBytes(fileName, TestZip.Of(1));
        var inputs = Base();
        inputs.PipWheels.Add(path);
        var error = Assert.Single(Defs.Errors(inputs));
        Assert.Equal("MLENV1014", error.Code);
        Assert.Equal(-1, TextRules.FirstForbidden(error.Message));
    }

    public static TheoryData<string, string> BrokenWheels => new()
    {
        { "empty", "the file is empty" },
        { "text", "not a zip archive" },
        { "truncated", "no end of central directory" },
        { "no-entries", "no entries" },
        { "short", "too short" },
        { "bad-directory", "central directory" },
    };

    [Theory]
    [MemberData(nameof(BrokenWheels))]
    public void AWheelThatIsNoZipArchiveIsRefusedAtResolution(string kind, string reason)
    {
        using var dir = new TempDir();
        var zip = TestZip.Of(1, 2, 3);
        byte[] bytes = kind switch
        {
            "empty" => [],
            "text" => "this is not a zip file, but it is long enough to be one"u8.ToArray(),
            "truncated" => zip[..^10],
            "no-entries" => EmptyZip(),
            "short" => [0x50, 0x4b, 3, 4, 0],
            _ => CorruptDirectoryOffset(zip),
        };
        var inputs = Base();
        inputs.PipWheels.Add(dir.WriteBytes("pkg-1.0-py3-none-any.whl", bytes));
        var error = Assert.Single(Defs.Errors(inputs));
        Assert.Equal("MLENV1014", error.Code);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void AZipWithACommentIsAWheelAndItsBytesAreHashed()
    {
        using var dir = new TempDir();
        var zip = TestZip.Of(7);
        // An archive comment: the end record is no longer the last 22 bytes.
        var comment = "a zip comment"u8.ToArray();
        zip[^2] = (byte)comment.Length;
        var path = dir.WriteBytes("pkg-1.0-py3-none-any.whl", [.. zip, .. comment]);
        var inputs = Base();
        inputs.PipWheels.Add(path);
        var wheel = Assert.Single(Defs.Build(inputs).Wheels);
        Assert.Equal(zip.Length + comment.Length, wheel.Size);
    }

    private static byte[] EmptyZip()
    {
        using var memory = new MemoryStream();
        using (new System.IO.Compression.ZipArchive(memory, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true)) { }
        // An empty archive has only the end record; give it a local-header signature so only the entry count fails.
        return [0x50, 0x4b, 3, 4, .. memory.ToArray()];
    }

    private static byte[] CorruptDirectoryOffset(byte[] zip)
    {
        var copy = (byte[])zip.Clone();
        // The end record's central directory offset (bytes 16..19 of the 22-byte record) points at the first entry.
        Array.Copy(BitConverter.GetBytes(0), 0, copy, copy.Length - 22 + 16, 4);
        return copy;
    }

    [Fact]
    public void ADirectoryWhereAFileIsExpectedSaysSo()
    {
        using var dir = new TempDir();
        var wheelDir = Path.Combine(dir.Path, "pkg-1.0-py3-none-any.whl");
        Directory.CreateDirectory(wheelDir);
        var inputs = Base();
        inputs.PipWheels.Add(wheelDir);
        var error = Assert.Single(Defs.Errors(inputs));
        Assert.Equal("MLENV1050", error.Code);
        Assert.Contains("a directory", error.Message);

        var baseDir = Directory.CreateDirectory(Path.Combine(dir.Path, "base.Dockerfile")).FullName;
        error = Assert.Single(Defs.Errors(new DefinitionInputs { Name = "demo", Project = At, BaseDockerfile = baseDir }));
        Assert.Equal("MLENV1050", error.Code);

        var envDir = Directory.CreateDirectory(Path.Combine(dir.Path, "environment.yml")).FullName;
        error = Assert.Single(Defs.Errors(new DefinitionInputs { Name = "demo", Project = At, BaseImage = "b:1", CondaSpecifications = [envDir] }));
        Assert.Equal("MLENV1050", error.Code);
        Assert.Contains("a directory", error.Message);
    }

    [Theory]
    [InlineData("wheel")]
    [InlineData("dockerfile")]
    [InlineData("environment")]
    public async Task AFifoIsRefusedWithoutBeingOpened(string kind)
    {
        if (OperatingSystem.IsWindows()) return; // no FIFOs in the file system there
        using var dir = new TempDir();
        var fifo = Path.Combine(dir.Path, kind == "wheel" ? "pkg-1.0-py3-none-any.whl" : "input");
        using (var mkfifo = Process.Start("mkfifo", fifo)) mkfifo.WaitForExit();
        var inputs = new DefinitionInputs { Name = "demo", Project = At, BaseImage = kind == "dockerfile" ? null : "b:1", BaseDockerfile = kind == "dockerfile" ? fifo : null };
        if (kind == "wheel") inputs.PipWheels.Add(fifo);
        if (kind == "environment") inputs.CondaSpecifications.Add(fifo);
        // Opening a FIFO for reading would block until a writer comes: the test would hang instead of failing.
        var task = Task.Run(() => Defs.Errors(inputs));
        Assert.Same(task, await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(20))));
        var error = Assert.Single(await task);
        Assert.Equal("MLENV1050", error.Code);
        Assert.Contains("FIFO", error.Message);
    }

    [Fact]
    public void ADeviceIsRefusedWithoutBeingRead()
    {
        if (!File.Exists("/dev/zero")) return;
        var error = Assert.Single(Defs.Errors(new DefinitionInputs { Name = "demo", Project = At, BaseImage = "b:1", CondaSpecifications = ["/dev/zero"] }));
        Assert.Equal("MLENV1050", error.Code);
        Assert.Contains("character device", error.Message);
        error = Assert.Single(Defs.Errors(new DefinitionInputs { Name = "demo", Project = At, BaseDockerfile = "/dev/zero" }));
        Assert.Equal("MLENV1050", error.Code);
    }

    [Fact]
    public void AMissingFileIsStillFileNotFound()
    {
        var error = Assert.Single(Defs.Errors(new DefinitionInputs { Name = "demo", Project = At, BaseImage = "b:1", CondaSpecifications = ["/nonexistent/environment.yml"] }));
        Assert.Equal("MLENV1006", error.Code);
    }

    [Theory]
    [InlineData("extra", "https://user:s3cret@pkgs.example/simple")]
    [InlineData("extra", "https://s3cret@pkgs.example/simple")]
    [InlineData("extra", "https://user:s3cret%40x@pkgs.example/simple")]
    [InlineData("find-links", "https://user:s3cret@wheels.example/")]
    [InlineData("channel", "https://user:s3cret@conda.example/chan")]
    [InlineData("package-channel", "https://user:s3cret@conda.example/chan")]
    public void CredentialsInUrlsOtherThanTheIndexAreRefusedWithoutShowingThem(string where, string url)
    {
        var inputs = Base();
        switch (where)
        {
            case "extra": inputs.PipExtraIndexUrls.Add((url, At)); break;
            case "find-links": inputs.PipFindLinks.Add((url, At)); break;
            case "channel": inputs.CondaChannels.Add((url, At)); break;
            default: inputs.CondaPackages.Add(new("numpy", null, url, null, At)); break;
        }
        var error = Assert.Single(Defs.Errors(inputs));
        Assert.Equal("MLENV1051", error.Code);
        Assert.DoesNotContain("s3cret", error.ToString());
    }

    [Fact]
    public void CredentialsInTheIndexUrlGoToTheCredentialPathNotTheDefinition()
    {
        var inputs = new DefinitionInputs { Name = "demo", Project = At, BaseImage = "b:1", PipIndexUrl = "https://user:s3cret@pkgs.example/simple", PipPackages = [Defs.Pip("requests")] };
        var result = DefinitionBuilder.Build(inputs);
        Assert.True(result.Success);
        Assert.Equal(new PipCredentials("user", "s3cret"), result.Credentials);
        Assert.DoesNotContain("s3cret", CanonicalJson.Serialize(result.Definition!));
        Assert.DoesNotContain("s3cret", DockerfileGenerator.RequirementsText(result.Definition!));
    }

    [Theory]
    [InlineData("requirements.txt", "--index-url https://user:s3cret@pkgs.example/simple\nrequests\n")]
    [InlineData("requirements.txt", "-i https://s3cret@pkgs.example/simple\nrequests\n")]
    [InlineData("requirements.txt", "--extra-index-url https://user:s3cret@pkgs.example/simple\nrequests\n")]
    [InlineData("requirements.txt", "--find-links https://user:s3cret@pkgs.example/wheels\nrequests\n")]
    [InlineData("environment.yml", "dependencies:\n  - pip:\n    - --index-url https://user:s3cret@pkgs.example/simple\n    - requests\n")]
    public void CredentialsInAFilesIndexUrlsAreRefusedNotDropped(string file, string text)
    {
        // The build takes credentials only from MlEnvPipIndexUrl and the environment: these would never reach it.
        using var dir = new TempDir();
        var path = dir.Write(file, text);
        var inputs = Base();
        if (file == "requirements.txt") inputs.PipRequirements.Add(path); else inputs.CondaSpecifications.Add(path);
        var error = Assert.Single(Defs.Errors(inputs));
        Assert.Equal("MLENV1051", error.Code);
        Assert.DoesNotContain("s3cret", error.ToString());
        Assert.EndsWith(file, error.File);
    }

    [Theory]
    [InlineData("https://pkgs.example/simple\u0001")]
    [InlineData("https://pkgs.example/\0simple")]
    [InlineData("https://pkgs.example/simple\u0085")]
    public void ControlCharactersInIndexUrlsAreRefused(string url)
    {
        var inputs = Base();
        inputs.PipExtraIndexUrls.Add((url, At));
        var error = Assert.Single(Defs.Errors(inputs));
        Assert.Equal("MLENV1045", error.Code);
        Assert.Equal(-1, TextRules.FirstForbidden(error.Message));
    }

    [Theory]
    [InlineData("conda-forge\n", "MLENV1045")]
    [InlineData("conda-forge\r", "MLENV1045")]
    [InlineData("conda-forge\u2029", "MLENV1045")]
    [InlineData("conda forge", "MLENV1017")]
    [InlineData("conda-forge;id", "MLENV1017")]
    [InlineData("ftp://conda.example/chan", "MLENV1017")]
    [InlineData("'conda-forge'", "MLENV1017")]
    [InlineData("conda-forgé", "MLENV1017")]
    public void ChannelItems(string channel, string code)
    {
        var inputs = Base();
        inputs.CondaChannels.Add((channel, At));
        Assert.Equal(code, Code(inputs));
    }

    [Theory]
    [InlineData("num\npy", null, null)]
    [InlineData("numpy", "1.26\n.1", null)]
    [InlineData("numpy", "1.26;id", null)]
    [InlineData("numpy", null, "py\n311")]
    [InlineData("numpy", null, "py311 x")]
    [InlineData("num\u2028py", null, null)]
    [InlineData("numpy", "1.\t26", "py\u00853")]
    public void CondaPackageItems(string name, string? version, string? build)
    {
        var inputs = Base();
        inputs.CondaPackages.Add(new(name, version, null, build, At));
        Assert.Equal("MLENV1009", Code(inputs));
    }
}
