using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using MlEnv.Diagnostics;
using MlEnv.Engine;

namespace MlEnv.Tasks;

/// <summary>
/// Base of the publish tasks: an engine from MlEnvDockerHost, cancellation on Ctrl+C, and engine faults turned into
/// coded errors (publishing needs the engine, so an unreachable one is always an error here).
/// </summary>
public abstract class EngineTask : MlEnvTask, ICancelableTask
{
    private readonly CancellationTokenSource cancel = new();

    public string? DockerHost { get; set; }

    public void Cancel() => cancel.Cancel();

    public sealed override bool Execute()
    {
        var resolved = EngineEndpoints.Resolve(DockerHost);
        // An unknown context or an unreadable config is its own diagnostic, not a malformed DOCKER_HOST.
        if (resolved.Problem is { } unusable)
        {
            Report(unusable);
            return false;
        }
        var endpoint = resolved.Host;
        // The targets validate MlEnvDockerHost first; this guards a task called from elsewhere.
        if (PropertyValidation.DockerHostProblem(endpoint) is { } problem)
        {
            Report(DiagnosticCatalog.InvalidDockerHost.Create(DockerHost is { Length: > 0 } ? "MlEnvDockerHost" : "DOCKER_HOST", PropertyValidation.Visible(PropertyValidation.WithoutUserInfo(endpoint)), problem));
            return false;
        }
        Log.LogMessage(MessageImportance.Normal, "{0}", EngineEndpoints.ForHost(endpoint).Describe());
        try
        {
            using var engine = new DockerEngine(endpoint);
            RunAsync(engine, BuildOutput(), cancel.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Report(DiagnosticCatalog.BuildCancelled.Create());
        }
        catch (EngineUnavailableException e)
        {
            Report(EngineEndpoints.Diagnose(endpoint, e) with { Severity = DiagnosticSeverity.Error });
        }
        catch (EngineEndpointException e)
        {
            Report(e.Diagnostic);
        }
        catch (Docker.DotNet.DockerApiException e)
        {
            Report(DiagnosticCatalog.EngineFailed.Create(EngineText.Clean($"{(int)e.StatusCode} {e.ResponseBody?.Trim()}")));
        }
        return !Log.HasLoggedErrors;
    }

    protected abstract System.Threading.Tasks.Task RunAsync(DockerEngine engine, IBuildOutput output, CancellationToken ct);

    protected void Report(Diagnostic diagnostic) => Log.Log(diagnostic, ProjectPath);
}
