using System.Diagnostics;

namespace MlEnv.Tests;

/// <summary>
/// A test that needs Debian's python3-packaging (for /usr/bin/python3). Skipped with the reason when it is missing,
/// except in CI (CI=true), where a missing oracle must fail rather than pass silently.
/// </summary>
public sealed class OracleFactAttribute : FactAttribute
{
    public const string Python = "/usr/bin/python3";

    public OracleFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("CI") is "true" or "1") return;
        if (!Available.Value) Skip = "Debian's python3-packaging is not installed (apt-get install python3-packaging).";
    }

    private static readonly Lazy<bool> Available = new(() =>
    {
        if (!File.Exists(Python)) return false;
        try
        {
            using var p = Process.Start(new ProcessStartInfo(Python, ["-c", "import packaging.requirements"]) { RedirectStandardError = true })!;
            p.WaitForExit(10_000);
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    });
}
