using System.Collections;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using MlEnv.Diagnostics;
using MlEnv.Tasks;

namespace MlEnv.Tests;

/// <summary>
/// In-process runs of MlEnv's tasks under a build engine whose task node lives in MlEnv's own targets, as in a real
/// build: every coded error must still name the user's project (or the file that defined the item) and its line.
/// </summary>
public sealed class TaskLocationTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("mlenv-tasklocations-").FullName;
    private readonly RecordingEngine engine = new();
    private string ProjectFile => Path.Combine(dir, "app.csproj");

    public TaskLocationTests()
    {
        File.WriteAllText(ProjectFile, """
            <Project Sdk="MlEnv.Sdk/0.1.0">
              <PropertyGroup>
                <MlEnvServicePort>0</MlEnvServicePort>
              </PropertyGroup>
              <ItemGroup>
                <MlEnvAptPackage Include="Bad Name" />
                <MlEnvVariable Include="1BAD" Value="x" />
              </ItemGroup>
            </Project>
            """);
    }

    private static ITaskItem Item(string spec, string definedIn, params (string Name, string Value)[] metadata) =>
        new DefinedItem(spec, metadata.Append(("DefiningProjectFullPath", definedIn)).ToDictionary(m => m.Item1, m => m.Item2));

    [Fact]
    public void ResolutionErrorsNameTheDefiningFileAndLineNotTheTargets()
    {
        var task = new ResolveMlEnvDefinition
        {
            BuildEngine = engine,
            ProjectFile = ProjectFile,
            Name = "app",
            OutputDirectory = Path.Combine(dir, "obj"),
            BaseImage = "mlenv-test/bookworm-python:1",
            AptPackages = [Item("Bad Name", ProjectFile)],
            Variables = [Item("1BAD", ProjectFile, ("Value", "x"))],
            UserManagedDependencies = "false",
        };
        Assert.False(task.Execute());
        Assert.Equal([("MLENV1011", ProjectFile, 6), ("MLENV1012", ProjectFile, 7)],
            engine.Errors.Select(e => (e.Code, e.File, e.LineNumber)).Order());
    }

    [Fact]
    public void ABadBooleanParameterIsACodedErrorNotAConversionFailure()
    {
        var task = new ResolveMlEnvDefinition { BuildEngine = engine, ProjectFile = ProjectFile, Name = "app", OutputDirectory = dir, UserManagedDependencies = "banana" };
        Assert.False(task.Execute());
        var error = Assert.Single(engine.Errors);
        Assert.Equal(("MLENV1055", ProjectFile), (error.Code, error.File));
        Assert.Contains("MlEnvUserManagedDependencies", error.Message);
    }

    [Fact]
    public void PropertyValidationPointsAtTheElement()
    {
        var task = new ValidateMlEnvProperties
        {
            BuildEngine = engine,
            ProjectFile = ProjectFile,
            Properties = [Item("MlEnvServicePort", ProjectFile, ("Value", "0")), Item("MlEnvRegister", ProjectFile, ("Value", "banana"))],
        };
        Assert.False(task.Execute());
        Assert.Equal([("MLENV1055", 0), ("MLENV1056", 3)], engine.Errors.Select(e => (e.Code, e.LineNumber)).Order());
        Assert.All(engine.Errors, e => Assert.Equal(ProjectFile, e.File));
    }

    [Fact]
    public void ADiagnosticNamingMlEnvsOwnTargetsIsMovedToTheProject()
    {
        var log = new TaskLoggingHelper(engine, "test");
        log.Log(DiagnosticCatalog.InvalidLabel.Create("x", "y").At("/somewhere/build/MlEnv.Sdk.targets", 120, 5), ProjectFile);
        log.Log(DiagnosticCatalog.InvalidLabel.Create("x", "y"), ProjectFile);
        Assert.All(engine.Errors, e => Assert.Equal((ProjectFile, 0), (e.File, e.LineNumber)));
        Assert.Equal(2, engine.Errors.Count);
    }

    [Fact]
    public void AnUnwritablePublishManifestIsACodedErrorAtTheProject()
    {
        var task = new WriteMlEnvPublishManifest
        {
            BuildEngine = engine,
            ProjectFile = ProjectFile,
            OutputFile = Path.Combine(ProjectFile, "publish", "mlenv.json"),   // under a file, not a folder
            Name = "app",
            Image = new TaskItem("mlenv/app:0123456789ab"),
        };
        Assert.False(task.Execute());
        var error = Assert.Single(engine.Errors);
        Assert.Equal(("MLENV1060", ProjectFile), (error.Code, error.File));
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>An item as MSBuild hands it to a task, with the well-known DefiningProjectFullPath that TaskItem will not set.</summary>
    private sealed class DefinedItem(string spec, Dictionary<string, string> metadata) : ITaskItem
    {
        public string ItemSpec { get; set; } = spec;
        public ICollection MetadataNames => metadata.Keys;
        public int MetadataCount => metadata.Count;
        public string GetMetadata(string metadataName) => metadata.GetValueOrDefault(metadataName) ?? "";
        public void SetMetadata(string metadataName, string metadataValue) => metadata[metadataName] = metadataValue;
        public void RemoveMetadata(string metadataName) => metadata.Remove(metadataName);
        public void CopyMetadataTo(ITaskItem destinationItem) { }
        public IDictionary CloneCustomMetadata() => new Dictionary<string, string>(metadata);
    }

    /// <summary>A build engine that records what tasks log; its task node is MlEnv's targets, as in a real build.</summary>
    private sealed class RecordingEngine : IBuildEngine
    {
        public List<BuildErrorEventArgs> Errors { get; } = [];
        public bool ContinueOnError => false;
        public int LineNumberOfTaskNode => 120;
        public int ColumnNumberOfTaskNode => 5;
        public string ProjectFileOfTaskNode => "/packages/mlenv.sdk/0.1.0/build/MlEnv.Sdk.targets";
        public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) => false;
        public void LogCustomEvent(CustomBuildEventArgs e) { }
        public void LogErrorEvent(BuildErrorEventArgs e) => Errors.Add(e);
        public void LogMessageEvent(BuildMessageEventArgs e) { }
        public void LogWarningEvent(BuildWarningEventArgs e) { }
    }
}
