using Microsoft.Build.Framework;
using MlEnv.Definition;
using MlEnv.Diagnostics;
using MlEnv.Engine;
using MlEnv.Images;

namespace MlEnv.Tasks;

/// <summary>
/// Base of the publish tasks: an engine from MlEnvDockerHost, cancellation on Ctrl+C, and engine faults turned into
/// coded errors (publishing needs the engine, so an unreachable one is always an error here).
/// </summary>
public abstract class EngineTask : CancelableMlEnvTask
{
    public string? DockerHost { get; set; }

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
            RunAsync(engine, BuildOutput(), Cancellation).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (CancellationRequested)
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
