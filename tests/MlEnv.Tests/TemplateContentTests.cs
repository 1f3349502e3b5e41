using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using MlEnv.Generation;

namespace MlEnv.Tests;

/// <summary>
/// The `dotnet new` templates' files, without the template engine: they show every name MlEnv's own scaffold shows,
/// every replacement token is one a symbol fills, and the escaping steps a free-text value goes through leave no XML or
/// MSBuild syntax for any value (the template engine applies them with .NET's Regex.Replace, as here).
/// </summary>
public sealed partial class TemplateContentTests
{
    private static readonly string Content = Path.Combine(GoldenVectorTests.FindRepoRoot(), "src", "MlEnv.Templates", "content");
    public static TheoryData<string> Templates => new(["mlenv", "mlenv-scoring"]);

    [GeneratedRegex("<(MlEnv[A-Za-z]+)[ >]")]
    private static partial Regex MlEnvElement();

    [GeneratedRegex("MLENV_[A-Z_]+")]
    private static partial Regex Token();

    private static string ProjectText(string template) => File.ReadAllText(Directory.EnumerateFiles(Path.Combine(Content, template), "*.csproj").Single());

    private static JsonElement Config(string template) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Content, template, ".template.config", "template.json"))).RootElement.Clone();

    [Theory]
    [MemberData(nameof(Templates))]
    public void EveryNameTheScaffoldShowsIsInTheTemplate(string template)
    {
        var names = MlEnvElement().Matches(ProjectText(template)).Select(m => m.Groups[1].Value).ToHashSet();
        var scaffold = MlEnvElement().Matches(Scaffold.Project("1.0.0")).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.NotEmpty(scaffold);
        Assert.All(scaffold, name => Assert.Contains(name, names));
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void EveryTokenIsFilledByASymbolAndTheResultIsAProject(string template)
    {
        var config = Config(template);
        var replaces = config.GetProperty("symbols").EnumerateObject()
            .Where(s => s.Value.TryGetProperty("replaces", out _)).ToDictionary(s => s.Value.GetProperty("replaces").GetString()!, s => s.Name);
        var files = Directory.EnumerateFiles(Path.Combine(Content, template), "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains(".template.config", StringComparison.Ordinal)).ToList();
        var words = files.SelectMany(f => Token().Matches(File.ReadAllText(f)).Select(m => m.Value)).ToHashSet();
        Assert.Equal(replaces.Keys.Order(StringComparer.Ordinal), words.Intersect(replaces.Keys).Order(StringComparer.Ordinal));
        // The engine replaces a token inside a longer word too: MLENV_MODEL_DIR and the like must not contain one.
        Assert.All(words.Except(replaces.Keys), word => Assert.DoesNotContain(replaces.Keys, word.Contains));
        Assert.Equal("0.0.0-mlenv-templates-version", config.GetProperty("symbols").GetProperty("SdkVersion").GetProperty("defaultValue").GetString());

        // Filled in, with the engine's #if/#else/#endif lines dropped (both branches stay), the project is XML whose
        // Sdk is MlEnv.Sdk at the given version.
        var text = string.Join('\n', ProjectText(template).Split('\n').Where(l => !l.TrimStart().StartsWith("<!--#", StringComparison.Ordinal)))
            .Replace("MLENV_SDK_VERSION", "1.2.3").Replace("MLENV_PYTHON_VERSION", "3.11").Replace("MLENV_BASE_IMAGE", "python:3.11");
        var project = XElement.Parse(text);
        Assert.Equal("MlEnv.Sdk/1.2.3", project.Attribute("Sdk")?.Value);
        Assert.Equal("3.11", project.Element("PropertyGroup")?.Element("MlEnvPythonVersion")?.Value);
        Assert.Null(project.Element("PropertyGroup")?.Element("MlEnvName")); // MlEnv's default: the project name, lower-cased
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void ThePythonVersionIsAChoiceOfWhatTheDefaultImagesProvide(string template)
    {
        var python = Config(template).GetProperty("symbols").GetProperty("PythonVersion");
        Assert.Equal("choice", python.GetProperty("datatype").GetString());
        Assert.Equal("3.11", python.GetProperty("defaultValue").GetString());
        Assert.Equal(["3.9", "3.10", "3.11", "3.12", "3.13"], python.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("choice").GetString()));
    }

    public static TheoryData<string> NastyValues => new([
        "\"/><x", "a</MlEnvBaseImage><MlEnvBuildImage>true</MlEnvBuildImage>", "$(HOME)", "@(None)", "%(Identity)", "%24(HOME)",
        "a;b", "'x'", "*?", "&amp;", "&lt;", "a\tb\nc\rd", "\u0001\u001f\u007f", "]]><!--", "é✓", "python:3.11.10-slim-bookworm",
    ]);

    [Theory]
    [MemberData(nameof(NastyValues))]
    public void AFreeTextValueReachesTheProjectAsTheLiteralTyped(string value)
    {
        foreach (var template in new[] { "mlenv", "mlenv-scoring" })
            foreach (var symbol in new[] { "SdkVersionEncoded", "BaseImageEncoded" })
            {
                var encoded = Config(template).GetProperty("symbols").GetProperty(symbol).GetProperty("parameters").GetProperty("steps").EnumerateArray()
                    .Aggregate(value, (v, step) => Regex.Replace(v, step.GetProperty("regex").GetString()!, step.GetProperty("replacement").GetString()!));
                // In an attribute and in element text alike: one element, no other node, nothing MSBuild would expand.
                var element = XElement.Parse($"<Project Sdk=\"MlEnv.Sdk/{encoded}\"><MlEnvBaseImage>{encoded}</MlEnvBaseImage></Project>");
                Assert.Equal(["MlEnvBaseImage"], element.Nodes().Select(n => Assert.IsType<XElement>(n).Name.LocalName));
                var text = element.Element("MlEnvBaseImage")!.Value;
                Assert.Equal(text, element.Attribute("Sdk")!.Value["MlEnv.Sdk/".Length..]);
                Assert.DoesNotMatch("[$@;'*?\\x00-\\x1F\\x7F]|%(?![0-9A-F]{2})", text);
                // MSBuild unescapes %XX once; control characters other than tab, LF and CR come back as one marker.
                var expected = Regex.Replace(value, "[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]", "\u001a");
                Assert.Equal(expected, Uri.UnescapeDataString(text));
            }
    }
}
