using System.Text.Json;
using MlEnv.Definition;
using MlEnv.Specs;

namespace MlEnv.Tests;

public class HashTests
{
    private static DefinitionInputs Rich(TempDir dir, Action<DefinitionInputs>? change = null, bool reversed = false, string name = "demo")
    {
        var wheel = dir.WriteBytes("wheels/private_pkg-1.0-py3-none-any.whl", TestZip.Of(1, 2, 3));
        var pip = new List<PipPackageItem> { Defs.Pip("pillow", "10.3.0"), Defs.Pip("requests", ">=2.31"), Defs.Pip("numpy", "1.26.4") };
        var apt = new List<AptPackageItem> { Defs.Apt("libgomp1"), Defs.Apt("curl") };
        if (reversed) { pip.Reverse(); apt.Reverse(); }
        var inputs = new DefinitionInputs
        {
            Name = name,
            Project = new SourceLocation(Path.Combine(dir.Path, "p.csproj")),
            BaseImage = "debian:bookworm-slim",
            PythonVersion = "3.11",
            PipPackages = pip,
            AptPackages = apt,
            PipWheels = [wheel],
            Variables = [new("OMP_NUM_THREADS", "1", default)],
            Labels = [new("team", "ml", default)],
        };
        change?.Invoke(inputs);
        return inputs;
    }

