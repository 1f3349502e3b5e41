using System.Diagnostics;

namespace MlEnv.Tests;

/// <summary>
/// A test that needs pip's own requirements-file reader (pip._internal, as `python3` on PATH or /usr/bin/python3 has
/// it). Skipped with the reason when neither has it, except in CI (CI=true), where a missing oracle must fail.
/// </summary>
public sealed class PipOracleFactAttribute : FactAttribute
{
    public PipOracleFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("CI") is "true" or "1") return;
        if (Python.Value is null) Skip = "No python3 with pip importable (apt-get install python3-pip).";
    }

    /// <summary>The first python that can import pip's requirements-file reader; in CI the PATH one, to fail loudly.</summary>
    public static readonly Lazy<string?> Python = new(() =>
    {
        foreach (var candidate in new[] { "python3", "/usr/bin/python3" })
        {
            try
            {
                using var p = Process.Start(new ProcessStartInfo(candidate, ["-c", "import pip._internal.req.req_file"]) { RedirectStandardError = true })!;
                p.WaitForExit(20_000);
                if (p.ExitCode == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception) { }
        }
        return Environment.GetEnvironmentVariable("CI") is "true" or "1" ? "python3" : null;
    });
}
