using System.Diagnostics;
using MlEnv.Definition;
using MlEnv.Diagnostics;
using MlEnv.Generation;
using MlEnv.Specs;
using MlEnv.Tasks;

namespace MlEnv.Tests;

/// <summary>
/// Every input path the definition reads, fed the same hostile payloads: each ends, within seconds, in a coded
/// MLENV error at the user's file, or in generated files that hold the value safely (no forbidden character, no
/// pip option or comment of the user's, no extra line).
/// </summary>
public class InputPathSweepTests
{
    private static readonly string Nested = new string('[', 100_000) + new string(']', 100_000);
    private static readonly string Long = new('a', 1_000_000);

    public static TheoryData<string, string> Cases()
    {
        var payloads = new Dictionary<string, string>
        {
            ["newline"] = "\n",
            ["ls"] = "\u2028",
            ["nul"] = "\0",
            ["comment"] = " #x",
            ["option"] = " --index-url=x",
            ["nested"] = Nested,
            ["long"] = Long,
        };
        var data = new TheoryData<string, string>();
        foreach (var path in Paths.Keys)
            foreach (var payload in payloads)
                data.Add(path, payload.Key);
        return data;
    }

    private static string Payload(string name) => name switch
    {
        "newline" => "\n",
        "ls" => "\u2028",
        "nul" => "\0",
        "comment" => " #x",
        "option" => " --index-url=x",
        "nested" => Nested,
        _ => Long,
    };

    private const string Project = "/proj/demo.csproj";
    private static readonly SourceLocation At = new(Project, 5, 6);

    // Each path: how a payload p reaches the builder; files are written under the temp folder d.
    private static readonly Dictionary<string, Action<DefinitionInputs, string, TempDir>> Paths = new()
    {
        ["pip item name"] = (i, p, _) => i.PipPackages.Add(new("six" + p, null, null, null, At)),
        ["pip item version"] = (i, p, _) => i.PipPackages.Add(new("six", "1.16.0" + p, null, null, At)),
        ["pip item extras"] = (i, p, _) => i.PipPackages.Add(new("six", null, "a" + p, null, At)),
        ["pip item markers"] = (i, p, _) => i.PipPackages.Add(new("six", null, null, "os_name == 'a" + p + "'", At)),
        ["pip item url"] = (i, p, _) => i.PipPackages.Add(new("six @ https://host/six-1.0.tar.gz" + p, null, null, null, At)),
        ["requirements line"] = (i, p, d) => i.PipRequirements.Add(d.Write("requirements.txt", "six==1.16.0" + p + "\nidna\n")),
        ["requirements marker"] = (i, p, d) => i.PipRequirements.Add(d.Write("requirements.txt", "six; os_name == 'a" + p + "'\n")),
        ["environment.yml pip"] = (i, p, d) => i.CondaSpecifications.Add(d.Write("environment.yml", "dependencies:\n  - pip:\n    - \"six" + Yaml(p) + "\"\n")),
        ["environment.yml conda"] = (i, p, d) => i.CondaSpecifications.Add(d.Write("environment.yml", "dependencies:\n  - \"numpy" + Yaml(p) + "\"\n")),
        ["environment.yml channel"] = (i, p, d) => i.CondaSpecifications.Add(d.Write("environment.yml", "channels:\n  - \"conda-forge" + Yaml(p) + "\"\ndependencies:\n  - numpy\n")),
        ["environment.yml variable"] = (i, p, d) => i.CondaSpecifications.Add(d.Write("environment.yml", "dependencies:\n  - numpy\nvariables:\n  \"FOO" + Yaml(p) + "\": \"1\"\n")),
        ["environment.yml raw"] = (i, p, d) => i.CondaSpecifications.Add(d.Write("environment.yml", "dependencies:\n  - numpy" + p + "\n")),
        ["conda item"] = (i, p, _) => i.CondaPackages.Add(new("num" + p + "py", null, null, null, At)),
        ["conda channel item"] = (i, p, _) => i.CondaChannels.Add(("conda-forge" + p, At)),
        ["apt item"] = (i, p, _) => i.AptPackages.Add(new("cu" + p + "rl", null, At)),
        ["variable name"] = (i, p, _) => i.Variables.Add(new("FOO" + p, "1", At)),
        ["variable value"] = (i, p, _) => i.Variables.Add(new("FOO", "1" + p, At)),
        ["label key"] = (i, p, _) => i.Labels.Add(new("com.example" + p, "1", At)),
        ["label value"] = (i, p, _) => i.Labels.Add(new("com.example", "1" + p, At)),
        ["extra index url"] = (i, p, _) => i.PipExtraIndexUrls.Add(("https://host/simple" + p, At)),
        ["find-links url"] = (i, p, _) => i.PipFindLinks.Add(("https://host/links" + p, At)),
        ["base Dockerfile"] = (i, p, d) => { },
    };

