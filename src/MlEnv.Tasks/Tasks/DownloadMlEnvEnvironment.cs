using Microsoft.Build.Framework;
using MlEnv.Store;

namespace MlEnv.Tasks;

/// <summary>
/// -t:MlEnvDownload: environment.yml, requirements.txt, the Dockerfile, its wheels and definition.json of a registered
/// version, so that `docker build` rebuilds it without .NET.
/// </summary>
public sealed class DownloadMlEnvEnvironment : StoreTask
{
    [Required] public string Name { get; set; } = "";
    [Required] public string Directory { get; set; } = "";
    public string? Version { get; set; }

    /// <summary>The folder written (full path), with the version's Name, Version, Hash and Image metadata.</summary>
    [Output] public ITaskItem? Downloaded { get; private set; }

    protected override bool Run()
    {
        var store = OpenCatalog();
        if (Find(store, Name, Version) is not { } entry) return false;
        var definition = store.Definition(entry);
        if (EnvironmentDownload.Problem(store, entry, definition, OpenStore().Root) is { } problem)
        {
            Log.Log(problem, ProjectPath);
            return false;
        }
        if (!WriteOutput("MlEnvDownloadDir", Directory, () => EnvironmentDownload.Write(entry, definition, Directory))) return false;
        Log.LogMessage(MessageImportance.High, $"MlEnv: wrote {Name} v{entry.Version} to {Directory}");
        var full = Path.GetFullPath(Directory);
        Downloaded = new Microsoft.Build.Utilities.TaskItem(full);
        ToItem(entry, store.Location).CopyMetadataTo(Downloaded);
        LogResultLine(full);
        return true;
    }
}
