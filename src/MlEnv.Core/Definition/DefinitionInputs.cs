using MlEnv.Specs;

namespace MlEnv.Definition;

public sealed record CondaPackageItem(string Name, string? Version, string? Channel, string? Build, SourceLocation Source);
public sealed record PipPackageItem(string Name, string? Version, string? Extras, string? Markers, SourceLocation Source);
public sealed record AptPackageItem(string Name, string? Version, SourceLocation Source);
public sealed record NamedValueItem(string Name, string Value, SourceLocation Source);

/// <summary>A referenced project's environment: who it is, and its resolved definition (python, manager, GPU).</summary>
public sealed record ParentInput(ParentEnvironment Environment, EnvironmentDefinition Definition);

/// <summary>Everything a project declares, before resolution. The MSBuild task fills it from properties and items.</summary>
public sealed record DefinitionInputs
{
    public required string Name { get; init; }
    /// <summary>The project file: where diagnostics about properties and items point.</summary>
    public SourceLocation Project { get; init; } = SourceLocation.None;
    public string? PythonVersion { get; init; }
    public string? BaseImage { get; init; }
    public string? BaseImageRegistry { get; init; }
    public string? BaseDockerfile { get; init; }
    public string? Gpu { get; init; }
    public string? GpuBaseImage { get; init; }
    public bool UserManagedDependencies { get; init; }
    public string? CondaExecutable { get; init; }
    public string? PipIndexUrl { get; init; }
    public bool PipPre { get; init; }
    /// <summary>Index credentials from the environment (MLENV_PIP_INDEX_USERNAME/PASSWORD); userinfo in the URL also counts.</summary>
    public PipCredentials? PipCredentials { get; init; }
    /// <summary>The environment of a referenced MlEnv project, which this one is built FROM.</summary>
    public ParentInput? Parent { get; init; }

    public List<(string Channel, SourceLocation Source)> CondaChannels { get; init; } = [];
    public List<CondaPackageItem> CondaPackages { get; init; } = [];
    public List<PipPackageItem> PipPackages { get; init; } = [];
    public List<(string Url, SourceLocation Source)> PipExtraIndexUrls { get; init; } = [];
    public List<(string Url, SourceLocation Source)> PipFindLinks { get; init; } = [];
    public List<string> PipWheels { get; init; } = [];
    public List<string> CondaSpecifications { get; init; } = [];
    public List<string> PipRequirements { get; init; } = [];
    public List<string> ExistingCondaEnvironments { get; init; } = [];
    public List<AptPackageItem> AptPackages { get; init; } = [];
    public List<NamedValueItem> Variables { get; init; } = [];
    public List<NamedValueItem> Labels { get; init; } = [];
}

/// <summary>The outcome of resolution: a definition when there were no errors, and every diagnostic either way.</summary>
/// <param name="InputFiles">Every file resolution read (spec files and their includes, wheels, conda metadata), full paths.</param>
public sealed record DefinitionResult(EnvironmentDefinition? Definition, IReadOnlyList<Diagnostics.Diagnostic> Diagnostics, PipCredentials? Credentials, IReadOnlyCollection<string> InputFiles)
{
    public bool Success => Definition is not null;
}
