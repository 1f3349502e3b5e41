using MlEnv.Definition;
using MlEnv.Diagnostics;

namespace MlEnv.Engine;

/// <summary>Whether a base image is on the engine.</summary>
public sealed record BaseImageCheck(string Image, bool Present, bool Requested);

/// <summary>
/// What `dotnet mlenv doctor` reports about the engine: the endpoint and the setting that chose it, the engine's and
/// API's versions, and which base images it holds. <see cref="Problem"/> is set when the engine cannot be used.
/// </summary>
public sealed record EngineReport(EngineEndpoint Endpoint, EngineVersion? Version, string ClientApiVersion, IReadOnlyList<BaseImageCheck> BaseImages, Diagnostic? Problem)
{
    /// <summary>The default base images MlEnv picks (pinned tags), CPU and GPU.</summary>
    public static IReadOnlyList<string> DefaultBaseImages { get; } =
        [.. Definition.BaseImages.PythonSlim.Values, Definition.BaseImages.Micromamba, Definition.BaseImages.MicromambaCuda];

    public static async Task<EngineReport> GatherAsync(string? dockerHost, string setting, IReadOnlyList<string> requested, CancellationToken ct)
    {
        var (endpoint, problem) = EngineChoice.Resolve(dockerHost, setting);
        if (problem is not null) return new EngineReport(endpoint, null, DockerEngine.ClientApiVersion, [], problem);
        try
        {
            using var engine = new DockerEngine(endpoint.Host);
            var version = await engine.VersionAsync(ct).ConfigureAwait(false);
            var checks = new List<BaseImageCheck>();
            foreach (var image in requested.Distinct(StringComparer.Ordinal))
                checks.Add(new BaseImageCheck(image, await engine.InspectAsync(image, ct).ConfigureAwait(false) is not null, Requested: true));
            foreach (var image in DefaultBaseImages.Where(d => !requested.Contains(d)))
                checks.Add(new BaseImageCheck(image, await engine.InspectAsync(image, ct).ConfigureAwait(false) is not null, Requested: false));
            return new EngineReport(endpoint, version, DockerEngine.ClientApiVersion, checks, null);
        }
        catch (Exception e) when (e is EngineUnavailableException or EngineEndpointException or Docker.DotNet.DockerApiException)
        {
            var failure = e is Docker.DotNet.DockerApiException api
                ? DiagnosticCatalog.EngineFailed.Create(EngineText.Clean($"{(int)api.StatusCode} {api.ResponseBody?.Trim()}"))
                : EngineEndpoints.Diagnose(endpoint.Host, e) with { Severity = DiagnosticSeverity.Error };
            return new EngineReport(endpoint, null, DockerEngine.ClientApiVersion, [], failure);
        }
    }
}

/// <summary>
/// The engine a front end asked for (its own setting first, then as the docker CLI finds it), checked before any
/// connection: an unknown context, an ssh:// or malformed address is its coded diagnostic, not a failure later.
/// </summary>
public static class EngineChoice
{
    /// <param name="setting">The name of the front end's setting, for the diagnostic (MlEnvDockerHost, --docker-host).</param>
    public static (EngineEndpoint Endpoint, Diagnostic? Problem) Resolve(string? configured, string setting)
    {
        var endpoint = EngineEndpoints.Resolve(configured, null, setting);
        if (endpoint.Problem is { } unusable) return (endpoint, unusable);
        if (PropertyValidation.DockerHostProblem(endpoint.Host) is { } malformed)
            return (endpoint, DiagnosticCatalog.InvalidDockerHost.Create(configured is { Length: > 0 } ? setting : "DOCKER_HOST",
                PropertyValidation.Visible(PropertyValidation.WithoutUserInfo(endpoint.Host)), malformed));
        return (endpoint, null);
    }
}
