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
        var (project, problem) = ScaffoldWriter.Write(Directory, Name, SdkVersion, "MlEnvScaffoldDir");
        if (problem is not null)
        {
            Log.Log(problem, ProjectPath);
            return false;
        }
        Log.LogMessage(MessageImportance.High, $"MlEnv: created {project}");
        Created = new Microsoft.Build.Utilities.TaskItem(project);
        // The terminal logger's result line (see StoreTask.LogResultLine).
        Log.LogMessage(MessageImportance.High, $"{Path.GetFileNameWithoutExtension(ProjectPath)} -> {Created.ItemSpec}");
        return true;
    }
}
