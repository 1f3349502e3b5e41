namespace MlEnv.Definition;

public enum EnvironmentManager { Venv, Conda, UserManaged }

public sealed record CondaPackage(string Name, string Spec);

/// <summary>A pip requirement in canonical spelling; Key tells apart two entries for one package with different markers.</summary>
public sealed record PipPackage(string Name, string Requirement, IReadOnlyList<string> Hashes)
{
    public string Key => Requirement.Contains(';') ? Name + ";" + Requirement[(Requirement.IndexOf(';') + 1)..].Trim() : Name;
}

/// <summary>A private wheel: identified by its bytes, not its path. SourcePath is where to read it and never hashed.</summary>
public sealed record WheelFile(string FileName, string Sha256, long Size, string SourcePath);

public sealed record AptPackage(string Name, string? Version)
{
    public string Argument => Version is null ? Name : $"{Name}={Version}";
}

/// <summary>Index configuration without credentials; those live in <see cref="PipCredentials"/>, outside every definition.</summary>
public sealed record PipIndex(string? IndexUrl, IReadOnlyList<string> ExtraIndexUrls, IReadOnlyList<string> FindLinks, bool Pre)
{
    public static readonly PipIndex Default = new(null, [], [], false);
}

/// <summary>Index credentials. Never serialised, hashed, logged or written to a generated file.</summary>
public sealed record PipCredentials(string Username, string Password)
{
    public override string ToString() => "PipCredentials(***)";
}

/// <summary>Either an image reference or the bytes of a base Dockerfile.</summary>
public sealed record BaseSpec(string? Image, string? Dockerfile, string? DockerfileSha256)
{
    public static BaseSpec FromImage(string image) => new(image, null, null);
}

/// <summary>
/// Another MlEnv project's environment that this one builds FROM (a ProjectReference). Its image is the base, and its
/// full hash is part of this definition's hash, so a change to it rebuilds this environment.
/// </summary>
public sealed record ParentEnvironment(string Name, string Hash, string Image);

/// <summary>
/// A resolved environment definition. Everything here except <see cref="Name"/> and wheel source paths is part of
/// the canonical form and so of the hash.
/// </summary>
public sealed record EnvironmentDefinition
{
    /// <summary>Bumped whenever canonicalisation or generation changes what a definition means; part of the hash.</summary>
    public const int CurrentFormatVersion = 1;

    public required string Name { get; init; }
    public int FormatVersion { get; init; } = CurrentFormatVersion;
    public string? PythonVersion { get; init; }
    public required BaseSpec Base { get; init; }
    public IReadOnlyList<string> CondaChannels { get; init; } = [];
    public IReadOnlyList<CondaPackage> CondaPackages { get; init; } = [];
    public string CondaExecutable { get; init; } = "micromamba";
    public PipIndex PipIndex { get; init; } = PipIndex.Default;
    public IReadOnlyList<PipPackage> PipPackages { get; init; } = [];
    public IReadOnlyList<string> PipConstraints { get; init; } = [];
    public IReadOnlyList<WheelFile> Wheels { get; init; } = [];
    public IReadOnlyList<AptPackage> AptPackages { get; init; } = [];
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
    public bool UserManagedDependencies { get; init; }
    public bool Gpu { get; init; }
    /// <summary>The referenced project's environment this one is layered on; its image is <see cref="Base"/>.</summary>
    public ParentEnvironment? Parent { get; init; }

    /// <summary>What creates the python environment: conda (micromamba), a venv on the base image's python3, or the user.</summary>
    public EnvironmentManager Manager { get; init; } = EnvironmentManager.Venv;

    public bool UsesConda => Manager == EnvironmentManager.Conda;
    public bool HasPip => PipPackages.Count > 0 || Wheels.Count > 0;
}
