using Microsoft.Build.Framework;
using MlEnv.Definition;
using MlEnv.Store;

namespace MlEnv.Tasks;

/// <summary>The project's definition (and image, when built) in; its store version out.</summary>
public sealed class RegisterMlEnvEnvironment : StoreTask
{
    [Required] public string Name { get; set; } = "";
    [Required] public string DefinitionDirectory { get; set; } = "";
    public ITaskItem? Image { get; set; }
    public string? BaseDockerfile { get; set; }

    [Output] public int Version { get; private set; }

    public string? DockerHost { get; set; }
    /// <summary>Set by the registration after a build: a registry that fails is a warning, and the next build tries again.</summary>
    public bool WarnOnRegistryFailure { get; set; }

    [Output] public bool Registered { get; private set; }

    /// <summary>The registered version as an item (see <see cref="StoreTask.ToItem"/>), when registered.</summary>
    [Output] public ITaskItem? Registration { get; private set; }

    /// <summary>
    /// The shared store takes images and this build has none: not a failure to retry on every build. The next
    /// registration comes when an image appears (image.json is an input of the registration after a build).
    /// </summary>
    [Output] public bool NothingToRegister { get; private set; }

    protected override Diagnostics.DiagnosticSeverity RegistryFailureSeverity =>
        WarnOnRegistryFailure ? Diagnostics.DiagnosticSeverity.Warning : Diagnostics.DiagnosticSeverity.Error;

    protected override bool Run()
    {
        var output = BuildOutput();
        // A new version in a shared store is a push of the whole image, which says nothing until it ends.
        if (SharedRegistry is { } registry) output.Progress($"Registering {Name} in {registry}");
        var outcome = EnvironmentRegistration.RegisterAsync(new RegistrationRequest
        {
            Name = Name,
            DefinitionDirectory = DefinitionDirectory,
            ImageReference = Image?.ItemSpec,
            ImageId = Image?.GetMetadata("ImageId"),
            ImageRepository = Image?.GetMetadata("Repository"),
            BaseDockerfile = BaseDockerfile,
            Store = Store,
            SharedRegistry = SharedRegistry,
            DockerHost = DockerHost,
        }, output, CancellationToken.None).GetAwaiter().GetResult();
        if (outcome.Failure is { } failure)
        {
            // NothingToRegister is a message-level diagnostic already; a registry or engine failure takes the
            // severity this call asked for (a warning after a build, and the next build tries again).
            Log.Log(outcome.NothingToRegister ? failure : failure with { Severity = RegistryFailureSeverity }, ProjectPath);
            NothingToRegister = outcome.NothingToRegister;
            return outcome.NothingToRegister || RegistryFailureSeverity != Diagnostics.DiagnosticSeverity.Error;
        }
        var entry = outcome.Entry!;
        var where = SharedRegistry is null ? "" : $" in {outcome.Location}";
        Version = entry.Version;
        Registered = true;
        Registration = ToItem(entry, outcome.Location);
        // Only when asked for (-t:MlEnvRegister): after a build, the project's result line is its own output.
        if (!WarnOnRegistryFailure) LogResultLine($"{Name} v{entry.Version} ({entry.Hash[..12]}){(outcome.Created ? " registered" : ", unchanged")}{where}");
        Log.LogMessage(MessageImportance.High, outcome.Created
            ? $"MlEnv: registered {Name} version {entry.Version} ({entry.Hash[..12]}){where}{(SharedRegistry is null ? "" : ": " + entry.Images[0])}."
            : SharedRegistry is null
                ? $"MlEnv: {Name} is registered as version {entry.Version} ({entry.Hash[..12]}), unchanged."
                : $"MlEnv: {Name} is registered{where} as version {entry.Version} ({entry.Hash[..12]}), unchanged.");
        return true;
    }
}
