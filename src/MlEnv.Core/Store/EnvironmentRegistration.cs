using MlEnv.Definition;
using MlEnv.Diagnostics;
using MlEnv.Engine;
using MlEnv.Generation;
using MlEnv.Images;
using MlEnv.Registry;

namespace MlEnv.Store;

/// <summary>What to register: a resolved definition folder (obj/…/mlenv/ or a download) and, when built, its image.</summary>
public sealed record RegistrationRequest
{
    public required string Name { get; init; }
    public required string DefinitionDirectory { get; init; }
    public string? ImageReference { get; init; }
    public string? ImageId { get; init; }
    public string? ImageRepository { get; init; }
    public string? BaseDockerfile { get; init; }
    public string? Store { get; init; }
    /// <summary>The registry that is the shared store (see <see cref="Catalogs.SharedRegistry"/>), or null for the local store.</summary>
    public string? SharedRegistry { get; init; }
    public string? DockerHost { get; init; }
}

/// <summary>The version registered (or found unchanged), where, or why not.</summary>
public sealed record RegistrationOutcome(StoredEnvironment? Entry, bool Created, string Location, Diagnostic? Failure, bool NothingToRegister = false)
{
    public string Hash => Entry?.Hash ?? "";
}

/// <summary>
/// Registers a definition in the local store (a folder of versions) or in the registry that is the team's shared
/// store (the image pushed as repository:v&lt;N&gt;; this machine's store keeps the wheels, which a registry does not hold).
/// </summary>
public static class EnvironmentRegistration
{
    public static async Task<RegistrationOutcome> RegisterAsync(RegistrationRequest request, IBuildOutput output, CancellationToken ct)
    {
        var directory = request.DefinitionDirectory;
        var canonical = File.ReadAllText(Path.Combine(directory, GeneratedEnvironment.DefinitionFile));
        var hash = File.ReadAllText(Path.Combine(directory, GeneratedEnvironment.HashFile)).Trim();
        var wheels = GeneratedEnvironment.ReadContext(directory).Where(f => f.SourcePath is not null).ToList();
        var local = Catalogs.OpenLocal(request.Store);
        if (request.SharedRegistry is not { } registry)
        {
            var dockerfile = request.BaseDockerfile is { Length: > 0 } path && File.Exists(path) ? File.ReadAllText(path) : null;
            var (entry, created) = await local.RegisterAsync(request.Name, hash, canonical, request.ImageReference, wheels, dockerfile, ct, SdkInfo.Version).ConfigureAwait(false);
            return new RegistrationOutcome(entry, created, local.Root, null);
        }

        if (request.ImageId is not { Length: > 0 } imageId)
            return new RegistrationOutcome(null, false, registry,
                DiagnosticCatalog.NotRegisteredInRegistry.Create(request.Name, registry, "the shared store holds images, and this build has none (MlEnvBuildImage=false, or no engine)"),
                NothingToRegister: true);
        local.SaveWheels(canonical, wheels);
        var endpoint = EngineEndpoints.Resolve(request.DockerHost);
        if (endpoint.Problem is { } problem) return new RegistrationOutcome(null, false, registry, problem);
        try
        {
            using var engine = new DockerEngine(endpoint.Host);
            var store = new RegistryStore(new RegistryClient(registry), local);
            var (entry, created, failure) = await store.RegisterAsync(new EnvironmentPublish(engine), request.ImageRepository ?? "", hash, imageId, output, ct).ConfigureAwait(false);
            return new RegistrationOutcome(failure is null ? entry : null, created, registry, failure);
        }
        catch (Exception e) when (e is EngineUnavailableException or EngineEndpointException or Docker.DotNet.DockerApiException)
        {
            // Registering in a shared store tags and pushes through the engine: an engine that is gone or refuses is
            // a coded diagnostic, never a stack trace.
            return new RegistrationOutcome(null, false, registry, EngineEndpoints.Diagnose(endpoint.Host, e));
        }
    }
}
