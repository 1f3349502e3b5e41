using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

/// <summary>
/// `dotnet new mlenv` and `dotnet new mlenv-scoring` from the packed MlEnv.Templates, installed into a template cache
/// of the test's own: the scaffolded projects restore MlEnv.Sdk from the run's feed and build; values typed on the
/// command line cannot add XML or MSBuild syntax to the project.
/// </summary>
[Collection("docker")]
public sealed class TemplateTests : IClassFixture<TemplatePackage>, IDisposable
{
    private static readonly string[] PythonVersions = ["3.9", "3.10", "3.11", "3.12", "3.13"];
    private readonly SdkPackage sdk;
    private readonly TemplatePackage templates;
    private readonly string workspace = Directory.CreateTempSubdirectory("mlenv-template-ws-").FullName;
    private readonly List<string> containers = [];
    // Made by the engine tests only; removed after their containers, since an image a running container uses stays.
    private Infrastructure.Images? images;

    public TemplateTests(SdkPackage sdk, TemplatePackage templates)
    {
        this.sdk = sdk;
        this.templates = templates;
        templates.EnsureInstalled(sdk);
        // What a repository around the new project would hold: the feed with the run's MlEnv.Sdk, and the run's store
        // and label so nothing reaches the user's store and the run's clean-up finds every image.
        File.WriteAllText(Path.Combine(workspace, "nuget.config"), sdk.NuGetConfig);
        File.WriteAllText(Path.Combine(workspace, "global.json"), "{ \"sdk\": { \"version\": \"10.0.100\", \"rollForward\": \"latestFeature\" } }");
        WriteDirectoryBuildProps();
    }

    private void WriteDirectoryBuildProps(string? baseImage = null) =>
        File.WriteAllText(Path.Combine(workspace, "Directory.Build.props"), new XElement("Project",
            new XElement("PropertyGroup",
                new XElement("MlEnvStore", sdk.Store),
                baseImage is null ? null : new XElement("MlEnvBaseImage", baseImage)),
            new XElement("ItemGroup", new XElement("MlEnvLabel", new XAttribute("Include", Infrastructure.Images.RunLabel), new XAttribute("Value", sdk.RunId)))).ToString());

    private DotnetResult New(params string[] args) => templates.New(workspace, [.. args, "--no-update-check"]);

    /// <summary>`dotnet new template -n name -o name ...`, which must succeed; returns the project file.</summary>
    private string Scaffold(string template, string name, params string[] args)
    {
        var result = New([template, "-n", name, "-o", name, .. args]);
        Assert.True(result.ExitCode == 0, result.Output);
        var project = Path.Combine(workspace, name, name + ".csproj");
        Assert.True(File.Exists(project), result.Output);
        return project;
    }

    private DotnetResult Run(params string[] args) =>
        Dotnet.Run(workspace, args, new Dictionary<string, string> { ["NUGET_PACKAGES"] = sdk.PackagesFolder });

    /// <summary>An engine-free build (MlEnvBuildImage=false): the definition without an image.</summary>
    private JsonElement BuildDefinition(string project)
    {
        var build = Run("build", project, "-nologo", "-v:n", "-p:MlEnvBuildImage=false");
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.DoesNotContain(BuildDiagnostic.Parse(build.Output), d => d.Severity != "message");
        var definition = Path.Combine(Path.GetDirectoryName(project)!, "obj", "Debug", "mlenv", "definition.json");
        return JsonDocument.Parse(File.ReadAllText(definition)).RootElement.Clone();
    }

    private string Property(string project, string name)
    {
        var result = Run("msbuild", project, "-nologo", $"-getProperty:{name}");
        Assert.True(result.ExitCode == 0, result.Output);
        return result.Output.Trim();
    }