    [Fact]
    public void DoesNotChangeWithOrderSpellingWhitespaceNameOrPaths()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        var baseline = Defs.Hash(Rich(a));
        Assert.Equal(baseline, Defs.Hash(Rich(a, reversed: true)));
        Assert.Equal(baseline, Defs.Hash(Rich(b)));                        // same wheel bytes at another absolute path
        Assert.Equal(baseline, Defs.Hash(Rich(a, name: "another-project")));
        Assert.Equal(baseline, Defs.Hash(Rich(a, i => i.PipPackages[0] = Defs.Pip("Pillow", " 10.3.0 "))));
        Assert.Equal(baseline, Defs.Hash(Rich(a, i => i.PipPackages.Add(Defs.Pip("numpy", "1.26.4")))));  // exact duplicate merged
    }

    [Fact]
    public void SpecFilesHashAlikeAcrossCommentsWhitespaceCrlfAndPep503Spellings()
    {
        using var dir = new TempDir();
        var one = dir.Write("one/requirements.txt", "Scikit_Learn==1.5.0\nrequests>=2.31\n");
        var two = dir.Write("two/requirements.txt", "# pinned\r\nrequests >= 2.31   # http\r\n\r\nscikit-learn == 1.5.0\r\n");
        var envOne = dir.Write("one/environment.yml", "name: a\nchannels: [conda-forge]\ndependencies: [numpy=1.26, scipy]\n");
        var envTwo = dir.Write("two/environment.yml", "# other name, other layout\r\nname: b\r\nchannels:\r\n  - conda-forge\r\ndependencies:\r\n  - scipy\r\n  - NumPy=1.26\r\n");
        string H(string req, string env) => Defs.Hash(new DefinitionInputs { Name = "x", PipRequirements = [req], CondaSpecifications = [env] });
        Assert.Equal(H(one, envOne), H(two, envTwo));
    }

    public static TheoryData<string> Sensitivities => new()
    {
        "pip-version", "pip-added", "channel-order", "base-image", "python", "apt", "variables",
        "user-managed", "gpu", "conda-package", "extras", "markers", "label", "index-url", "apt-version",
    };

    [Theory]
    [MemberData(nameof(Sensitivities))]
    public void ChangesWithEverySemanticChange(string change)
    {
        using var dir = new TempDir();
        DefinitionInputs WithChannels(DefinitionInputs i, params string[] channels)
        {
            i.CondaChannels.Clear();
            i.CondaChannels.AddRange(channels.Select(c => (c, SourceLocation.None)));
            i.CondaPackages.Add(new CondaPackageItem("numpy", "1.26", null, null, default));
            return i;
        }
        var (before, after) = change switch
        {
            "pip-version" => (Rich(dir), Rich(dir, i => i.PipPackages[0] = Defs.Pip("pillow", "10.4.0"))),
            "pip-added" => (Rich(dir), Rich(dir, i => i.PipPackages.Add(Defs.Pip("six")))),
            "channel-order" => (WithChannels(Rich(dir), "conda-forge", "defaults"), WithChannels(Rich(dir), "defaults", "conda-forge")),
            "base-image" => (Rich(dir), Rich(dir, i => i.GetType().GetProperty(nameof(i.BaseImage))!.SetValue(i, "debian:trixie-slim"))),
            "python" => (Rich(dir), Rich(dir, i => Set(i, nameof(i.PythonVersion), "3.12"))),
            "apt" => (Rich(dir), Rich(dir, i => i.AptPackages.Add(Defs.Apt("git")))),
            "apt-version" => (Rich(dir), Rich(dir, i => i.AptPackages[0] = Defs.Apt("libgomp1", "12.2.0-14"))),
            "variables" => (Rich(dir), Rich(dir, i => i.Variables[0] = new("OMP_NUM_THREADS", "2", default))),
            "label" => (Rich(dir), Rich(dir, i => i.Labels[0] = new("team", "data", default))),
            "user-managed" => (Rich(dir, i => { i.PipPackages.Clear(); i.PipWheels.Clear(); }), Rich(dir, i => { i.PipPackages.Clear(); i.PipWheels.Clear(); Set(i, nameof(i.UserManagedDependencies), true); })),
            "gpu" => (Rich(dir), Rich(dir, i => Set(i, nameof(i.Gpu), "true"))),
            "conda-package" => (WithChannels(Rich(dir), "conda-forge"), Rich(dir, i => { WithChannels(i, "conda-forge"); i.CondaPackages.Add(new CondaPackageItem("scipy", null, null, null, default)); })),
            "extras" => (Rich(dir), Rich(dir, i => i.PipPackages[1] = Defs.Pip("requests", ">=2.31", extras: "socks"))),
            "markers" => (Rich(dir), Rich(dir, i => i.PipPackages[1] = Defs.Pip("requests", ">=2.31", markers: "python_version >= '3.8'"))),
            "index-url" => (Rich(dir), Rich(dir, i => Set(i, nameof(i.PipIndexUrl), "https://pypi.example/simple"))),
            _ => throw new ArgumentException(change),
        };
        var hashBefore = Defs.Hash(before);
        Assert.NotEqual(hashBefore, Defs.Hash(after));
    }

    [Fact]
    public void ChangesWithTheBytesOfAWheelOfTheSameName()
    {
        using var dir = new TempDir();
        var inputs = Rich(dir);
        var before = Defs.Hash(inputs);
        File.WriteAllBytes(inputs.PipWheels[0], TestZip.Of(9, 9, 9));
        Assert.NotEqual(before, Defs.Hash(inputs));
    }

    [Fact]
    public void ChangesWithBaseDockerfileBytesAndFormatVersion()
    {
        using var dir = new TempDir();
        var dockerfile = dir.Write("base.Dockerfile", "FROM debian:bookworm-slim\n");
        var inputs = new DefinitionInputs { Name = "x", BaseDockerfile = dockerfile };
        var before = Defs.Build(inputs);
        File.WriteAllText(dockerfile, "FROM debian:bookworm-slim\nRUN true\n");
        Assert.NotEqual(CanonicalJson.Hash(before), Defs.Hash(inputs));
        Assert.NotEqual(CanonicalJson.Hash(before), CanonicalJson.Hash(before with { FormatVersion = before.FormatVersion + 1 }));
    }

    [Fact]
    public void PropertyShuffledItemsAlwaysHashAlike()
    {
        var random = new Random(42);
        for (int round = 0; round < 50; round++)
        {
            var pips = Enumerable.Range(0, 20).Select(i => Defs.Pip($"Pkg_{i}", $"{i}.{random.Next(5)}")).ToList();
            var apts = Enumerable.Range(0, 5).Select(i => Defs.Apt($"lib{i}")).ToList();
            var vars = Enumerable.Range(0, 5).Select(i => new NamedValueItem($"V{i}", $"{i}", default)).ToList();
            DefinitionInputs Make(IEnumerable<PipPackageItem> p, IEnumerable<AptPackageItem> a, IEnumerable<NamedValueItem> v) =>
                new() { Name = "x", BaseImage = "img:1", PipPackages = p.ToList(), AptPackages = a.ToList(), Variables = v.ToList() };
            var expected = Defs.Hash(Make(pips, apts, vars));
            Assert.Equal(expected, Defs.Hash(Make(pips.OrderBy(_ => random.Next()), apts.OrderBy(_ => random.Next()), vars.OrderBy(_ => random.Next()))));
        }
    }

    [Fact]
    public void ConflictingSpecsForOnePackageAreADiagnostic()
    {
        var inputs = Defs.Inputs();
        inputs.PipPackages.Add(Defs.Pip("numpy", "1.26.4"));
        inputs.PipPackages.Add(Defs.Pip("NumPy", "2.0.0"));
        var error = Assert.Single(Defs.Errors(inputs));
        Assert.Equal("MLENV1010", error.Code);
        Assert.Contains("numpy==1.26.4", error.Message);
    }

    [Fact]
    public void CredentialsInTheIndexUrlNeverReachTheDefinition()
    {
        var inputs = new DefinitionInputs { Name = "x", BaseImage = "img:1", PipIndexUrl = "https://alice:s3cr3t-token@pypi.example/simple/" };
        var result = DefinitionBuilder.Build(inputs);
        Assert.True(result.Success);
        Assert.Equal(new PipCredentials("alice", "s3cr3t-token"), result.Credentials);
        var canonical = CanonicalJson.Serialize(result.Definition!);
        Assert.DoesNotContain("s3cr3t-token", canonical);
        Assert.DoesNotContain("alice", canonical);
        Assert.Contains("https://pypi.example/simple/", canonical);
        Assert.Equal(Defs.Hash(new DefinitionInputs { Name = "x", BaseImage = "img:1", PipIndexUrl = "https://pypi.example/simple/" }), CanonicalJson.Hash(result.Definition!));
    }

    private static void Set(DefinitionInputs i, string property, object value) => typeof(DefinitionInputs).GetProperty(property)!.SetValue(i, value);
}

