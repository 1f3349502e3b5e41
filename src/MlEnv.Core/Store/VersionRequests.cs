namespace MlEnv.Store;

/// <summary>How a command names one version: a bare number is that exact version ("2"); a range or "*" its newest match.</summary>
public static class VersionRequests
{
    /// <summary>The version asked for, or null with the diagnostic naming what is registered.</summary>
    public static StoredEnvironment? FindVersion(this IEnvironmentCatalog catalog, string name, string? version, out Diagnostics.Diagnostic? error)
    {
        // int.TryParse takes trailing NULs as white space: a version with a control character is refused, not read as the number before it.
        if (version is not null && Definition.TextRules.FirstForbidden(version) >= 0)
        {
            error = Diagnostics.DiagnosticCatalog.InvalidStoreRequest.Create($"the version '{Definition.TextRules.Visible(version.Length > 100 ? version[..100] + "…" : version)}' holds a control character");
            return null;
        }
        if (int.TryParse(version, System.Globalization.NumberStyles.AllowLeadingWhite | System.Globalization.NumberStyles.AllowTrailingWhite, System.Globalization.CultureInfo.InvariantCulture, out var exact)) version = $"[{exact}]";
        return catalog.Find(name, version, out error);
    }
}
