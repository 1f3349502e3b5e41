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
        var volumes = Volumes.Select(v => new VolumeInput(v.ItemSpec, v.GetMetadata("FullPath"), v.GetMetadata("ContainerPath"), string.Equals(v.GetMetadata("ReadOnly"), "true", StringComparison.OrdinalIgnoreCase)));
        if (RunInputs.Check(ProjectDirectory, Script, ShmSize, Arguments, volumes, out var problem) is not { } inputs)
        {
            Report(problem!);
            return;
        }
        var hash = Image.GetMetadata("Hash");
        var definition = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(DefinitionDirectory, Generation.GeneratedEnvironment.DefinitionFile)))!;
        var store = Catalogs.OpenLocal(Store);
        var version = store.Versions(Name).LastOrDefault(v => v.Hash == hash)?.Version;
        var request = new RunRequest(
            Image.GetMetadata("ImageId"), Image.ItemSpec, Name, version, hash, definition[CanonicalKeys.Gpu]?.GetValue<bool>() == true,
            Path.GetFullPath(ProjectDirectory), inputs.Script, inputs.Arguments, Path.GetFullPath(RunsDirectory),
            Variables.ToDictionary(v => v.ItemSpec, v => v.GetMetadata("Value")), inputs.Volumes, inputs.ShmSize, DockerEngine.ResolveEndpoint(DockerHost));
        var (result, failure) = await new TrainingRun(engine).RunAsync(request, output, ct);
        if (result is not null)
        {
            RunDirectory = result.Directory;
            output.Info($"Run {result.RunId} finished with exit code {result.ExitCode}: {result.Directory}");
        }
        if (failure is not null) Report(failure);
    }
}
