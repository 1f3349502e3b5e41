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

    // Validation keeps line breaks out of every definition value; this is the last line of defence, since a line
    // break in a Dockerfile starts a new instruction.
    private static void RejectLineBreaks(string value)
    {
        if (value.IndexOfAny(['\n', '\r', '\0']) >= 0)
            throw new ArgumentException("A value with a line break or NUL cannot be written into a Dockerfile.", nameof(value));
    }
}
