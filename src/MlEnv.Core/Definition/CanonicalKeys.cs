namespace MlEnv.Definition;

/// <summary>
/// The canonical definition's schema, written down once. <see cref="CanonicalJson"/> writes it, <see cref="CanonicalReader"/>
/// reads it back and <see cref="DefinitionDiff"/> compares two of it, all through these keys. Its shape (keys sorted
/// ordinally in the bytes, null values left out, lists in canonical order):
/// <code>
/// { formatVersion, python, manager, gpu, userManagedDependencies,
///   base:      { image } | { dockerfileSha256 },
///   apt:       [ { name, version } ],
///   conda:     { channels: [ … ], packages: [ { name, spec } ], executable },
///   pip:       { indexUrl, extraIndexUrls: [ … ], findLinks: [ … ], pre, packages: [ { name, requirement, hashes } ], constraints: [ … ] },
///   wheels:    [ { fileName, sha256, size } ],
///   variables: { NAME: value }, labels: { key: value },
///   parent:    { name, hash, image } }            (absent without a referenced project)
/// </code>
/// Renaming a key changes every hash: bump <see cref="EnvironmentDefinition.FormatVersion"/> with it.
/// </summary>
public static class CanonicalKeys
{
    public const string FormatVersion = "formatVersion";
    public const string Python = "python";
    public const string Manager = "manager";
    public const string Gpu = "gpu";
    public const string UserManagedDependencies = "userManagedDependencies";
    public const string Base = "base";
    public const string Apt = "apt";
    public const string Conda = "conda";
    public const string Pip = "pip";
    public const string Wheels = "wheels";
    public const string Variables = "variables";
    public const string Labels = "labels";
    public const string Parent = "parent";

    // base
    public const string Image = "image";
    public const string DockerfileSha256 = "dockerfileSha256";

    // conda
    public const string Channels = "channels";
    public const string Packages = "packages";
    public const string Executable = "executable";

    // pip
    public const string IndexUrl = "indexUrl";
    public const string ExtraIndexUrls = "extraIndexUrls";
    public const string FindLinks = "findLinks";
    public const string Pre = "pre";
    public const string Constraints = "constraints";
    public const string Requirement = "requirement";
    public const string Hashes = "hashes";

    // list entries and the parent
    public const string Name = "name";
    public const string Version = "version";
    public const string Spec = "spec";
    public const string Hash = "hash";
    public const string FileName = "fileName";
    public const string Sha256 = "sha256";
    public const string Size = "size";
}
