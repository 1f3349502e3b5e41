using System.Text;
using MlEnv.Definition;
using MlEnv.Diagnostics;
using MlEnv.Generation;
using MlEnv.Specs;
using YamlDotNet.RepresentationModel;

namespace MlEnv.Tests;

/// <summary>
/// environment.yml files and conda prefixes as an attacker or an unusual tool writes them: every one either resolves
/// to a definition whose generated environment.yml reads back to the same channels and specs, or gets one exact code.
/// </summary>
public class CondaAdversarialTests
{
    private static readonly SourceLocation At = new("/proj/demo.csproj");

    private static DefinitionResult Resolve(TempDir dir, string yaml)
    {
        var path = dir.Write("environment.yml", yaml);
        return DefinitionBuilder.Build(new DefinitionInputs { Name = "demo", Project = At, CondaSpecifications = [path] });
    }

    private static Diagnostic Error(TempDir dir, string yaml) => Assert.Single(Resolve(dir, yaml).Diagnostics, d => d.IsError);

    [Theory]
    [InlineData("channels: [\"conda-forge\\n\"]\ndependencies: [numpy]\n", "MLENV1045", 1)]
    [InlineData("channels: [\"conda-forge\\r\"]\ndependencies: [numpy]\n", "MLENV1045", 1)]
    [InlineData("channels: [\"conda-forge\\0\"]\ndependencies: [numpy]\n", "MLENV1045", 1)]
    [InlineData("channels: [\"conda-forge\\u2028\"]\ndependencies: [numpy]\n", "MLENV1045", 1)]
    [InlineData("channels:\n  - \"conda forge\"\ndependencies: [numpy]\n", "MLENV1017", 2)]
    [InlineData("channels:\n  - \"conda-forge; id\"\ndependencies: [numpy]\n", "MLENV1017", 2)]
    [InlineData("channels:\n  - https://user:s3cret@conda.example/c\ndependencies: [numpy]\n", "MLENV1051", 2)]
    [InlineData("dependencies:\n  - \"numpy\\nRUN id\"\n", "MLENV1009", 2)]
    [InlineData("dependencies:\n  - \"numpy\\u0085x\"\n", "MLENV1009", 2)]
    [InlineData("dependencies:\n  - \"numpy=1.26=py\\u20293\"\n", "MLENV1009", 2)]
    [InlineData("dependencies:\n  - \"numpy;id\"\n", "MLENV1009", 2)]
    [InlineData("dependencies:\n  - \"numpy 1.26 py311 extra\"\n", "MLENV1009", 2)]
    [InlineData("dependencies:\n  - \"https://user:s3cret@conda.example/c::numpy\"\n", "MLENV1009", 2)]
    [InlineData("dependencies: [numpy]\nvariables:\n  \"FOO\\n\": \"1\"\n", "MLENV1012", 3)]
    [InlineData("dependencies: [numpy]\nvariables:\n  \"FOO\\r\\nRUN id\": \"1\"\n", "MLENV1012", 3)]
    [InlineData("dependencies: [numpy]\nvariables:\n  \"FOO BAR\": \"1\"\n", "MLENV1012", 3)]
    [InlineData("dependencies: [numpy]\nvariables:\n  FOO: \"a\\nRUN id\"\n", "MLENV1045", 3)]
    [InlineData("dependencies: [numpy]\nvariables:\n  FOO: \"a\\u2028b\"\n", "MLENV1045", 3)]
    [InlineData("dependencies: [numpy]\nvariables:\n  FOO: \"\\e[31m\"\n", "MLENV1045", 3)]
    [InlineData("dependencies: [numpy]\nvariables:\n  FOO: [1, 2]\n", "MLENV1008", 3)]
    [InlineData("dependencies: [[numpy]]\n", "MLENV1008", 1)]
    [InlineData("dependencies:\n  - {conda: numpy}\n", "MLENV1008", 2)]
    [InlineData("- numpy\n", "MLENV1008", 1)]
    [InlineData("dependencies: [numpy\n", "MLENV1007", 2)]
    [InlineData("dependencies: *undefined\n", "MLENV1007", 1)]
    [InlineData("nonsense: 1\n", "MLENV1008", 1)]
    public void HostileEnvironmentFilesGetOneExactCodeAtTheirLine(string yaml, string code, int line)
    {
        using var dir = new TempDir();
        var error = Error(dir, yaml);
        Assert.Equal(code, error.Code);
        Assert.EndsWith("environment.yml", error.File);
        Assert.Equal(line, error.Line);
        Assert.DoesNotContain("s3cret", error.ToString());
        Assert.Equal(-1, TextRules.FirstForbidden(error.Message));
    }

