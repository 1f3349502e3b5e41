using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using MlEnv.Definition;
using MlEnv.Diagnostics;
using MlEnv.Engine;
using MlEnv.Images;
using MlEnv.Registry;

namespace MlEnv.Tasks;

/// <summary>The generated environment in; the image (built, reused or already up to date) out as an MlEnvImage item.</summary>
public sealed class BuildMlEnvImage : CancelableMlEnvTask
{
    [Required] public string Name { get; set; } = "";
    [Required] public string Hash { get; set; } = "";
    [Required] public string OutputDirectory { get; set; } = "";
    [Required] public string Repository { get; set; } = "";
    public string? DockerHost { get; set; }
    public bool RequireDocker { get; set; }
    public bool Refresh { get; set; }
    public string? BuildNetwork { get; set; }
    public string? Registry { get; set; }
    /// <summary>Only for the credentials in its userinfo (the definition has the URL without them).</summary>
    public string? PipIndexUrl { get; set; }
    public string SdkVersion { get; set; } = SdkInfo.Version;

    [Output] public ITaskItem? Image { get; private set; }

    public override bool Execute()
    {
        var project = ProjectPath;
        if (!Definition.DefinitionBuilder.IsValidImageReference(Repository + ":" + EnvironmentImages.HashTag(Hash)))
        {
            Log.Log(DiagnosticCatalog.InvalidImageReference.Create(Repository), project);
            return false;
        }
        var registry = Registry is { Length: > 0 } r ? r.Trim().TrimEnd('/') : null;
        if (registry is not null && !Registries.IsValid(registry))
        {
            Log.Log(DiagnosticCatalog.InvalidRegistry.Create(Registries.Display(registry)), project);
            return false;
        }
        var credentials = IndexCredentials.FromUrl(PipIndexUrl) ?? IndexCredentials.FromEnvironment();
        var request = new EnvironmentBuild(Name, Hash, OutputDirectory, Repository, SdkVersion, Refresh, BuildNetwork is { Length: > 0 } ? BuildNetwork : null, registry, credentials);
        var endpoint = DockerEngine.ResolveEndpoint(DockerHost);
        var log = BuildOutput();
        // The live line's first words: the reuse check and a registry pull say nothing before they end.
        log.Progress($"Looking for image {EnvironmentImages.HashTag(Hash)}" + (registry is null ? "" : $" (then in {registry})"));
        var outcome = request.RunAsync(endpoint, log, Cancellation).GetAwaiter().GetResult();

        foreach (var d in outcome.Diagnostics)
            Log.Log(d.Code == DiagnosticCatalog.EngineUnreachable.Code && RequireDocker ? d with { Severity = DiagnosticSeverity.Error } : d, project);
        if (outcome.Image is { } image) Image = ImageItems.Create(image, Hash, upToDate: false);
        return !Log.HasLoggedErrors;
    }
}
