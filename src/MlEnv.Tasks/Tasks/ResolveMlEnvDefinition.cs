using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using MlEnv.Definition;
using MlEnv.Diagnostics;
using MlEnv.Generation;
using MlEnv.Specs;
using MlEnv.Store;

namespace MlEnv.Tasks;

/// <summary>Items and properties in; the canonical definition, its hash and the generated build files out.</summary>
public sealed class ResolveMlEnvDefinition : MlEnvTask
{
    [Required] public string Name { get; set; } = "";
    [Required] public string OutputDirectory { get; set; } = "";
    public string? PythonVersion { get; set; }
    public string? BaseImage { get; set; }
    public string? BaseImageRegistry { get; set; }
    public string? BaseDockerfile { get; set; }
    public string? Gpu { get; set; }
    public string? GpuBaseImage { get; set; }
    /// <summary>A string, not a bool: a bad value is MLENV1055 naming the property, not MSBuild's MSB4030.</summary>
    public string? UserManagedDependencies { get; set; }
    public string? CondaExecutable { get; set; }
    public string? PipIndexUrl { get; set; }
    public ITaskItem[] CondaChannels { get; set; } = [];
    public ITaskItem[] CondaPackages { get; set; } = [];
    public ITaskItem[] PipPackages { get; set; } = [];
    public ITaskItem[] PipExtraIndexUrls { get; set; } = [];
    public ITaskItem[] PipFindLinks { get; set; } = [];
    public ITaskItem[] PipWheels { get; set; } = [];
    public ITaskItem[] CondaSpecifications { get; set; } = [];
    public ITaskItem[] PipRequirements { get; set; } = [];
    public ITaskItem[] ExistingCondaEnvironments { get; set; } = [];
    public ITaskItem[] AptPackages { get; set; } = [];
    public ITaskItem[] Variables { get; set; } = [];
    public ITaskItem[] Labels { get; set; } = [];
    /// <summary>MlEnvCurated: a curated environment to start from, looked up in <see cref="CuratedDirectory"/>.</summary>
    public string? Curated { get; set; }
    public string? CuratedDirectory { get; set; }
    /// <summary>MlEnvReference items (Include = a registered name, Version = a version, a range or *), from <see cref="Store"/>.</summary>
    public ITaskItem[] References { get; set; } = [];
    public string? Store { get; set; }
    /// <summary>With MlEnvRegistry set (and MlEnvRegistryStore not false), MlEnvReference reads the registry's shared store.</summary>
    public string? Registry { get; set; }
    public string? RegistryStore { get; set; }
    /// <summary>
    /// What ComputeMlEnvDefinition returned for the referenced projects: their definition.json with Hash, Name and
    /// Repository. At most one: this environment is built FROM that project's environment image.
    /// </summary>
    public ITaskItem[] ReferencedEnvironments { get; set; } = [];

    [Output] public string Hash { get; private set; } = "";

    [Output] public ITaskItem[] GeneratedFiles { get; private set; } = [];