/// <summary>
/// Checked-in definitions with their canonical JSON and hash. If canonicalisation changes, these fail: bump
/// EnvironmentDefinition.CurrentFormatVersion, then regenerate with MLENV_UPDATE_GOLDEN=1.
/// </summary>
public class GoldenVectorTests
{
    private static readonly string SourceFile = Path.Combine(FindRepoRoot(), "tests", "MlEnv.Tests", "TestData", "golden-hashes.json");

    public static IEnumerable<(string Name, DefinitionInputs Inputs)> Vectors()
    {
        yield return ("minimal-venv", new DefinitionInputs { Name = "v", BaseImage = "debian:bookworm-slim" });
        yield return ("default-python-slim", new DefinitionInputs { Name = "v", PythonVersion = "3.11", PipPackages = [Defs.Pip("requests", "2.31.0")] });
        yield return ("pip-apt-vars", new DefinitionInputs
        {
            Name = "v",
            BaseImage = "debian:bookworm-slim",
            PythonVersion = "3.11",
            PipPackages = [Defs.Pip("scikit-learn", ">=1.4,<2"), Defs.Pip("requests", null, "socks", "python_version >= '3.8'")],
            AptPackages = [Defs.Apt("libgomp1")],
            Variables = [new("OMP_NUM_THREADS", "1", default)],
            Labels = [new("team", "ml", default)],
        });
        yield return ("conda", new DefinitionInputs
        {
            Name = "v",
            CondaChannels = [("conda-forge", default), ("defaults", default)],
            CondaPackages = [new("numpy", "1.26", null, null, default), new("scipy", null, "conda-forge", "py311*", default)],
            PipPackages = [Defs.Pip("requests", "2.31.0")],
            PythonVersion = "3.11",
        });
        yield return ("gpu-auto", new DefinitionInputs { Name = "v", PipPackages = [Defs.Pip("torch", "2.1.0+cu121")] });
        yield return ("user-managed", new DefinitionInputs { Name = "v", BaseImage = "myorg/ml:1", UserManagedDependencies = true, AptPackages = [Defs.Apt("git")] });
    }

    [Fact]
    public void CanonicalFormsAndHashesMatchTheCheckedInVectors()
    {
        var actual = Vectors().ToDictionary(v => v.Name, v =>
        {
            var d = Defs.Build(v.Inputs);
            return new Dictionary<string, string> { ["canonical"] = CanonicalJson.Serialize(d), ["hash"] = CanonicalJson.Hash(d) };
        });
        if (Environment.GetEnvironmentVariable("MLENV_UPDATE_GOLDEN") == "1")
            File.WriteAllText(SourceFile, JsonSerializer.Serialize(actual, JsonFormats.IndentedVerbatim) + "\n");
        var expected = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>>>(File.ReadAllText(SourceFile))!;
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, values) in expected)
        {
            Assert.Equal(values["canonical"], actual[name]["canonical"]);
            Assert.Equal(values["hash"], actual[name]["hash"]);
            Assert.Equal(values["hash"], CanonicalJson.HashOf(values["canonical"]));
        }
    }

    internal static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MlEnv.Build.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("MlEnv.Build.sln not found above the test directory.");
    }
}
