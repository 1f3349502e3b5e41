using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Build.Framework;
using MlEnv.Engine;
using MlEnv.Generation;

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
            Log.Log(Diagnostics.DiagnosticCatalog.InvalidRegistry.Create(registry), ProjectPath);
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
        item.SetMetadata("CreatedAt", e.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
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
        if (int.TryParse(version, out var exact)) version = $"[{exact}]";
        var entry = store.Find(name, version, out var error);
        if (error is not null) Log.Log(error, ProjectPath);
        return entry;
    }
}

public static class Catalogs
{
    /// <summary>MlEnvRegistry, when it is also the store (MlEnvRegistryStore not false); else null.</summary>
    public static string? SharedRegistry(string? registry, bool registryStore) =>
        registryStore && registry?.Trim().TrimEnd('/') is { Length: > 0 } r ? r : null;

    /// <summary>MlEnvStore, or the default store folder.</summary>
    public static EnvironmentStore OpenLocal(string? store) => new(store is { Length: > 0 } s ? s : EnvironmentStore.DefaultRoot());

    /// <summary>The registry's shared store when one is given, else the local folder.</summary>
    public static IEnvironmentCatalog Open(string? store, string? registry)
    {
        var local = OpenLocal(store);
        return registry is null ? local : new RegistryStore(new RegistryClient(registry), local);
    }
}

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
        var canonical = File.ReadAllText(Path.Combine(DefinitionDirectory, GeneratedEnvironment.DefinitionFile));
        var hash = File.ReadAllText(Path.Combine(DefinitionDirectory, GeneratedEnvironment.HashFile)).Trim();
        var wheels = GeneratedEnvironment.ReadContext(DefinitionDirectory).Where(f => f.SourcePath is not null).ToList();
        var dockerfile = BaseDockerfile is { Length: > 0 } && File.Exists(BaseDockerfile) ? File.ReadAllText(BaseDockerfile) : null;
        if (SharedRegistry is { } registry) return RegisterInRegistry(registry, hash, canonical, wheels);
        var (entry, created) = OpenStore().RegisterAsync(Name, hash, canonical, Image?.ItemSpec, wheels, dockerfile, CancellationToken.None, SdkInfo.Version).GetAwaiter().GetResult();
        Version = entry.Version;
        Registered = true;
        Registration = ToItem(entry, OpenStore().Root);
        // Only when asked for (-t:MlEnvRegister): after a build, the project's result line is its own output.
        if (!WarnOnRegistryFailure) LogResultLine($"{Name} v{entry.Version} ({hash[..12]}){(created ? " registered" : ", unchanged")}");
        Log.LogMessage(MessageImportance.High, created
            ? $"MlEnv: registered {Name} version {entry.Version} ({hash[..12]})."
            : $"MlEnv: {Name} is registered as version {entry.Version} ({hash[..12]}), unchanged.");
        return true;
    }

    /// <summary>The shared store: the image is pushed as repository:v&lt;N&gt;; this machine's store keeps the wheels.</summary>
    private bool RegisterInRegistry(string registry, string hash, string canonical, IReadOnlyList<ContextFile> wheels)
    {
        var project = ProjectPath;
        if (Image is null || Image.GetMetadata("ImageId") is not { Length: > 0 } imageId)
        {
            Log.Log(Diagnostics.DiagnosticCatalog.NotRegisteredInRegistry.Create(Name, registry, "the shared store holds images, and this build has none (MlEnvBuildImage=false, or no engine)"), project);
            NothingToRegister = true;
            return true;
        }
        var local = OpenStore();
        local.SaveWheels(canonical, wheels);
        var endpoint = EngineEndpoints.Resolve(DockerHost);
        if (endpoint.Problem is { } problem)
        {
            Log.Log(problem with { Severity = RegistryFailureSeverity }, project);
            return RegistryFailureSeverity != Diagnostics.DiagnosticSeverity.Error;
        }
        StoredEnvironment? entry;
        bool created;
        Diagnostics.Diagnostic? failure;
        try
        {
            using var engine = new DockerEngine(endpoint.Host);
            var store = new RegistryStore(new RegistryClient(registry), local);
            var output = BuildOutput();
            // A new version is a push of the whole image, which says nothing until it ends.
            output.Progress($"Registering {Name} in {registry}");
            (entry, created, failure) = store.RegisterAsync(new EnvironmentPublish(engine), Image.GetMetadata("Repository"), hash, imageId, output, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is EngineUnavailableException or EngineEndpointException or Docker.DotNet.DockerApiException)
        {
            // Registering in a shared store tags and pushes through the engine: an engine that is gone or refuses is
            // a coded diagnostic (a warning after a build), never MSBuild's stack trace.
            failure = EngineEndpoints.Diagnose(endpoint.Host, e);
            entry = null;
            created = false;
        }
        if (failure is not null)
        {
            Log.Log(failure with { Severity = RegistryFailureSeverity }, project);
            return RegistryFailureSeverity != Diagnostics.DiagnosticSeverity.Error;
        }
        Version = entry!.Version;
        Registered = true;
        Registration = ToItem(entry, registry);
        if (!WarnOnRegistryFailure) LogResultLine($"{Name} v{entry.Version} ({hash[..12]}){(created ? " registered" : ", unchanged")} in {registry}");
        Log.LogMessage(MessageImportance.High, created
            ? $"MlEnv: registered {Name} version {entry.Version} ({hash[..12]}) in {registry}: {entry.Images[0]}."
            : $"MlEnv: {Name} is registered in {registry} as version {entry.Version} ({hash[..12]}), unchanged.");
        return true;
    }
}

