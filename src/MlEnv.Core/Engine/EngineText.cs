using System.Text;

namespace MlEnv.Engine;

/// <summary>
/// Text that comes from the engine (build output, registry answers, container logs) before MlEnv logs it: the
/// engine passes through whatever a RUN step prints, colour codes and cursor moves included, and MSBuild would put
/// them verbatim into errors, binlogs and CI annotations.
/// </summary>
public static class EngineText
{
    private const char Escape = '\u001b';

    /// <summary>
    /// Removes ANSI escape sequences (CSI, OSC, and two-byte escapes) and every other control character except tab;
    /// a carriage return keeps only what a terminal would show last on that line. Linear in the input.
    /// </summary>
    public static string Clean(string text)
    {
        if (!NeedsCleaning(text)) return text;
        // Line by line, so a carriage return rewrites only its own line; the lines are joined with a space.
        if (text.Contains('\n'))
            return string.Join(' ', text.Split('\n').Select(CleanLine).Where(l => l.Length > 0));
        return CleanLine(text);
    }

    private static string CleanLine(string text)
    {
        var end = text.Length;
        while (end > 0 && text[end - 1] == '\r') end--;
        var start = end > 0 ? text.LastIndexOf('\r', end - 1) + 1 : 0;
        var sb = new StringBuilder(end - start);
        for (int i = start; i < end; i++)
        {
            var c = text[i];
            if (c == Escape) { i = Math.Min(SkipEscape(text, i), end - 1); continue; }
            // U+009B is the one-character form of CSI.
            if (c == '\u009b') { i = Math.Min(SkipCsi(text, i + 1), end - 1); continue; }
            if (c == '\t' || !IsControl(c)) sb.Append(c);
        }
        return sb.ToString();
    }

    private static bool NeedsCleaning(string text)
    {
        foreach (var c in text)
            if (c != '\t' && IsControl(c)) return true;
        return false;
    }

    // C0, DEL, C1 and the Unicode line and paragraph separators, which split a log line as a newline would.
    private static bool IsControl(char c) => c < ' ' || c is >= '\u007f' and <= '\u009f' || c is '\u2028' or '\u2029';

    /// <summary>Returns the index of the escape sequence's last character.</summary>
    private static int SkipEscape(string text, int i)
    {
        if (i + 1 >= text.Length) return i;
        var next = text[i + 1];
        if (next == '[') return SkipCsi(text, i + 2);
        if (next == ']' || next == 'P' || next == '_' || next == '^' || next == 'X')
        {
            // OSC / DCS / APC / PM / SOS: up to BEL or ST (ESC \).
            for (int j = i + 2; j < text.Length; j++)
            {
                if (text[j] == '\u0007') return j;
                if (text[j] == Escape && j + 1 < text.Length && text[j + 1] == '\\') return j + 1;
            }
            return text.Length - 1;
        }
        // ESC, then intermediates (0x20-0x2F), then one final character.
        int k = i + 1;
        while (k < text.Length && text[k] is >= ' ' and <= '/') k++;
        return Math.Min(k, text.Length - 1);
    }

    /// <summary>CSI: parameters (0x30-0x3F), intermediates (0x20-0x2F), one final byte (0x40-0x7E).</summary>
    private static int SkipCsi(string text, int j)
    {
        while (j < text.Length && text[j] is >= '0' and <= '?') j++;
        while (j < text.Length && text[j] is >= ' ' and <= '/') j++;
        return Math.Min(j, text.Length - 1);
    }
}
