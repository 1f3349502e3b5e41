using Microsoft.Build.Framework;
using MlEnv.Generation;

namespace MlEnv.Tasks;

/// <summary>-t:MlEnvScaffold: a new environment project with commented examples of every item.</summary>
public sealed class ScaffoldMlEnvProject : MlEnvTask
{
    [Required] public string Directory { get; set; } = "";
    public string SdkVersion { get; set; } = SdkInfo.Version;
    public string? Name { get; set; }

    /// <summary>The project file written (full path).</summary>
    [Output] public ITaskItem? Created { get; private set; }

    public override bool Execute()
    {
        var name = Name is { Length: > 0 } n ? n : Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(Directory)));
        var project = Path.Combine(Directory, name + ".csproj");
        if (File.Exists(project)) { Log.Log(Diagnostics.DiagnosticCatalog.InvalidStoreRequest.Create($"{project} exists already; scaffold writes only new projects."), ProjectPath); return false; }
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            File.WriteAllText(project, Scaffold.Project(SdkVersion));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            Log.Log(Diagnostics.DiagnosticCatalog.OutputUnwritable.Create("MlEnvScaffoldDir", Directory, e.Message), ProjectPath);
            return false;
        }
        Log.LogMessage(MessageImportance.High, $"MlEnv: created {project}");
        Created = new Microsoft.Build.Utilities.TaskItem(Path.GetFullPath(project));
        // The terminal logger's result line (see StoreTask.LogResultLine).
        Log.LogMessage(MessageImportance.High, $"{Path.GetFileNameWithoutExtension(ProjectPath)} -> {Created.ItemSpec}");
        return true;
    }
}
