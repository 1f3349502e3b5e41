using Microsoft.Build.Framework;
using MlEnv.Definition;
using MlEnv.Registry;
using MlEnv.Store;

namespace MlEnv.Tasks;

/// <summary>
/// Base of the store tasks: the local store folder (MlEnvStore), or — with MlEnvRegistry set and MlEnvRegistryStore
/// not false — the store shared through that registry. A registry that cannot be read is a coded error.
/// </summary>
public abstract class StoreTask : MlEnvTask
{
    public string? Store { get; set; }
    public string? Registry { get; set; }
    /// <summary>A string, not a bool: a bad value is MLENV1055 naming the property, not MSBuild's MSB4030.</summary>
    public string? RegistryStore { get; set; }

    protected string? SharedRegistry => Catalogs.SharedRegistry(Registry, PropertyValidation.ParseBoolOrDefault(RegistryStore, true));

    protected EnvironmentStore OpenStore() => Catalogs.OpenLocal(Store);

    protected IEnvironmentCatalog OpenCatalog() => Catalogs.Open(Store, SharedRegistry);

    public sealed override bool Execute()
    {
        if (!string.IsNullOrWhiteSpace(RegistryStore) && !PropertyValidation.TryParseBool(RegistryStore, out _))
        {
            Log.Log(Diagnostics.DiagnosticCatalog.InvalidBooleanProperty.Create("MlEnvRegistryStore", PropertyValidation.Visible(RegistryStore)), ProjectPath);
            return false;
        }
        if (SharedRegistry is { } registry && !Registries.IsValid(registry))
        {
            Log.Log(Diagnostics.DiagnosticCatalog.InvalidRegistry.Create(Registries.Display(registry)), ProjectPath);
            return false;
        }
        try
        {
            return Run() && !Log.HasLoggedErrors;
        }
        catch (RegistryException e)
        {
            Log.Log(Diagnostics.DiagnosticCatalog.SharedStoreUnavailable.Create(RegistryFailureSeverity, SharedRegistry ?? "", e.Message), ProjectPath);
            return RegistryFailureSeverity != Diagnostics.DiagnosticSeverity.Error;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A store folder that is a file, unwritable or full: a coded error, not MSBuild's stack trace.
            Log.Log(Diagnostics.DiagnosticCatalog.StoreUnusable.Create(OpenStore().Root, e.Message), ProjectPath);
            return false;
        }
    }

    /// <summary>Writes a store command's output (a file or a folder the user named); a failure is MLENV1060 naming the property.</summary>
    protected bool WriteOutput(string property, string path, Action write)
    {
        try
        {
            write();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            Log.Log(Diagnostics.DiagnosticCatalog.OutputUnwritable.Create(property, path, e.Message), ProjectPath);
            return false;
        }
    }

    /// <summary>
    /// One store version as an MSBuild item, so that `-getItem` / `-getTargetResult` hand scripts JSON. The Images
    /// metadata is ';'-joined (one item per version; the last is the newest tag).
    /// </summary>
    public static ITaskItem ToItem(StoredEnvironment e, string location)
    {
        var item = new Microsoft.Build.Utilities.TaskItem($"{e.Name}:v{e.Version}");
        item.SetMetadata("Name", e.Name);
        item.SetMetadata("Version", e.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        item.SetMetadata("Hash", e.Hash);
        item.SetMetadata("Image", e.Images.LastOrDefault() ?? "");
        item.SetMetadata("Images", string.Join(";", e.Images));
        item.SetMetadata("CreatedAt", StoreListing.Timestamp(e.CreatedAt));
        item.SetMetadata("Store", location);
        return item;
    }

    /// <summary>
    /// The terminal logger (the default in an interactive terminal) hides messages of every importance at its default
    /// verbosity, but shows a high-importance "&lt;project name&gt; -&gt; &lt;output&gt;" line as the project's result
    /// (it is how it learns a project's output path). A command's one-line result goes out in that shape too.
    /// </summary>
    protected void LogResultLine(string result) =>
        Log.LogMessage(MessageImportance.High, $"{Path.GetFileNameWithoutExtension(ProjectPath)} -> {result}");

    /// <summary>Registration after a build only warns: the build itself succeeded. Everything else asked for it.</summary>
    protected virtual Diagnostics.DiagnosticSeverity RegistryFailureSeverity => Diagnostics.DiagnosticSeverity.Error;

    protected abstract bool Run();

    /// <summary>For show and download a bare number is that exact version ("-p:MlEnvVersion=2"); ranges work too.</summary>
    protected StoredEnvironment? Find(IEnvironmentCatalog store, string name, string? version)
    {
        var entry = store.FindVersion(name, version, out var error);
        if (error is not null) Log.Log(error, ProjectPath);
        return entry;
    }
}
