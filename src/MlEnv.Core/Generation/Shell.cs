namespace MlEnv.Generation;

/// <summary>Quoting for the two languages a Dockerfile mixes: POSIX shell words in RUN, and Dockerfile values in ENV/LABEL.</summary>
public static class Shell
{
    /// <summary>One POSIX shell word: single quotes, with embedded single quotes closed and reopened.</summary>
    public static string Quote(string value)
    {
        RejectLineBreaks(value);
        return "'" + value.Replace("'", "'\"'\"'", StringComparison.Ordinal) + "'";
    }

    /// <summary>A double-quoted Dockerfile value: backslash, quote and '$' escaped so nothing is substituted.</summary>
    public static string DockerfileValue(string value)
    {
        RejectLineBreaks(value);
        return "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("$", "\\$", StringComparison.Ordinal) + "\"";
    }

    // Validation refuses these characters in every definition value with a coded diagnostic (MLENV1045 and the
    // anchored name patterns); this is the last line of defence, since a line break in a Dockerfile starts a new
    // instruction. Reaching it is a bug in validation, not bad input.
    private static void RejectLineBreaks(string value)
    {
        if (Definition.TextRules.FirstForbidden(value) >= 0)
            throw new ArgumentException("A value with a control character or line separator cannot be written into a Dockerfile.", nameof(value));
    }
}