    [Theory]
    [InlineData(65)]
    [InlineData(1_000)]
    [InlineData(100_000)]
    public void DeepNestingIsRefusedWithoutExhaustingTheStack(int depth)
    {
        using var dir = new TempDir();
        var error = Error(dir, "dependencies: " + new string('[', depth) + new string(']', depth) + "\n");
        Assert.Equal("MLENV1049", error.Code);
        Assert.Contains("deeper than 64", error.Message);
    }

    [Fact]
    public void DeepNestingOfMappingsAndUnclosedNestingAreRefusedToo()
    {
        using var dir = new TempDir();
        var mappings = new StringBuilder();
        for (var i = 0; i < 10_000; i++) mappings.Append("{a: ");
        Assert.Equal("MLENV1049", Error(dir, "variables: " + mappings + "\n").Code);
        // Never closed: the depth is reached before the syntax error.
        Assert.Equal("MLENV1049", Error(dir, "dependencies: " + new string('[', 100_000)).Code);
    }

    [Fact]
    public void NestingWithinTheLimitIsOnlyAShapeError()
    {
        using var dir = new TempDir();
        Assert.Equal("MLENV1008", Error(dir, "dependencies: " + new string('[', 63) + new string(']', 63) + "\n").Code);
    }

    [Fact]
    public void AnOversizedEnvironmentFileIsRefusedBeforeParsing()
    {
        using var dir = new TempDir();
        var padding = new string('#', 1024) + "\n";
        var text = "dependencies: [numpy]\n" + string.Concat(Enumerable.Repeat(padding, (int)(CondaEnvironmentFile.MaxBytes / padding.Length) + 2));
        var error = Error(dir, text);
        Assert.Equal("MLENV1049", error.Code);
        Assert.Contains($"at most {CondaEnvironmentFile.MaxBytes} bytes", error.Message);
    }

