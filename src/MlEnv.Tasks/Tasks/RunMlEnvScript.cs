using Microsoft.Build.Framework;
using MlEnv.Definition;
using MlEnv.Diagnostics;
using MlEnv.Engine;
using MlEnv.Images;
using MlEnv.Runs;
using MlEnv.Store;

namespace MlEnv.Tasks;

/// <summary>-t:MlEnvRun: the environment image, a script and its arguments in; run.json and the outputs out.</summary>
public sealed class RunMlEnvScript : EngineTask
{
    [Required] public ITaskItem Image { get; set; } = null!;
    [Required] public string Name { get; set; } = "";
    [Required] public string Script { get; set; } = "";
    [Required] public string ProjectDirectory { get; set; } = "";
    [Required] public string RunsDirectory { get; set; } = "";
    [Required] public string DefinitionDirectory { get; set; } = "";
    public string? Arguments { get; set; }
    public string? ShmSize { get; set; }
    public string? Store { get; set; }
    public ITaskItem[] Variables { get; set; } = [];
    public ITaskItem[] Volumes { get; set; } = [];

    [Output] public string RunDirectory { get; private set; } = "";

    protected override async System.Threading.Tasks.Task RunAsync(DockerEngine engine, IBuildOutput output, CancellationToken ct)
    {
        var script = Script.Trim();
        if (Path.IsPathRooted(script) || script.Split('/', '\\').Contains("..") || !File.Exists(Path.Combine(ProjectDirectory, script)))
        {
            Report(DiagnosticCatalog.InvalidRunInput.Create(script, "MlEnvRunScript must be a file inside the project directory"));
            return;
        }
        if (PropertyValidation.ParseSize(ShmSize) is not { } shm)
        {
            Report(DiagnosticCatalog.InvalidRunInput.Create(PropertyValidation.Visible(ShmSize ?? ""), PropertyValidation.ShmSizeHint));
            return;
        }
        if (Arguments is { Length: > 0 } && PropertyValidation.ArgumentsProblem(Arguments) is { } argumentsProblem)
        {
            Report(DiagnosticCatalog.InvalidRunInput.Create(PropertyValidation.Visible(Arguments), argumentsProblem));
            return;
        }
        var volumes = new List<VolumeMount>();
        foreach (var v in Volumes)
        {
            var target = v.GetMetadata("ContainerPath");
            if (!target.StartsWith('/') || target.Contains(':'))
            {
                Report(DiagnosticCatalog.InvalidRunInput.Create(v.ItemSpec, "MlEnvVolume needs ContainerPath metadata, an absolute path in the container"));
                return;
            }
            volumes.Add(new VolumeMount(v.GetMetadata("FullPath"), target, string.Equals(v.GetMetadata("ReadOnly"), "true", StringComparison.OrdinalIgnoreCase)));
        }

        var hash = Image.GetMetadata("Hash");
        var definition = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(DefinitionDirectory, Generation.GeneratedEnvironment.DefinitionFile)))!;
        var store = new EnvironmentStore(Store is { Length: > 0 } s ? s : EnvironmentStore.DefaultRoot());
        var version = store.Versions(Name).LastOrDefault(v => v.Hash == hash)?.Version;
        var request = new RunRequest(
            Image.GetMetadata("ImageId"), Image.ItemSpec, Name, version, hash, definition["gpu"]?.GetValue<bool>() == true,
            Path.GetFullPath(ProjectDirectory), script, TrainingRun.SplitArguments(Arguments), Path.GetFullPath(RunsDirectory),
            Variables.ToDictionary(v => v.ItemSpec, v => v.GetMetadata("Value")), volumes, shm, DockerEngine.ResolveEndpoint(DockerHost));
        var (result, failure) = await new TrainingRun(engine).RunAsync(request, output, ct);
        if (result is not null)
        {
            RunDirectory = result.Directory;
            output.Info($"Run {result.RunId} finished with exit code {result.ExitCode}: {result.Directory}");
        }
        if (failure is not null) Report(failure);
    }
}