    private static string Yaml(string p) => p.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\0", "\\0").Replace("\u2028", "\\L");

    [Theory]
    [MemberData(nameof(Cases))]
    public void EndsInACodedErrorAtTheUsersFileOrASafeValue(string path, string payloadName)
    {
        var payload = Payload(payloadName);
        using var dir = new TempDir();
        var inputs = new DefinitionInputs { Name = "demo", Project = new SourceLocation(Project), BaseImage = "debian:bookworm-slim" };
        if (path == "base Dockerfile")
            inputs = new DefinitionInputs { Name = "demo", Project = new SourceLocation(Project), BaseDockerfile = dir.Write("Dockerfile", "FROM debian:bookworm\nRUN echo a" + payload + "\n") };
        else Paths[path](inputs, payload, dir);

        var watch = Stopwatch.StartNew();
        var result = DefinitionBuilder.Build(inputs);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"{path}/{payloadName}: {watch.Elapsed}");

        var errors = result.Diagnostics.Where(d => d.IsError).ToList();
        if (!result.Success)
        {
            Assert.NotEmpty(errors);
            foreach (var e in errors)
            {
                Assert.StartsWith("MLENV", e.Code);
                Assert.True(e.File == Project || (e.File ?? "").StartsWith(dir.Path, StringComparison.Ordinal), $"{e.Code} at {e.File}");
                Assert.True(TextRules.FirstForbidden(e.Message) < 0, $"{e.Code}: raw control character in the message");
            }
            return;
        }
        // Accepted: every generated file is free of forbidden characters, and pip reads no option or comment of ours.
        var build = DockerfileGenerator.Generate(result.Definition!);
        Assert.True(TextRules.FirstForbidden(build.Dockerfile.Replace("\n", "")) < 0, "Dockerfile");
        var requirements = DockerfileGenerator.RequirementsText(result.Definition!);
        Assert.True(TextRules.FirstForbidden(requirements.Replace("\n", "")) < 0, "requirements.txt");
        Assert.DoesNotContain("--index-url=x", requirements);
        Assert.DoesNotContain(" #x", requirements);
        var yaml = DockerfileGenerator.EnvironmentYaml(result.Definition!, includePip: true);
        Assert.True(TextRules.FirstForbidden(yaml.Replace("\n", "")) < 0, "environment.yml");
        Assert.True(requirements.Split('\n').Length <= 4, requirements.Length > 200 ? requirements[..200] : requirements);
    }

    [Theory]
    [InlineData("newline")]
    [InlineData("ls")]
    [InlineData("nul")]
    [InlineData("comment")]
    [InlineData("option")]
    [InlineData("nested")]
    [InlineData("long")]
    public void EveryPropertyValueEndsInACodeOrIsAccepted(string payloadName)
    {
        var payload = Payload(payloadName);
        foreach (var name in new[] { "MlEnvPythonVersion", "MlEnvBaseImage", "MlEnvDockerHost", "MlEnvServicePort", "MlEnvShmSize", "MlEnvPipIndexUrl", "MlEnvRegistry", "MlEnvName", "MlEnvCondaExecutable", "MlEnvBuildImage" })
        {
            var value = name switch
            {
                "MlEnvPythonVersion" => "3.11",
                "MlEnvBaseImage" => "debian:bookworm",
                "MlEnvDockerHost" => "unix:///var/run/docker.sock",
                "MlEnvServicePort" => "5001",
                "MlEnvShmSize" => "2g",
                "MlEnvPipIndexUrl" => "https://host/simple",
                "MlEnvRegistry" => "localhost:5000",
                "MlEnvName" => "demo",
                "MlEnvCondaExecutable" => "micromamba",
                _ => "true",
            } + payload;
            var watch = Stopwatch.StartNew();
            var found = PropertyValidation.Validate(new Dictionary<string, string?> { [name] = value });
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{name}: {watch.Elapsed}");
            // A forbidden character is always a code; other payloads may make a valid value (a longer socket path).
            if (TextRules.FirstForbidden(payload) >= 0) Assert.Contains(found, f => f.Property == name);
            foreach (var d in found)
            {
                Assert.StartsWith("MLENV", d.Diagnostic.Code);
                Assert.True(TextRules.FirstForbidden(d.Diagnostic.Message) < 0, $"{name}: raw control character in the message");
            }
        }
    }
}