    [Fact]
    public void AliasesDoNotMultiplyWork()
    {
        using var dir = new TempDir();
        // A "billion laughs" file: nodes referenced by aliases are shared, never copied.
        var yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < 10; i++) yaml.Append($"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n");
        yaml.Append("dependencies: [numpy]\n");
        var errors = Resolve(dir, yaml.ToString()).Diagnostics.Where(d => d.IsError).ToList();
        Assert.Equal(10, errors.Count);
        Assert.All(errors, e => Assert.Equal("MLENV1008", e.Code));
    }

    [Theory]
    [InlineData(new[] { "pip", "pip=20.3.4" }, "pip 20.3.4.*")]
    [InlineData(new[] { "pip=20.3.4", "pip" }, "pip 20.3.4.*")]
    [InlineData(new[] { "pip", "pip" }, "pip")]
    [InlineData(new[] { "pip=20.3.4", "pip=20.3.4" }, "pip 20.3.4.*")]
    [InlineData(new[] { "numpy", "numpy>=1.26", "numpy" }, "numpy >=1.26")]
    [InlineData(new[] { "conda-forge::pip", "pip=20.3.4" }, "conda-forge::pip 20.3.4.*")]
    [InlineData(new[] { "pip=20.3.4", "conda-forge::pip" }, "conda-forge::pip 20.3.4.*")]
    [InlineData(new[] { "numpy * py311*", "numpy=1.26" }, "numpy 1.26.* py311*")]
    [InlineData(new[] { "NumPy", "numpy 1.26.*" }, "numpy 1.26.*")]
    public void APackageListedTwiceCompatiblyIsMergedAsCondaMergesIt(string[] specs, string merged)
    {
        using var dir = new TempDir();
        var yaml = "dependencies:\n" + string.Concat(specs.Select(s => $"  - \"{s}\"\n"));
        var result = Resolve(dir, yaml);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        Assert.Equal(merged, Assert.Single(result.Definition!.CondaPackages).Spec);
    }

    [Fact]
    public void MergedOrderDoesNotChangeTheHash()
    {
        using var dir = new TempDir();
        var a = CanonicalJson.Hash(Resolve(dir, "dependencies: [pip, \"pip=20.3.4\", python=3.11]\n").Definition!);
        var b = CanonicalJson.Hash(Resolve(dir, "dependencies: [\"pip=20.3.4\", python=3.11, pip]\n").Definition!);
        var c = CanonicalJson.Hash(Resolve(dir, "dependencies: [\"pip=20.3.4\", python=3.11]\n").Definition!);
        Assert.Equal(a, b);
        Assert.Equal(a, c);
    }

    [Fact]
    public void TheAzureMlExampleWithPipTwiceResolves()
    {
        using var dir = new TempDir();
        var result = Resolve(dir, """
            name: project_environment
            dependencies:
              - python=3.8.10
              - pip=20.3.4
              - pip:
                - azureml-defaults
              - pip
            channels:
              - anaconda
              - conda-forge
            """);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        Assert.Contains(result.Definition!.CondaPackages, p => p.Spec == "pip 20.3.4.*");
        Assert.Equal(["anaconda", "conda-forge"], result.Definition.CondaChannels);
    }

    [Theory]
    [InlineData("pip=20.3.4", "pip=21.0")]
    [InlineData("pip=20.3.4", "pip==20.3.4")]
    [InlineData("conda-forge::numpy", "defaults::numpy")]
    [InlineData("numpy * py311*", "numpy * py312*")]
    [InlineData("numpy>=1", "numpy<2")]
    public void GenuinelyDifferentSpecsStillConflict(string first, string second)
    {
        string[] specs = [first, second];
        using var dir = new TempDir();
        var yaml = "dependencies:\n" + string.Concat(specs.Select(s => $"  - \"{s}\"\n"));
        var error = Error(dir, yaml);
        Assert.Equal("MLENV1010", error.Code);
        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void AnItemAndAFileNamingOnePackageMergeToo()
    {
        using var dir = new TempDir();
        var path = dir.Write("environment.yml", "dependencies: [\"pip=20.3.4\"]\n");
        var d = Defs.Build(new DefinitionInputs { Name = "demo", Project = At, CondaSpecifications = [path], CondaPackages = [new("pip", null, "conda-forge", null, At)] });
        Assert.Equal("conda-forge::pip 20.3.4.*", Assert.Single(d.CondaPackages).Spec);
    }

    public static TheoryData<string> AcceptedSpecs => new()
    {
        "numpy", "numpy=1.26", "numpy==1.26.4", "numpy>=1.26,<2", "numpy 1.26.* py311*", "numpy=1.26=py311h1234_0",
        "conda-forge::numpy", "numpy[version='>=1.26',build=py311*]", "python-dateutil", "libgcc-ng>=12", "numpy 1.26|1.27",
        "_libgcc_mutex", "numpy !=1.25",
    };

    [Theory]
    [MemberData(nameof(AcceptedSpecs))]
    public void TheGeneratedEnvironmentFileReadsBackToTheCanonicalSpecs(string spec)
    {
        using var dir = new TempDir();
        var result = Resolve(dir, $"channels: [conda-forge, \"https://conda.example/my-chan\"]\ndependencies:\n  - \"{spec}\"\n");
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        var d = result.Definition!;
        var yaml = new YamlStream();
        yaml.Load(new StringReader(DockerfileGenerator.EnvironmentYaml(d)));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        Assert.Equal(d.CondaChannels, ((YamlSequenceNode)root["channels"]).Children.Select(c => ((YamlScalarNode)c).Value));
        Assert.Equal(d.CondaPackages.Select(p => p.Spec), ((YamlSequenceNode)root["dependencies"]).Children.Select(c => ((YamlScalarNode)c).Value));
        // And that spelling parses back to itself: a second resolution changes nothing.
        Assert.True(MatchSpec.TryParse(d.CondaPackages[0].Spec, out var again, out _));
        Assert.Equal(d.CondaPackages[0].Spec, again.ToString());
        var dockerfile = DockerfileGenerator.Generate(d).Dockerfile;
        Assert.Equal(["FROM", "USER", "RUN", "ENV", "COPY", "RUN"], TestDockerfile.Parse(dockerfile).Select(i => i.Keyword));
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("quote \" and backslash \\")]
    [InlineData("line\nbreak")]
    [InlineData("crlf\r\n")]
    [InlineData("nel\u0085 ls\u2028 ps\u2029")]
    [InlineData("nul\0 esc\u001b tab\t")]
    [InlineData("# not a comment: {a: [b]}")]
    [InlineData("'single'")]
    public void EveryStringInTheGeneratedEnvironmentFileReadsBackExactly(string value)
    {
        // Hand-built, past validation: the writer alone must keep any string one YAML scalar.
        var d = new EnvironmentDefinition
        {
            Name = "x",
            Base = BaseSpec.FromImage("b:1"),
            Manager = EnvironmentManager.Conda,
            CondaChannels = [value],
            CondaPackages = [new("p", value)],
            PipPackages = [new("q", value, [])],
        };
        var yaml = new YamlStream();
        yaml.Load(new StringReader(DockerfileGenerator.EnvironmentYaml(d, includePip: true)));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        Assert.Equal([value], ((YamlSequenceNode)root["channels"]).Children.Select(c => ((YamlScalarNode)c).Value));
        var dependencies = ((YamlSequenceNode)root["dependencies"]).Children;
        Assert.Equal(value, ((YamlScalarNode)dependencies[0]).Value);
        var pip = (YamlSequenceNode)((YamlMappingNode)dependencies[2])["pip"];
        Assert.Equal([value], pip.Children.Select(c => ((YamlScalarNode)c).Value));
    }

    private static string Prefix(TempDir dir, string metaJson, string? metadata = null)
    {
        dir.Write("env/conda-meta/pkg-1.0-0.json", metaJson);
        if (metadata is not null)
        {
            dir.Write("env/lib/python3.11/site-packages/pkg-1.0.dist-info/INSTALLER", "pip\n");
            dir.Write("env/lib/python3.11/site-packages/pkg-1.0.dist-info/METADATA", metadata);
        }
        return Path.Combine(dir.Path, "env");
    }

    private static DefinitionResult ResolvePrefix(string prefix) =>
        DefinitionBuilder.Build(new DefinitionInputs { Name = "demo", Project = At, ExistingCondaEnvironments = [prefix] });

    [Theory]
    [InlineData("{\"name\":\"numpy\",\"version\":\"1.26.4\",\"build\":\"py311_0\",\"channel\":\"conda-forge\\n\"}", "MLENV1045")]
    [InlineData("{\"name\":\"numpy\",\"version\":\"1.26.4\",\"build\":\"py311_0\",\"channel\":\"https://conda.anaconda.org/conda-forge\\u2028/linux-64\"}", "MLENV1045")]
    [InlineData("{\"name\":\"numpy\",\"version\":\"1.26.4\",\"build\":\"py311_0\",\"channel\":\"https://user:s3cret@conda.example/c/linux-64\"}", "MLENV1051")]
    [InlineData("{\"name\":\"numpy\\n\",\"version\":\"1.26.4\"}", "MLENV1018")]
    [InlineData("{\"name\":\"numpy\",\"version\":\"1.26.4\\nRUN id\"}", "MLENV1018")]
    [InlineData("{\"name\":\"numpy\",\"version\":\"1.26.4\",\"build\":\"py311;id\"}", "MLENV1018")]
    [InlineData("{\"name\":\"numpy\"}", "MLENV1018")]
    [InlineData("[1, 2]", "MLENV1018")]
    [InlineData("{\"name\":", "MLENV1018")]
    [InlineData("{\"name\":\"numpy\",\"version\":\"1.26.4\",\"channel\":\"https://[bad\"}", "MLENV1018")]
    public void HostileCondaMetaRecordsGetOneExactCode(string json, string code)
    {
        using var dir = new TempDir();
        var error = Assert.Single(ResolvePrefix(Prefix(dir, json)).Diagnostics, d => d.IsError);
        Assert.Equal(code, error.Code);
        Assert.DoesNotContain("s3cret", error.ToString());
        Assert.Equal(-1, TextRules.FirstForbidden(error.Message));
    }

    [Theory]
    [InlineData("Name: pkg\nVersion: 1.0 --index-url=http://attacker/simple\n")]
    [InlineData("Name: pkg\nVersion: 1.0 #comment\n")]
    [InlineData("Name: pkg\nVersion: 1.0; python_version<'4'\n")]
    [InlineData("Name: pkg --index-url=http://attacker/simple\nVersion: 1.0\n")]
    [InlineData("Name: pkg\nVersion: 1.0\u2028x\n")]
    [InlineData("Name: pkg\n")]
    public void HostileDistInfoMetadataIsRefused(string metadata)
    {
        using var dir = new TempDir();
        var prefix = Prefix(dir, "{\"name\":\"numpy\",\"version\":\"1.26.4\",\"build\":\"py311_0\",\"channel\":\"https://conda.anaconda.org/conda-forge/linux-64\"}", metadata);
        var error = Assert.Single(ResolvePrefix(prefix).Diagnostics, d => d.IsError);
        Assert.Equal("MLENV1018", error.Code);
    }

    [Fact]
    public void AWellFormedPrefixResolvesPinned()
    {
        using var dir = new TempDir();
        var prefix = Prefix(dir, "{\"name\":\"numpy\",\"version\":\"1.26.4\",\"build\":\"py311_0\",\"channel\":\"https://conda.anaconda.org/conda-forge/linux-64\"}", "Name: pkg\nVersion: 1.0\n\nbody: --index-url=x\n");
        var d = Defs.Build(new DefinitionInputs { Name = "demo", Project = At, ExistingCondaEnvironments = [prefix] });
        Assert.Equal("conda-forge::numpy ==1.26.4 py311_0", Assert.Single(d.CondaPackages).Spec);
        Assert.Equal(["conda-forge"], d.CondaChannels);
        Assert.Equal("pkg==1.0", Assert.Single(d.PipPackages).Requirement);
    }

    [Fact]
    public void ANonRegularCondaMetaRecordIsRefusedWithoutBeingOpened()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "env", "conda-meta"));
        Directory.CreateDirectory(Path.Combine(dir.Path, "env", "conda-meta", "dir.json"));
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", Path.Combine(dir.Path, "env", "conda-meta", "pipe.json"))) mkfifo.WaitForExit();
        var errors = ResolvePrefix(Path.Combine(dir.Path, "env")).Diagnostics.Where(d => d.IsError).ToList();
        var error = Assert.Single(errors);
        Assert.Equal("MLENV1050", error.Code);
        Assert.Contains("FIFO", error.Message);
    }

    [Theory]
    [InlineData("INSTALLER")]
    [InlineData("METADATA")]
    public void ANonRegularDistInfoFileIsRefusedNotSkipped(string file)
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempDir();
        var prefix = Prefix(dir, "{\"name\":\"numpy\",\"version\":\"1.26.4\"}", "Name: pkg\nVersion: 1.0\n");
        var path = Path.Combine(prefix, "lib", "python3.11", "site-packages", "pkg-1.0.dist-info", file);
        File.Delete(path);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", path)) mkfifo.WaitForExit();
        var error = Assert.Single(ResolvePrefix(prefix).Diagnostics, d => d.IsError);
        Assert.Equal("MLENV1050", error.Code);
        Assert.Equal(path, error.File);
    }
}
