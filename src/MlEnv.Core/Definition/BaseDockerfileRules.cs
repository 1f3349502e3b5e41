using System.Text.Json;
using System.Text.RegularExpressions;
using MlEnv.Diagnostics;
using MlEnv.Specs;

namespace MlEnv.Definition;

/// <summary>
/// Checks a base Dockerfile that MlEnv's own instructions are appended to. Its text must leave MlEnv's lines parsed
/// as MlEnv wrote them: no escape directive other than '\', no frontend other than docker/dockerfile, and no line
/// continuation or heredoc still open at the end. It may not use the build context, which holds only generated files.
/// </summary>
public static partial class BaseDockerfileRules
{
    // Docker's own directive pattern (moby/buildkit frontend/dockerfile/parser/directives.go), with the value's
    // surrounding blanks trimmed in code: a lazy group followed by [ \t]*\z is quadratic on a long run of blanks.
    [GeneratedRegex(@"^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=(.*)\z")]
    private static partial Regex Directive();

    [GeneratedRegex(@"^(docker\.io/)?docker/dockerfile(-upstream)?(:[A-Za-z0-9][A-Za-z0-9._-]{0,127})?(@sha256:[a-f0-9]{64})?\z")]
    private static partial Regex OfficialFrontend();

    // Docker's continuation: the escape character followed only by blanks at the end of a line.
    [GeneratedRegex(@"\\[ \t]*\z")]
    private static partial Regex Continuation();

    [GeneratedRegex(@"^[0-9]*<<(-?)[ \t]*(?:""([^""]*)""|'([^']*)'|([^\s'""<>|&;]+))")]
    private static partial Regex Heredoc();

    [GeneratedRegex(@"^(?:https?://|git@|git://|ssh://)", RegexOptions.IgnoreCase)]
    private static partial Regex RemoteSource();

    /// <summary>A Dockerfile instruction as Docker's parser groups it: the first physical line and the joined text.</summary>
    private sealed record Instruction(int Line, string Text);

