using System.Globalization;
using MlEnv.Diagnostics;

namespace MlEnv.Definition;

/// <summary>
/// The characters no value may carry into a generated file: every parser MlEnv writes for (Dockerfile, shell,
/// YAML, pip) splits lines or stops at some of them, and NEL, LS and PS count as line breaks for YAML.
/// </summary>
public static class TextRules
{
    public static bool IsForbidden(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';

    /// <summary>The index of the first forbidden character, or -1.</summary>
    public static int FirstForbidden(string value)
    {
        for (var i = 0; i < value.Length; i++)
            if (IsForbidden(value[i])) return i;
        return -1;
    }

    /// <summary>
    /// MLENV1045 for <paramref name="value"/>, or null when it is clean. The value is shown with the character escaped,
    /// through <paramref name="show"/> when it may hold a secret.
    /// </summary>
    public static Diagnostic? Check(string what, string value, Func<string, string>? show = null)
    {
        var i = FirstForbidden(value);
        if (i < 0) return null;
        var shown = Visible(value);
        if (shown.Length > 300) shown = shown[..300] + "…";
        return DiagnosticCatalog.ForbiddenCharacter.Create(what, show is null ? shown : show(shown), ((int)value[i]).ToString("X4", CultureInfo.InvariantCulture), i + 1);
    }

    /// <summary>The value with forbidden characters written as \uXXXX, so that a message cannot itself break a log line.</summary>
    public static string Visible(string value)
    {
        if (FirstForbidden(value) < 0) return value;
        var sb = new System.Text.StringBuilder(value.Length + 8);
        foreach (var c in value) sb.Append(IsForbidden(c) ? $"\\u{(int)c:X4}" : c.ToString());
        return sb.ToString();
    }
}
