namespace MlEnv.Tool.Cli;

/// <summary>The exit codes CI can rely on (docs/tool.md lists them).</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>A failure reported as an MLENV diagnostic on stderr.</summary>
    public const int Failed = 1;
    /// <summary>The command line itself is wrong: an unknown command or option, a missing or extra argument.</summary>
    public const int Usage = 2;
    /// <summary>explain --exit-code found a difference (or the next build would rebuild).</summary>
    public const int Differences = 3;
    /// <summary>Ctrl+C: the command stopped (a run's container is removed).</summary>
    public const int Cancelled = 130;
}
