using MlEnv.Definition;

namespace MlEnv.Store;

/// <summary>Where registered environments are read from: the local store folder, or a registry shared by a team.</summary>
public interface IEnvironmentCatalog
{
    /// <summary>The folder or the registry, for messages.</summary>
    string Location { get; }
    IReadOnlyList<string> Names();
    /// <summary>The versions registered under a name, oldest first.</summary>
    IReadOnlyList<StoredEnvironment> Versions(string name);
    EnvironmentDefinition Definition(StoredEnvironment entry);
}

public static class EnvironmentCatalog
{
    /// <summary>The newest version in the range ("2", "[2,3)", or "*" for any), or null.</summary>
    public static StoredEnvironment? Resolve(this IEnvironmentCatalog catalog, string name, string? range)
    {
        var versions = catalog.Versions(name);
        if (string.IsNullOrWhiteSpace(range) || range.Trim() == "*") return versions.LastOrDefault();
        if (!NuGet.Versioning.VersionRange.TryParse(range.Trim(), out var parsed)) return null;
        return versions.LastOrDefault(v => parsed.Satisfies(v.NuGetVersion));
    }

    /// <summary>Resolve, or a diagnostic naming what is registered.</summary>
    public static StoredEnvironment? Find(this IEnvironmentCatalog catalog, string name, string? range, out Diagnostics.Diagnostic? error)
    {
        error = null;
        // Checked first: a name or range that cannot match is a mistake to name, not a list of what is registered.
        if (!DefinitionBuilder.IsValidEnvironmentName(name))
        {
            error = Diagnostics.DiagnosticCatalog.InvalidName.Create(TextRules.Visible(name));
            return null;
        }
        if (!string.IsNullOrWhiteSpace(range) && range.Trim() != "*" && !NuGet.Versioning.VersionRange.TryParse(range.Trim(), out _))
        {
            error = Diagnostics.DiagnosticCatalog.InvalidStoreRequest.Create($"'{TextRules.Visible(range)}' is not a version or version range (use 2, [2,3) or *).");
            return null;
        }
        if (catalog.Resolve(name, range) is { } found) return found;
        var registered = catalog.Names().Select(n => $"{n} (v{string.Join(", v", catalog.Versions(n).Select(v => v.Version))})").ToList();
        error = Diagnostics.DiagnosticCatalog.NoRegisteredEnvironment.Create(name, string.IsNullOrWhiteSpace(range) ? "*" : range,
            registered.Count == 0 ? $"nothing, in {catalog.Location}" : string.Join("; ", registered));
        return null;
    }
}