    private static void AssertTheDeclaredEnvironment(JsonElement definition, string python)
    {
        Assert.Equal(python, definition.GetProperty("python").GetString());
        Assert.Equal(["pandas==2.2.3", "scikit-learn==1.5.2"],
            definition.GetProperty("pip").GetProperty("packages").EnumerateArray().Select(p => p.GetProperty("requirement").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(["libgomp1"], definition.GetProperty("apt").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.Equal("1", definition.GetProperty("variables").GetProperty("OMP_NUM_THREADS").GetString());
    }

    [Fact]
    public void HelpListsEveryParameterWithItsChoicesAndDefaults()
    {
        foreach (var template in new[] { "mlenv", "mlenv-scoring" })
        {
            var help = New(template, "--help");
            Assert.True(help.ExitCode == 0, help.Output);
            var options = help.Output[help.Output.IndexOf("Template options:", StringComparison.Ordinal)..];
            Assert.Matches(@"--python-version <choice>[\s\S]*Default: 3\.11\s", options);
            foreach (var version in PythonVersions) Assert.Matches($@"\n\s+{Regex.Escape(version)}\s+Python {Regex.Escape(version)}\s", options);
            // The default SDK version is the version the template package was packed with, i.e. the run's MlEnv.Sdk.
            Assert.Matches($@"--sdk-version <sdk-version>[\s\S]*Default: {Regex.Escape(sdk.Version)}\s", options);
            Assert.Contains("--base-image <base-image>", options);
        }
    }

    [Fact]
    public void TheEnvironmentTemplateMakesAProjectThatBuildsItsDeclaredEnvironment()
    {
        var project = Scaffold("mlenv", "Foo", "--sdk-version", sdk.Version);
        var xml = XElement.Load(project);
        Assert.Equal($"MlEnv.Sdk/{sdk.Version}", xml.Attribute("Sdk")?.Value);
        Assert.Empty(xml.Descendants("MlEnvBaseImage")); // only with --base-image; MlEnv's default otherwise

        var definition = BuildDefinition(project);
        AssertTheDeclaredEnvironment(definition, "3.11");
        // No base image given: MlEnv's pinned default for the template's python version.
        Assert.StartsWith("python:3.11.", definition.GetProperty("base").GetProperty("image").GetString());
        // The environment is named after the project, lower-cased, without the template setting MlEnvName.
        Assert.Equal("foo", Property(project, "MlEnvName"));
    }

    [Fact]
    public void PythonVersionAndBaseImageReachTheDefinition()
    {
        var project = Scaffold("mlenv", "Baz", "--python-version", "3.12", "--base-image", "python:3.12.7-slim-bookworm");
        var definition = BuildDefinition(project);
        AssertTheDeclaredEnvironment(definition, "3.12");
        Assert.Equal("python:3.12.7-slim-bookworm", definition.GetProperty("base").GetProperty("image").GetString());
    }

    [Fact]
    public void TheScoringTemplateScaffoldsScriptModelAndReadmeAndBuilds()
    {
        // No --sdk-version: the default is the SDK version these templates shipped with, the run's feed has it.
        var project = Scaffold("mlenv-scoring", "Bar");
        var directory = Path.GetDirectoryName(project)!;
        Assert.Equal($"MlEnv.Sdk/{sdk.Version}", XElement.Load(project).Attribute("Sdk")?.Value);
        Assert.Equal(["Bar.csproj", "README.md", "model/linear.json", "score.py"],
            Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(directory, f).Replace('\\', '/')).Order(StringComparer.Ordinal));
        var readme = File.ReadAllText(Path.Combine(directory, "README.md"));
        Assert.StartsWith("# Bar\n", readme);
        Assert.Contains($"MlEnv.Sdk {sdk.Version}, python 3.11", readme);
        Assert.Contains("dotnet publish", readme);
        Assert.Contains("POST", readme);

        AssertTheDeclaredEnvironment(BuildDefinition(project), "3.11");
        Assert.Equal("bar", Property(project, "MlEnvName"));
        Assert.Equal("score.py", Property(project, "MlEnvScoringScript"));
    }

    [Fact]
    public void APythonVersionOutsideTheChoicesIsRefusedAndWritesNothing()
    {
        foreach (var template in new[] { "mlenv", "mlenv-scoring" })
        {
            var result = New(template, "-n", "Evil", "-o", "Evil", "--python-version", "\"/><x");
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("is not a valid value for --python-version", result.Output);
            Assert.False(Directory.Exists(Path.Combine(workspace, "Evil")), result.Output);
        }
    }

    /// <summary>
    /// Free-text values (the SDK version, the base image) cannot be a choice: they reach the project escaped, as the
    /// literal the user typed, with no element, attribute or MSBuild expansion of their own; MlEnv's property checks
    /// then refuse a bad base image with its code at the project file.
    /// </summary>
    [Fact]
    public void FreeTextValuesReachTheProjectAsInertLiterals()
    {
        const string sdkVersion = "1.0\"/><Import Project=\"/etc/passwd\"/><x a=\"";
        const string baseImage = "x</MlEnvBaseImage><MlEnvBuildImage>true</MlEnvBuildImage><y a='$(HOME)' b='@(None)' c='%(Identity)';*?&\tz";
        foreach (var (template, name) in new[] { ("mlenv", "Inj"), ("mlenv-scoring", "InjService") })
        {
            var project = Scaffold(template, name, "--sdk-version", sdkVersion, "--base-image", baseImage);
            var xml = XElement.Load(project);
            Assert.Equal(["Sdk"], xml.Attributes().Select(a => a.Name.LocalName));
            Assert.Equal("MlEnv.Sdk/" + sdkVersion, xml.Attribute("Sdk")!.Value);
            Assert.Empty(xml.Elements("Import"));
            Assert.Equal(template == "mlenv" ? ["MlEnvPythonVersion", "MlEnvBaseImage"] : ["MlEnvPythonVersion", "MlEnvBaseImage", "MlEnvScoringScript"],
                xml.Elements("PropertyGroup").Elements().Select(e => e.Name.LocalName));
            // MSBuild's %XX escapes: MSBuild reads back exactly what was typed, never a property, item or metadata.
            var escaped = xml.Element("PropertyGroup")!.Element("MlEnvBaseImage")!.Value;
            Assert.DoesNotMatch("[$@;'*?\t]|%\\(", escaped);
            Assert.Equal(baseImage, Uri.UnescapeDataString(escaped));
        }

        // With a real SDK version, the escaped base image is the literal MlEnv checks: refused with its code.
        var buildable = Scaffold("mlenv", "InjBuild", "--sdk-version", sdk.Version, "--base-image", baseImage);
        var build = Run("build", buildable, "-nologo", "-p:MlEnvBuildImage=false");
        Assert.NotEqual(0, build.ExitCode);
        var error = Assert.Single(BuildDiagnostic.Errors(build));
        Assert.Equal(("MLENV1024", buildable), (error.Code, error.File));
        Assert.Contains("$(HOME)", build.Output);
    }

    /// <summary>
    /// The scoring template for real: the environment image FROM the offline base image, the service image, and an
    /// answer from POST /score computed by the template's score.py from its model. This machine reaches no PyPI, so the
    /// workspace's Directory.Build.targets removes the template's pip packages (an MSBuild override from outside, as a
    /// CI would make; the scaffolded files stay as users get them, and the engine-free tests above prove those pip
    /// packages reach the definition); apt reaches Debian, so libgomp1 is installed for real.
    /// </summary>
    [DockerFact]
    public async Task TheScoringTemplatePublishesAServiceThatAnswers()
    {
        var images = this.images = new Infrastructure.Images(sdk.RunId);
        WriteDirectoryBuildProps(TestEnvironment.BaseImage);
        File.WriteAllText(Path.Combine(workspace, "Directory.Build.targets"),
            "<Project><ItemGroup><MlEnvPipPackage Remove=\"@(MlEnvPipPackage)\" /></ItemGroup></Project>");
        var project = Scaffold("mlenv-scoring", "Scorer");
        var directory = Path.GetDirectoryName(project)!;

        var build = Run("build", project, "-nologo", "-v:n");
        Assert.True(build.ExitCode == 0, build.Output);
        var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "bin", "Debug", "mlenv.json"))).RootElement;
        Assert.Equal("scorer", manifest.GetProperty("name").GetString());
        var environment = manifest.GetProperty("image").GetString()!;
        var config = (await images.InspectAsync(environment))?.Config;
        Assert.NotNull(config);
        Assert.NotNull(config.Labels);
        Assert.Equal(sdk.RunId, config.Labels[Infrastructure.Images.RunLabel]);
        Assert.Contains("OMP_NUM_THREADS=1", config.Env ?? []);
        Assert.Contains("Status: install ok installed", BuildTests.Docker("run", "--rm", "--label", $"{Infrastructure.Images.RunLabel}={sdk.RunId}", environment, "dpkg", "-s", "libgomp1"));

        var publish = Run("publish", project, "-nologo", "-v:n");
        Assert.True(publish.ExitCode == 0, publish.Output);
        var service = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "bin", "Debug", "publish", "mlenv.json"))).RootElement
            .GetProperty("serviceImage").GetString()!;
        var url = Serve(service);
        using var http = new HttpClient();
        var answer = await http.PostAsync($"{url}/score", new StringContent("{\"data\": [[1.0, 2.0], [3.0, 0.5]]}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("{\"predictions\": [0.5, 6.0]}", await answer.Content.ReadAsStringAsync());
        var bad = await http.PostAsync($"{url}/score", new StringContent("not json", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private string Serve(string image) => ScoringContainer.Serve(image, sdk.RunId, containers);

    public void Dispose()
    {
        foreach (var c in containers) { try { BuildTests.Docker("rm", "-f", c); } catch (Xunit.Sdk.XunitException) { } }
        images?.Dispose();
        try { Directory.Delete(workspace, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
