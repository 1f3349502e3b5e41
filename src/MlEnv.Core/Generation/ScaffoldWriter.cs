using MlEnv.Diagnostics;

namespace MlEnv.Generation;

/// <summary>Writes a new environment project (see <see cref="Scaffold"/>) into a folder; never over an existing one.</summary>
public static class ScaffoldWriter
{
    /// <param name="name">The project's name; by default the folder's name.</param>
    /// <param name="setting">How the folder was given (MlEnvScaffoldDir, a command's argument), for the diagnostic.</param>
    public static (string? Project, Diagnostic? Problem) Write(string directory, string? name, string sdkVersion, string setting)
    {
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
