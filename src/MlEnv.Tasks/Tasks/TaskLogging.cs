using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using MlEnv.Diagnostics;
using MlEnv.Engine;

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

/// <summary>Build output in the MSBuild log: step headers at normal verbosity, every line of detail at low.</summary>
internal sealed class MsBuildOutput(TaskLoggingHelper log, string project) : IBuildOutput
{
    // Steps such as the definition label can be kilobytes long: the console gets the head, build.log all of it.
    public void Step(string line) => log.LogMessage(MessageImportance.High, "  " + (line.Length > 160 ? line[..160] + "…" : line));
    public void Detail(string line) => log.LogMessage(MessageImportance.Low, "  " + line);
    public void Info(string message) => log.LogMessage(MessageImportance.High, "MlEnv: " + message);
    public void Warn(Diagnostic diagnostic) => log.Log(diagnostic, project);
}

internal static class SdkInfo
{
    /// <summary>The package version the task assembly was built with, in NuGet's normal form.</summary>
    public static readonly string Version = Read();

    private static string Read()
    {
        var informational = typeof(SdkInfo).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0];
        return NuGet.Versioning.NuGetVersion.TryParse(informational, out var version) ? version.ToNormalizedString() : "0.0.0";
    }
}
