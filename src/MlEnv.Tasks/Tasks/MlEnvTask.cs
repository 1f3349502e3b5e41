using Microsoft.Build.Framework;

namespace MlEnv.Tasks;

/// <summary>
/// Base of MlEnv's tasks. BuildEngine.ProjectFileOfTaskNode names the file that holds the task element — MlEnv's own
/// targets — so the targets pass $(MSBuildProjectFullPath) and every diagnostic without a file of its own points there.
/// </summary>
public abstract class MlEnvTask : Microsoft.Build.Utilities.Task
{
    public string? ProjectFile { get; set; }

    /// <summary>MlEnvTerminalProgress, true only under the terminal logger (the targets decide): see <see cref="Tasks.TerminalProgress"/>.</summary>
    public bool ShowProgress { get; set; }

    protected string ProjectPath => ProjectFile is { Length: > 0 } p ? p : BuildEngine.ProjectFileOfTaskNode;

    /// <summary>The build output of an engine phase; with ShowProgress, it starts the project's live line first.</summary>
    private protected MsBuildOutput BuildOutput()
    {
        var project = ProjectPath;
        return new MsBuildOutput(Log, project, Tasks.TerminalProgress.Start(this, GetType().Name, ShowProgress, project));
    }
}

/// <summary>A task that Ctrl+C stops: MSBuild calls <see cref="Cancel"/>, and the work sees <see cref="Cancellation"/>.</summary>
public abstract class CancelableMlEnvTask : MlEnvTask, ICancelableTask
{
    private readonly CancellationTokenSource cancel = new();

    protected CancellationToken Cancellation => cancel.Token;

    protected bool CancellationRequested => cancel.IsCancellationRequested;

    public void Cancel() => cancel.Cancel();
}