    public override bool Execute()
    {
        var project = ProjectPath;
        foreach (var (property, value) in new[] { ("MlEnvUserManagedDependencies", UserManagedDependencies), ("MlEnvRegistryStore", RegistryStore) })
            if (!string.IsNullOrWhiteSpace(value) && !PropertyValidation.TryParseBool(value, out _))
                Log.Log(DiagnosticCatalog.InvalidBooleanProperty.Create(property, PropertyValidation.Visible(value)), project);
        if (Log.HasLoggedErrors) return false;
        // Which copy of NuGet.Versioning MSBuild bound: the SDK carries an older one that must not win over ours.
        var versioning = typeof(NuGet.Versioning.NuGetVersion).Assembly;
        Log.LogMessage(MessageImportance.Low, $"MlEnv: NuGet.Versioning {versioning.GetName().Version} from {versioning.Location}");
        var core = typeof(DefinitionComposition).Assembly;
        Log.LogMessage(MessageImportance.Low, $"MlEnv: MlEnv.Core {core.GetName().Version} from {core.Location}");
        var at0 = new SourceLocation(project);
        var locations = new ProjectLocations();
        SourceLocation At(ITaskItem item, string itemType) => locations.Item(item.GetMetadata("DefiningProjectFullPath"), project, itemType, item.ItemSpec);
        var request = new CompositionRequest
        {
            Project = new DefinitionInputs
            {
                Name = Name,
                Project = at0,
                PythonVersion = PythonVersion,
                BaseImage = BaseImage,
                BaseImageRegistry = BaseImageRegistry,
                BaseDockerfile = BaseDockerfile is { Length: > 0 } ? Path.GetFullPath(BaseDockerfile) : null,
                Gpu = Gpu,
                GpuBaseImage = GpuBaseImage,
                UserManagedDependencies = PropertyValidation.ParseBoolOrDefault(UserManagedDependencies, false),
                CondaExecutable = CondaExecutable,
                PipIndexUrl = PipIndexUrl,
                CondaChannels = CondaChannels.Select(i => (i.ItemSpec, At(i, "MlEnvCondaChannel"))).ToList(),
                CondaPackages = CondaPackages.Select(i => new CondaPackageItem(i.ItemSpec, i.Meta("Version"), i.Meta("Channel"), i.Meta("Build"), At(i, "MlEnvCondaPackage"))).ToList(),
                PipPackages = PipPackages.Select(i => new PipPackageItem(i.ItemSpec, i.Meta("Version"), i.Meta("Extras"), i.Meta("Markers"), At(i, "MlEnvPipPackage"))).ToList(),
                PipExtraIndexUrls = PipExtraIndexUrls.Select(i => (i.ItemSpec, At(i, "MlEnvPipExtraIndexUrl"))).ToList(),
                PipFindLinks = PipFindLinks.Select(i => (i.ItemSpec, At(i, "MlEnvPipFindLinks"))).ToList(),
                PipWheels = PipWheels.Select(i => i.GetMetadata("FullPath")).ToList(),
                CondaSpecifications = CondaSpecifications.Select(i => i.GetMetadata("FullPath")).ToList(),
                PipRequirements = PipRequirements.Select(i => i.GetMetadata("FullPath")).ToList(),
                ExistingCondaEnvironments = ExistingCondaEnvironments.Select(i => i.GetMetadata("FullPath")).ToList(),
                AptPackages = AptPackages.Select(i => new AptPackageItem(i.ItemSpec, i.Meta("Version"), At(i, "MlEnvAptPackage"))).ToList(),
                Variables = Variables.Select(i => new NamedValueItem(i.ItemSpec, i.GetMetadata("Value"), At(i, "MlEnvVariable"))).ToList(),
                Labels = Labels.Select(i => new NamedValueItem(i.ItemSpec, i.GetMetadata("Value"), At(i, "MlEnvLabel"))).ToList(),
            },
            Parents = ReferencedEnvironments.Select(r => new ParentDefinitionFile(r.ItemSpec, r.GetMetadata("Name"), r.GetMetadata("Hash"), r.GetMetadata("Repository"))).ToList(),
            Curated = Curated,
            CuratedDirectory = CuratedDirectory ?? "",
            References = References.Select(r => new RegisteredReference(r.ItemSpec, r.GetMetadata("Version"), At(r, "MlEnvReference"))).ToList(),
            Store = Store,
            SharedRegistry = Catalogs.SharedRegistry(Registry, PropertyValidation.ParseBoolOrDefault(RegistryStore, true)),
        };

        var result = DefinitionComposition.Compose(request);
        foreach (var note in result.Notes) Log.LogMessage(MessageImportance.Normal, "MlEnv: " + note);
        var fileItems = new[] { (PipWheels, "MlEnvPipWheel"), (PipRequirements, "MlEnvPipRequirements"), (CondaSpecifications, "MlEnvCondaSpecification"), (ExistingCondaEnvironments, "MlEnvExistingCondaEnvironment") };
        var globals = (BuildEngine as IBuildEngine6)?.GetGlobalProperties().Keys.ToList() ?? [];
        foreach (var d in result.Diagnostics) Log.Log(locations.Place(d, project, fileItems, globals), project);
        if (!result.Success) return false;

        var files = GeneratedEnvironment.Write(result.Definition!, OutputDirectory, result.InputFiles);
        Hash = files.Hash;
        GeneratedFiles = files.Written.Select(f => (ITaskItem)new TaskItem(f)).ToArray();
        Log.LogMessage(MessageImportance.Normal, $"MlEnv: environment '{Name}' has definition hash {Hash}");
        return !Log.HasLoggedErrors;
    }
}
