using System.Text.RegularExpressions;
using MlEnv.Diagnostics;

namespace MlEnv.Specs;

/// <summary>
/// Reads pip requirements files: comments, continuations, includes (-r, relative to the including file, cycles
/// detected), constraints (-c), index options, --pre and per-requirement --hash. Lines MlEnv cannot reproduce in
/// an image (editable installs, local paths, unknown options) are diagnostics with file and line, never ignored.
/// </summary>
public static partial class RequirementsFile
{
    [GeneratedRegex(@"(^|\s+)#.*$")]
    private static partial Regex Comment();

    [GeneratedRegex("^sha(256|384|512):[0-9a-fA-F]+$")]
    private static partial Regex HashValue();

    /// <param name="readFiles">Collects every file read, includes too, so a build can tell when to read them again.</param>
    public static PipInputs Read(string path, List<Diagnostic> diagnostics, ISet<string>? readFiles = null) =>
        Read(path, diagnostics, new Stack<string>(), constraintsOnly: false, SourceLocation.None, readFiles);

    private static PipInputs Read(string path, List<Diagnostic> diagnostics, Stack<string> including, bool constraintsOnly, SourceLocation includedFrom, ISet<string>? readFiles)
    {
        var full = Path.GetFullPath(path);
        readFiles?.Add(full);
        var result = new PipInputs();
        if (including.Contains(full))
        {
            var chain = string.Join(" -> ", including.Reverse().Append(full).Select(Path.GetFileName));
            diagnostics.Add(DiagnosticCatalog.IncludeCycle.Create(chain).At(includedFrom.File, includedFrom.Line, includedFrom.Column));
            return result;
        }
        if (!File.Exists(full))
        {
            diagnostics.Add(DiagnosticCatalog.FileNotFound.Create(path).At(includedFrom.File ?? path, includedFrom.Line, includedFrom.Column));
            return result;
        }
        including.Push(full);
        try
        {
            var lines = Split(File.ReadAllText(full));
            var parsed = ParseLines(lines.Select(l => (l.Text, new SourceLocation(path, l.Line, 1))), Path.GetDirectoryName(full)!, diagnostics, including, constraintsOnly, readFiles);
            result.AddRange(parsed);
        }
        finally
        {
            including.Pop();
        }
        return result;
    }

    /// <summary>
    /// Parses logical lines (each with its location), as they come from a file or from the pip: list of an
    /// environment file. <paramref name="baseDirectory"/> anchors relative includes.
    /// </summary>
    public static PipInputs ParseLines(IEnumerable<(string Text, SourceLocation Source)> lines, string baseDirectory, List<Diagnostic> diagnostics, ISet<string>? readFiles = null) =>
        ParseLines(lines, baseDirectory, diagnostics, new Stack<string>(), constraintsOnly: false, readFiles);

    private static PipInputs ParseLines(IEnumerable<(string Text, SourceLocation Source)> lines, string baseDirectory, List<Diagnostic> diagnostics, Stack<string> including, bool constraintsOnly, ISet<string>? readFiles)
    {
        var result = new PipInputs();
        foreach (var (raw, source) in lines)
        {
            var line = Comment().Replace(raw, "").Trim();
            if (line.Length == 0) continue;
            if (line.StartsWith('-'))
                ParseOption(line, source, baseDirectory, result, diagnostics, including, constraintsOnly, readFiles);
            else
                ParseRequirementLine(line, source, result, diagnostics, constraintsOnly);
        }
        return result;
    }

    private static void ParseOption(string line, SourceLocation source, string baseDirectory, PipInputs result, List<Diagnostic> diagnostics, Stack<string> including, bool constraintsOnly, ISet<string>? readFiles)
    {
        var (name, value) = SplitOption(line);
        switch (name)
        {
            case "-r" or "--requirement" or "-c" or "--constraint":
                if (value is null) { Missing(); return; }
                if (IsUrl(value))
                {
                    diagnostics.Add(Unsupported(name, "remote requirements files cannot be reproduced offline; download it next to the project"));
                    return;
                }
                bool constraint = name is "-c" or "--constraint";
                var included = Read(Path.Combine(baseDirectory, value), diagnostics, including, constraintsOnly || constraint, source, readFiles);
                if (constraint || constraintsOnly)
                {
                    result.Constraints.AddRange(included.Requirements);
                    result.Constraints.AddRange(included.Constraints);
                }
                else
                {
                    result.AddRange(included);
                }
                return;
            case "-i" or "--index-url":
                if (value is null) { Missing(); return; }
                result.IndexUrls.Add((value, source));
                return;
            case "--extra-index-url":
                if (value is null) { Missing(); return; }
                result.ExtraIndexUrls.Add((value, source));
                return;
            case "-f" or "--find-links":
                if (value is null) { Missing(); return; }
                result.FindLinks.Add((value, source));
                return;
            case "--pre":
                if (value is not null) { diagnostics.Add(Unsupported(name, "takes no value")); return; }
                result.Pre = true;
                return;
            case "-e" or "--editable":
                diagnostics.Add(Unsupported(name, "editable installs link to a source tree outside the image; build a wheel and add it as MlEnvPipWheel"));
                return;
            default:
                diagnostics.Add(Unsupported(name, "MlEnv supports -r, -c, --index-url, --extra-index-url, --find-links, --pre and --hash"));
                return;
        }

        void Missing() => diagnostics.Add(Unsupported(name, "a value is required"));
        Diagnostic Unsupported(string option, string why) =>
            DiagnosticCatalog.UnsupportedRequirementsOption.Create(option, why).At(source.File, source.Line, source.Column);
    }