/// <summary>-t:MlEnvList: every registered environment, as a table or JSON (MlEnvOutputFormat=json).</summary>
public sealed class ListMlEnvEnvironments : StoreTask
{
    public string? Format { get; set; }
    public string? OutputFile { get; set; }

    /// <summary>Every registered version (see <see cref="StoreTask.ToItem"/>).</summary>
    [Output] public ITaskItem[] Environments { get; private set; } = [];

    protected override bool Run()
    {
        var store = OpenCatalog();
        var entries = store.Names().SelectMany(store.Versions).ToList();
        Environments = entries.Select(e => ToItem(e, store.Location)).ToArray();
        string text;
        if (string.Equals(Format, "json", StringComparison.OrdinalIgnoreCase))
        {
            text = new JsonArray(entries.Select(e => (JsonNode)new JsonObject
            {
                ["name"] = e.Name, ["version"] = e.Version, ["hash"] = e.Hash,
                ["images"] = new JsonArray(e.Images.Select(i => (JsonNode)i).ToArray()),
                ["createdAt"] = e.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            }).ToArray()).ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        }
        else
        {
            var rows = entries.Select(e => new[] { e.Name, $"v{e.Version}", e.Hash[..12], e.Images.LastOrDefault() ?? "-", e.CreatedAt.ToString("yyyy-MM-dd HH:mm") }).ToList();
            rows.Insert(0, ["NAME", "VERSION", "HASH", "IMAGE", "CREATED (UTC)"]);
            var widths = Enumerable.Range(0, 5).Select(i => rows.Max(r => r[i].Length)).ToArray();
            text = string.Join("\n", rows.Select(r => string.Join("  ", r.Select((c, i) => c.PadRight(widths[i]))).TrimEnd()));
            if (entries.Count == 0) text += $"\n(no environments registered in {store.Location})";
        }
        if (OutputFile is { Length: > 0 } && !WriteOutput("MlEnvOutputFile", OutputFile, () => File.WriteAllText(OutputFile, text + "\n"))) return false;
        foreach (var line in text.Split('\n')) Log.LogMessage(MessageImportance.High, line);
        var names = entries.Select(e => e.Name).Distinct().Count();
        LogResultLine(entries.Count == 0 ? $"no environments registered in {store.Location}"
            : $"{entries.Count} version(s) of {names} environment(s) in {store.Location}: {string.Join(", ", entries.TakeLast(5).Select(e => $"{e.Name} v{e.Version}"))}");
        return true;
    }
}

/// <summary>-t:MlEnvShow: one registered definition.</summary>
public sealed class ShowMlEnvEnvironment : StoreTask
{
    [Required] public string Name { get; set; } = "";
    public string? Version { get; set; }

    /// <summary>The version shown, with its canonical definition as the Definition metadata.</summary>
    [Output] public ITaskItem? Environment { get; private set; }

