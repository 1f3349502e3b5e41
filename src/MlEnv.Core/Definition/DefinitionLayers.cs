using MlEnv.Specs;

namespace MlEnv.Definition;

/// <summary>
/// One environment on top of another: a project on a curated or a registered environment. What the upper layer
/// names itself wins (scalars when set; packages, apt packages, variables and labels by name); the rest adds up.
/// </summary>
public static class DefinitionLayers
{
    public static DefinitionInputs Layer(DefinitionInputs lower, DefinitionInputs upper)
    {
        static string? Pick(string? up, string? low) => string.IsNullOrWhiteSpace(up) ? low : up;
        static List<T> Merge<T>(IEnumerable<T> low, IEnumerable<T> up, Func<T, string> key)
        {
            var names = up.Select(key).ToHashSet(StringComparer.Ordinal);
            return low.Where(l => !names.Contains(key(l))).Concat(up).ToList();
        }
        bool upperHasBase = !string.IsNullOrWhiteSpace(upper.BaseImage) || !string.IsNullOrWhiteSpace(upper.BaseDockerfile);
        return new DefinitionInputs
        {
            Name = upper.Name,
            Project = upper.Project,
            PythonVersion = Pick(upper.PythonVersion, lower.PythonVersion),
            BaseImage = upperHasBase ? upper.BaseImage : lower.BaseImage,
            BaseDockerfile = upperHasBase ? upper.BaseDockerfile : lower.BaseDockerfile,
            BaseImageRegistry = Pick(upper.BaseImageRegistry, lower.BaseImageRegistry),
            Gpu = upper.Gpu is null or "" or "auto" ? Pick(lower.Gpu, upper.Gpu) : upper.Gpu,
            GpuBaseImage = Pick(upper.GpuBaseImage, lower.GpuBaseImage),
            UserManagedDependencies = upper.UserManagedDependencies || lower.UserManagedDependencies,
            CondaExecutable = Pick(upper.CondaExecutable, lower.CondaExecutable),
            PipIndexUrl = Pick(upper.PipIndexUrl, lower.PipIndexUrl),
            PipPre = upper.PipPre || lower.PipPre,
            PipCredentials = upper.PipCredentials ?? lower.PipCredentials,
            Parent = upper.Parent ?? lower.Parent,
            CondaChannels = lower.CondaChannels.Concat(upper.CondaChannels).ToList(),
            CondaPackages = Merge(lower.CondaPackages, upper.CondaPackages, c => CondaName(c.Name)),
            PipPackages = Merge(lower.PipPackages, upper.PipPackages, p => PipName(p.Name)),
            PipExtraIndexUrls = lower.PipExtraIndexUrls.Concat(upper.PipExtraIndexUrls).ToList(),
            PipFindLinks = lower.PipFindLinks.Concat(upper.PipFindLinks).ToList(),
            PipWheels = Merge(lower.PipWheels, upper.PipWheels, w => Path.GetFileName(w)),
            CondaSpecifications = lower.CondaSpecifications.Concat(upper.CondaSpecifications).ToList(),
            PipRequirements = lower.PipRequirements.Concat(upper.PipRequirements).ToList(),
            ExistingCondaEnvironments = lower.ExistingCondaEnvironments.Concat(upper.ExistingCondaEnvironments).ToList(),
            AptPackages = Merge(lower.AptPackages, upper.AptPackages, a => a.Name.Trim()),
            Variables = Merge(lower.Variables, upper.Variables, v => v.Name),
            Labels = Merge(lower.Labels, upper.Labels, l => l.Name),
        };
    }

    /// <summary>A resolved definition as the lower layer: its canonical spellings are valid item values as they are.</summary>
    public static DefinitionInputs FromDefinition(EnvironmentDefinition d, SourceLocation source) => new()
    {
        Name = d.Name,
        PythonVersion = d.PythonVersion,
        BaseImage = d.Base.Image,
        Gpu = d.Gpu ? "true" : "false",
        UserManagedDependencies = d.UserManagedDependencies,
        CondaExecutable = d.CondaExecutable,
        PipIndexUrl = d.PipIndex.IndexUrl,
        PipPre = d.PipIndex.Pre,
        CondaChannels = d.CondaChannels.Select(c => (c, source)).ToList(),
        CondaPackages = d.CondaPackages.Select(c => new CondaPackageItem(c.Spec, null, null, null, source)).ToList(),
        PipPackages = d.PipPackages.Select(p => new PipPackageItem(p.Requirement, null, null, null, source)).ToList(),
        PipExtraIndexUrls = d.PipIndex.ExtraIndexUrls.Select(u => (u, source)).ToList(),
        PipFindLinks = d.PipIndex.FindLinks.Select(u => (u, source)).ToList(),
        PipWheels = d.Wheels.Select(w => w.SourcePath).ToList(),
        AptPackages = d.AptPackages.Select(a => new AptPackageItem(a.Name, a.Version, source)).ToList(),
        Variables = d.Variables.Select(v => new NamedValueItem(v.Key, v.Value, source)).ToList(),
        Labels = d.Labels.Select(l => new NamedValueItem(l.Key, l.Value, source)).ToList(),
    };

    // Items name packages either plainly ("numpy") or with a full spec ("conda-forge::numpy 1.26.*", "numpy>=1"):
    // layering compares the package names.
    private static string PipName(string item) =>
        Pep508Requirement.TryParse(item, out var r, out _, out _) ? r.NormalizedName : PackageName.Normalize(item.Trim());

    private static string CondaName(string item) =>
        MatchSpec.TryParse(item, out var m, out _) ? m.NormalizedName : item.Trim().ToLowerInvariant();
}