    public static void Check(string text, string path, Action<Diagnostic, SourceLocation> report)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        if (lines.Length > 0) lines[0] = lines[0].TrimStart('\uFEFF');
        // Its lines are copied into the generated Dockerfile: a NUL, a lone CR or a Unicode line separator there is
        // refused as in every other value. A tab is ordinary Dockerfile whitespace.
        for (var n = 0; n < lines.Length; n++)
        {
            if (TextRules.Check("The base Dockerfile line", lines[n].Replace('\t', ' ')) is not { } forbidden) continue;
            report(forbidden, new SourceLocation(path, n + 1, 1));
            return;
        }
        var start = Directives(lines, path, report);
        if (start < 0) return;
        var instructions = Instructions(lines, start, path, report);
        foreach (var i in instructions)
        {
            if (UsesContext(i) is not { } kind) continue;
            report(DiagnosticCatalog.BaseDockerfileUsesContext.Create(path, kind, i.Line), new SourceLocation(path, i.Line, 1));
            break;
        }
    }

    /// <summary>Reads the parser directives at the top; returns the first line after them, or -1 after a refusal.</summary>
    private static int Directives(string[] lines, string path, Action<Diagnostic, SourceLocation> report)
    {
        var ok = true;
        int n;
        for (n = 0; n < lines.Length; n++)
        {
            var m = Directive().Match(lines[n].TrimEnd('\r'));
            var value = m.Success ? m.Groups[2].Value.Trim(' ', '\t') : "";
            if (value.Length == 0) break;
            var key = m.Groups[1].Value.ToLowerInvariant();
            string? why = key switch
            {
                "escape" when value != "\\" => "MlEnv's instructions use '\\' as the escape character; remove the directive or set it to '\\'",
                "syntax" when !OfficialFrontend().IsMatch(value) => "another frontend decides how MlEnv's instructions are read; only docker/dockerfile frontends are accepted",
                "escape" or "syntax" or "check" => null,
                _ => "",
            };
            if (why == "") break; // Docker stops reading directives at an unknown one: the rest are comments.
            if (why is null) continue;
            report(DiagnosticCatalog.BaseDockerfileDirective.Create(path, $"{key}={value}", n + 1, why), new SourceLocation(path, n + 1, 1));
            ok = false;
        }
        return ok ? n : -1;
    }

    private static List<Instruction> Instructions(string[] lines, int start, string path, Action<Diagnostic, SourceLocation> report)
    {
        var result = new List<Instruction>();
        var n = start;
        while (n < lines.Length)
        {
            var line = lines[n].TrimEnd('\r');
            if (IsBlankOrComment(line)) { n++; continue; }
            var first = n;
            var text = new System.Text.StringBuilder();
            // Docker skips blank and comment lines inside a continuation: only the next instruction text ends it.
            while (true)
            {
                var m = Continuation().Match(line);
                if (!m.Success) { text.Append(line); n++; break; }
                text.Append(line, 0, m.Index).Append(' ');
                n++;
                while (n < lines.Length && IsBlankOrComment(lines[n].TrimEnd('\r'))) n++;
                if (n >= lines.Length)
                {
                    report(DiagnosticCatalog.BaseDockerfileUnterminated.Create(path, "a line continuation ('\\' at the end of a line)", first + 1), new SourceLocation(path, first + 1, 1));
                    return result;
                }
                line = lines[n].TrimEnd('\r');
            }
            var instruction = new Instruction(first + 1, text.ToString());
            result.Add(instruction);
            foreach (var (terminator, stripTabs) in Heredocs(instruction.Text))
            {
                while (n < lines.Length && (stripTabs ? lines[n].TrimEnd('\r').TrimStart('\t') : lines[n].TrimEnd('\r')) != terminator) n++;
                if (n >= lines.Length)
                {
                    report(DiagnosticCatalog.BaseDockerfileUnterminated.Create(path, $"a heredoc ('<<{terminator}')", first + 1), new SourceLocation(path, first + 1, 1));
                    return result;
                }
                n++;
            }
        }
        return result;
    }

    private static bool IsBlankOrComment(string line)
    {
        var t = line.TrimStart(' ', '\t');
        return t.Length == 0 || t[0] == '#';
    }

    /// <summary>The heredocs a RUN, COPY or ADD opens (BuildKit reads them; the classic builder would fail on them).</summary>
    private static IEnumerable<(string Terminator, bool StripTabs)> Heredocs(string instruction)
    {
        var words = Words(instruction);
        if (words.Count == 0 || words[0].ToUpperInvariant() is not ("RUN" or "COPY" or "ADD")) yield break;
        foreach (var w in words.Skip(1))
        {
            var m = Heredoc().Match(w);
            if (!m.Success) continue;
            var word = m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Success ? m.Groups[3].Value : m.Groups[4].Value;
            if (word.Length > 0) yield return (word, m.Groups[1].Value == "-");
        }
    }

    /// <summary>"COPY", "ADD" or "RUN --mount" when the instruction reads the build context; null otherwise.</summary>
    private static string? UsesContext(Instruction instruction)
    {
        var words = Words(instruction.Text);
        if (words.Count == 0) return null;
        var keyword = words[0].ToUpperInvariant();
        var flags = words.Skip(1).TakeWhile(w => w.StartsWith("--", StringComparison.Ordinal)).ToList();
        var rest = words.Skip(1 + flags.Count).ToList();
        switch (keyword)
        {
            case "COPY" or "ADD":
                {
                    if (flags.Any(f => f.StartsWith("--from=", StringComparison.OrdinalIgnoreCase))) return null;
                    var sources = Sources(rest);
                    var fromContext = sources.Select(s => s.Trim('"', '\'')).Where(s => !s.StartsWith("<<", StringComparison.Ordinal) && !(keyword == "ADD" && RemoteSource().IsMatch(s)));
                    return fromContext.Any() ? keyword : null;
                }
            case "RUN":
                // A bind mount is the default mount type, and without from= it mounts the build context.
                foreach (var f in flags.Where(f => f.StartsWith("--mount=", StringComparison.OrdinalIgnoreCase)))
                {
                    // A repeated key is the user's to repeat: the last one counts, as BuildKit's CSV reader does.
                    var options = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var o in f["--mount=".Length..].Split(',').Select(o => o.Split('=', 2)))
                        options[o[0].Trim().ToLowerInvariant()] = o.Length > 1 ? o[1].Trim() : "";
                    var type = options.GetValueOrDefault("type", "bind");
                    if (type.Equals("bind", StringComparison.OrdinalIgnoreCase) && !options.ContainsKey("from")) return "RUN --mount";
                }
                return null;
            default:
                return null;
        }
    }

    /// <summary>The sources of a COPY or ADD: every argument but the destination, in shell form or JSON form.</summary>
    private static List<string> Sources(List<string> arguments)
    {
        var json = arguments.Count > 0 && arguments[0].StartsWith('[') ? string.Join(' ', arguments) : null;
        if (json is not null)
        {
            try
            {
                var array = JsonSerializer.Deserialize<string[]>(json);
                if (array is { Length: > 1 }) return array[..^1].ToList();
            }
            catch (JsonException)
            {
                // Not JSON: Docker reads it in shell form too.
            }
        }
        return arguments.Count > 1 ? arguments.GetRange(0, arguments.Count - 1) : arguments;
    }

    private static List<string> Words(string text) => text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).ToList();
}