    protected override bool Run()
    {
        var store = OpenCatalog();
        if (Find(store, Name, Version) is not { } entry) return false;
        Environment = ToItem(entry, store.Location);
        Environment.SetMetadata("Definition", entry.Definition);
        Log.LogMessage(MessageImportance.High, $"{entry.Name} v{entry.Version}  hash {entry.Hash}  created {entry.CreatedAt:yyyy-MM-dd HH:mm} UTC");
        foreach (var image in entry.Images) Log.LogMessage(MessageImportance.High, $"image {image}");
        var pretty = JsonNode.Parse(entry.Definition)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        foreach (var line in pretty.Split('\n')) Log.LogMessage(MessageImportance.High, line);
        LogResultLine($"{entry.Name} v{entry.Version} {entry.Hash[..12]} {entry.Images.LastOrDefault() ?? "(no image)"}");
        return true;
    }
}

/// <summary>
/// -t:MlEnvDownload: environment.yml, requirements.txt, the Dockerfile, its wheels and definition.json of a registered
/// version, so that `docker build` rebuilds it without .NET.
/// </summary>
public sealed class DownloadMlEnvEnvironment : StoreTask
{
    [Required] public string Name { get; set; } = "";
    [Required] public string Directory { get; set; } = "";
    public string? Version { get; set; }

    /// <summary>The folder written (full path), with the version's Name, Version, Hash and Image metadata.</summary>
    [Output] public ITaskItem? Downloaded { get; private set; }

    protected override bool Run()
    {
        var store = OpenCatalog();
        if (Find(store, Name, Version) is not { } entry) return false;
        var definition = store.Definition(entry);
        if (definition.Wheels.FirstOrDefault(w => !File.Exists(w.SourcePath)) is { } missing)
        {
            Log.Log(Diagnostics.DiagnosticCatalog.InvalidStoreRequest.Create($"{Name} v{entry.Version} needs the wheel {missing.FileName} (sha256 {missing.Sha256[..12]}), and it is not in this machine's store ({OpenStore().Root}): a registry holds images, not wheel files. Register the environment once on this machine, or copy the store's wheels/ folder."), ProjectPath);
            return false;
        }
        if (definition.Base.Image is null && definition.Base.Dockerfile is null)
        {
            Log.Log(Diagnostics.DiagnosticCatalog.InvalidStoreRequest.Create($"{Name} v{entry.Version} starts from a base Dockerfile whose text is not in {store.Location}; download it from the store of a machine that registered it."), ProjectPath);
            return false;
        }
        if (!WriteOutput("MlEnvDownloadDir", Directory, () => Write(entry, definition))) return false;
        Log.LogMessage(MessageImportance.High, $"MlEnv: wrote {Name} v{entry.Version} to {Directory}");
        var full = Path.GetFullPath(Directory);
        Downloaded = new Microsoft.Build.Utilities.TaskItem(full);
        ToItem(entry, store.Location).CopyMetadataTo(Downloaded);
        LogResultLine(full);
        return true;
    }

    private void Write(StoredEnvironment entry, Definition.EnvironmentDefinition definition)
    {
        System.IO.Directory.CreateDirectory(Directory);
        // The Dockerfile ends with the LABEL step MlEnv added to the registered image: `docker build` of this folder
        // makes the same image (on the engine that built it, the very same image ID, from its layer cache).
        var labels = EnvironmentImages.Labels(entry.Name, entry.Hash, entry.SdkVersion ?? SdkInfo.Version, entry.Definition, definition.Base.Image);
        foreach (var file in EnvironmentImages.WithLabels(DockerfileGenerator.Generate(definition).Files, labels))
        {
            var target = Path.Combine(Directory, file.Path);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (file.Content is not null) File.WriteAllBytes(target, file.Content);
            else File.Copy(file.SourcePath!, target, overwrite: true);
        }
        File.WriteAllText(Path.Combine(Directory, GeneratedEnvironment.DefinitionFile), entry.Definition);
        if (!definition.UsesConda) File.WriteAllText(Path.Combine(Directory, "environment.yml"), DockerfileGenerator.EnvironmentYaml(definition, includePip: true));
    }
}

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
