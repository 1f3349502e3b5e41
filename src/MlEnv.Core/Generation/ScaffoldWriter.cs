using MlEnv.Diagnostics;

namespace MlEnv.Generation;

/// <summary>Writes a new environment project (see <see cref="Scaffold"/>) into a folder; never over an existing one.</summary>
public static class ScaffoldWriter
{
    /// <param name="name">The project's name; by default the folder's name.</param>
    /// <param name="setting">How the folder was given (MlEnvScaffoldDir, a command's argument), for the diagnostic.</param>
    public static (string? Project, Diagnostic? Problem) Write(string directory, string? name, string sdkVersion, string setting)
    {
        // The version goes into the project's Sdk attribute, the name into its file name: a NuGet version and a plain
        // file name only, so neither can add XML to the project nor write it outside the folder.
        if (!NuGet.Versioning.NuGetVersion.TryParse(sdkVersion, out _) || Definition.TextRules.FirstForbidden(sdkVersion) >= 0)
            return (null, DiagnosticCatalog.InvalidStoreRequest.Create($"'{Definition.TextRules.Visible(sdkVersion)}' is not a NuGet version for MlEnv.Sdk."));
        if (name is { Length: > 0 } given && (given != Path.GetFileName(given) || given is "." or ".." || Definition.TextRules.FirstForbidden(given) >= 0
            || given.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || given.IndexOfAny(['<', '>', '"', '\'', '&', '\\', '/', ':', '*', '?', '|']) >= 0))
            return (null, DiagnosticCatalog.InvalidStoreRequest.Create($"'{Definition.TextRules.Visible(given)}' is not a plain project name (a file name, without a path)."));
        try
        {
            name = name is { Length: > 0 } n ? n : Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
            var project = Path.Combine(directory, name + ".csproj");
            if (File.Exists(project))
                return (null, DiagnosticCatalog.InvalidStoreRequest.Create($"{project} exists already; scaffold writes only new projects."));
            Directory.CreateDirectory(directory);
            File.WriteAllText(project, Scaffold.Project(sdkVersion));
            return (Path.GetFullPath(project), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return (null, DiagnosticCatalog.OutputUnwritable.Create(setting, directory, e.Message));
        }
    }
}
