using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using MlEnv.Diagnostics;
using MlEnv.Images;

namespace MlEnv.Tasks;

internal static class TaskLogging
{
    /// <summary>
    /// Logs a diagnostic with its code and position; one without a file points at the project, and so does one that
    /// would name a file of MlEnv's own SDK (an item or property MlEnv's targets define is still the project's input).
    /// </summary>
    public static void Log(this TaskLoggingHelper log, Diagnostic d, string projectFile)
    {
        var file = d.File ?? projectFile;
        if (SdkFiles.IsOwn(file) && !SdkFiles.IsOwn(projectFile)) (file, d) = (projectFile, d with { Line = 0, Column = 0 });
        switch (d.Severity)
        {
            case DiagnosticSeverity.Error:
                log.LogError(null, d.Code, null, file, d.Line, d.Column, 0, 0, d.Message);
                break;
            case DiagnosticSeverity.Warning:
                log.LogWarning(null, d.Code, null, file, d.Line, d.Column, 0, 0, d.Message);
                break;
            default:
                log.LogMessage(null, d.Code, null, file, d.Line, d.Column, 0, 0, MessageImportance.High, d.Message);
                break;
        }
    }

    public static string? Meta(this ITaskItem item, string name) =>
        item.GetMetadata(name) is { Length: > 0 } v ? v : null;
}

/// <summary>
/// Build output in the MSBuild log: step headers at normal verbosity, every line of detail at low. With a
/// <see cref="TerminalProgress"/> (MlEnvTerminalProgress under the terminal logger), step headers and info lines also
/// become the project's live line; the logged text stays the same.
/// </summary>
internal sealed class MsBuildOutput(TaskLoggingHelper log, string project, TerminalProgress? live = null) : IBuildOutput
{
    // Steps such as the definition label can be kilobytes long: the console gets the head, build.log all of it.
    public void Step(string line) => High("  " + (line.Length > 160 ? line[..160] + "…" : line), line);
    public void Detail(string line) => log.LogMessage(MessageImportance.Low, "  " + line);
    public void Info(string message) => High("MlEnv: " + message, message);
    public void Warn(Diagnostic diagnostic) => log.Log(diagnostic, project);

    /// <summary>
    /// What the task is about to do, for the live line only (the reuse check, a push, the bundle): nothing without
    /// the terminal logger's live line, so the classic output stays as it was.
    /// </summary>
    public void Progress(string message) => live?.Show("MlEnv: " + message, message);

    private void High(string message, string display)
    {
        if (live is not null) live.Show(message, display);
        else log.LogMessage(MessageImportance.High, message);
    }
}

internal static class SdkFiles
{
    /// <summary>The package folder the task assembly was loaded from (tools/net10.0/ → the package root).</summary>
    private static readonly string? Root = FindRoot();

    private static string? FindRoot()
    {
        var dir = Path.GetDirectoryName(typeof(SdkFiles).Assembly.Location);
        var parent = dir is null ? null : Directory.GetParent(dir)?.Parent;
        return parent is not null && File.Exists(Path.Combine(parent.FullName, "build", "MlEnv.Sdk.targets")) ? parent.FullName : null;
    }

    private static readonly HashSet<string> OwnFileNames = new(StringComparer.Ordinal)
    {
        "MlEnv.Sdk.props", "MlEnv.Sdk.targets", "MlEnv.Definition.targets", "MlEnv.Image.targets", "MlEnv.Store.targets",
        "MlEnv.Run.targets", "MlEnv.Publish.targets", "MlEnv.DesignTime.targets", "MlEnv.Standalone.targets",
    };

    /// <summary>True for MlEnv.Sdk's own props and targets (the files a user cannot edit).</summary>
    public static bool IsOwn(string? file)
    {
        if (string.IsNullOrEmpty(file)) return false;
        if (Path.GetFileName(file) is { } name && OwnFileNames.Contains(name)) return true;
        return Root is not null && file.IndexOf('\0') < 0 && Path.GetFullPath(file).StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }
}