    private static (string Name, string? Value) SplitOption(string line)
    {
        int i = 0;
        while (i < line.Length && line[i] != '=' && !char.IsWhiteSpace(line[i])) i++;
        var name = line[..i];
        var value = line[i..].TrimStart('=').Trim();
        // Short options may be glued to their value: -rfile.txt
        if (value.Length == 0 && name.Length > 2 && name[1] != '-')
            return (name[..2], name[2..]);
        return (name, value.Length == 0 ? null : value);
    }

    private static void ParseRequirementLine(string line, SourceLocation source, PipInputs result, List<Diagnostic> diagnostics, bool constraintsOnly)
    {
        // As pip: the requirement runs up to the first space-separated token that starts with '-'.
        var tokens = line.Split(' ');
        int split = Array.FindIndex(tokens, t => t.StartsWith('-'));
        var spec = string.Join(' ', split < 0 ? tokens : tokens[..split]).Trim();
        var options = split < 0 ? [] : tokens[split..].Where(t => t.Length > 0).ToArray();

        var hashes = new List<string>();
        for (int i = 0; i < options.Length; i++)
        {
            var (name, value) = SplitOption(options[i]);
            if (name == "--hash" && value is null && i + 1 < options.Length) value = options[++i];
            if (name != "--hash" || value is null || !HashValue().IsMatch(value))
            {
                diagnostics.Add(DiagnosticCatalog.UnsupportedRequirementsOption
                    .Create(options[i], "only --hash=<algorithm>:<hex digest> may follow a requirement")
                    .At(source.File, source.Line, source.Column));
                return;
            }
            var colon = value.IndexOf(':');
            hashes.Add(value[..colon] + ":" + value[(colon + 1)..].ToLowerInvariant());
        }

        if (LooksLikePath(spec))
        {
            diagnostics.Add(DiagnosticCatalog.UnsupportedRequirementsOption
                .Create(spec, "local paths and bare URLs are not requirements MlEnv can pin; add wheels as MlEnvPipWheel items or write 'name @ url'")
                .At(source.File, source.Line, source.Column));
            return;
        }
        if (!Pep508Requirement.TryParse(spec, out var requirement, out var error, out var column))
        {
            diagnostics.Add(DiagnosticCatalog.InvalidRequirement.Create(spec, error)
                .At(source.File, source.Line, source.Column + column));
            return;
        }
        var input = new PipRequirementInput(requirement, hashes.Distinct().Order(StringComparer.Ordinal).ToArray(), source);
        (constraintsOnly ? result.Constraints : result.Requirements).Add(input);
    }

    private static bool IsUrl(string value) => value.Contains("://", StringComparison.Ordinal);

    private static bool LooksLikePath(string spec) =>
        spec.StartsWith('.') || spec.StartsWith('/') || spec.StartsWith('~') ||
        (IsUrl(spec) && !spec.Contains('@')) ||
        spec.EndsWith(".whl", StringComparison.OrdinalIgnoreCase) || spec.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) ||
        spec.EndsWith(".zip", StringComparison.OrdinalIgnoreCase);

    /// <summary>Splits text into logical lines: CRLF/CR/LF alike, a trailing backslash joins the next line.</summary>
    internal static List<(string Text, int Line)> Split(string text)
    {
        var physical = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        var logical = new List<(string, int)>();
        string? pending = null;
        int start = 0;
        for (int i = 0; i < physical.Length; i++)
        {
            var line = physical[i];
            if (pending is null) start = i + 1;
            // A comment line inside a continuation ends nothing, as in pip.
            if (pending is not null && line.TrimStart().StartsWith('#')) continue;
            var joined = (pending ?? "") + line;
            if (joined.EndsWith('\\') && !Comment().IsMatch(joined))
            {
                pending = joined[..^1];
                continue;
            }
            logical.Add((joined, start));
            pending = null;
        }
        if (pending is not null) logical.Add((pending, start));
        return logical;
    }
}
