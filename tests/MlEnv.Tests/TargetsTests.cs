using System.Xml.Linq;
using MlEnv.Definition;
using MlEnv.Tasks;

namespace MlEnv.Tests;

/// <summary>
/// The SDK's targets keep diagnostics at the user's project: an &lt;Error&gt; without File names the targets file,
/// and a task's own fallback (BuildEngine.ProjectFileOfTaskNode) is the targets file too.
/// </summary>
public class TargetsTests
{
    /// <summary>Every targets file of the SDK (MlEnv.Sdk.targets imports one per concern), as one document.</summary>
    private static readonly XDocument Targets = new(new XElement("All",
        Directory.GetFiles(Path.Combine(GoldenVectorTests.FindRepoRoot(), "src", "MlEnv.Sdk", "build"), "*.targets").Order(StringComparer.Ordinal)
            .Select(f => XDocument.Load(f).Root)));

    [Fact]
    public void EveryCodedErrorInTheTargetsNamesTheProjectFile()
    {
        var errors = Targets.Descendants().Where(e => e.Name.LocalName is "Error" or "Warning").ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, e =>
        {
            Assert.StartsWith("MLENV", (string?)e.Attribute("Code") ?? "");
            Assert.Equal("$(MSBuildProjectFullPath)", (string?)e.Attribute("File"));
        });
    }

    [Fact]
    public void EveryMlEnvTaskIsToldTheProjectFile()
    {
        var taskTypes = typeof(MlEnvTask).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(MlEnvTask)) && !t.IsAbstract).Select(t => t.Name).ToHashSet();
        var calls = Targets.Descendants().Where(e => taskTypes.Contains(e.Name.LocalName)).ToList();
        Assert.True(calls.Count >= 12, $"{calls.Count} task calls");
        Assert.All(calls, c => Assert.True((string?)c.Attribute("ProjectFile") == "$(MSBuildProjectFullPath)", c.Name.LocalName));
        // Every task that reports diagnostics is an MlEnvTask (CheckMlEnvImage reports none).
        var others = Targets.Descendants().Where(e => e.Parent?.Name.LocalName == "Target" && typeof(MlEnvTask).Assembly.GetType("MlEnv.Tasks." + e.Name.LocalName) is { } t && !t.IsSubclassOf(typeof(MlEnvTask)))
            .Select(e => e.Name.LocalName).Distinct().Order();
        Assert.Equal(["CheckMlEnvImage"], others);
    }

    [Fact]
    public void EveryPropertyTheValidatorChecksIsHandedToItByTheTargets()
    {
        var handed = Targets.Descendants().Where(e => e.Name.LocalName == "_MlEnvPropertyValue" && e.Attribute("Include") is not null)
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string?)e.Attribute("Value"));
        foreach (var name in PropertyValidation.Booleans.Concat(PropertyValidation.Paths).Concat(["MlEnvServicePort", "MlEnvDockerHost", "DOCKER_HOST", "MlEnvShmSize", "MlEnvBuildNetwork", "MlEnvRunArguments", "MlEnvImageRepository", "MlEnvServiceImageRepository", "MlEnvRegistry", "MlEnvImageTags"]))
            Assert.Equal($"$({name})", handed.GetValueOrDefault(name));
    }
}
