using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using MlEnv.Diagnostics;

namespace MlEnv.Tasks;

internal static class TaskLogging
{
    /// <summary>Logs a diagnostic with its code and position; one without a file points at the project.</summary>
    public static void Log(this TaskLoggingHelper log, Diagnostic d, string projectFile)
    {
        var file = d.File ?? projectFile;
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
