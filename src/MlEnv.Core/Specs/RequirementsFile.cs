using System.Text;
using System.Text.RegularExpressions;
using MlEnv.Diagnostics;

namespace MlEnv.Specs;

/// <summary>
/// Reads pip requirements files: comments, continuations, includes (-r, relative to the including file, cycles
/// detected), constraints (-c), index options, --pre and per-requirement --hash. Lines MlEnv cannot reproduce in
/// an image (editable installs, local paths, unknown options) are diagnostics with file and line, never ignored.
/// Files are streamed and read the way pip's reader reads them (see <see cref="PipLine"/>); every file is read once
/// however often it is included, and the whole read is capped, so no input makes it slow or large.
/// </summary>
public static partial class RequirementsFile
{
    /// <summary>All files of one read together, includes too: far above any real project, far below trouble.</summary>
    public const long MaxTotalCharacters = 64L * 1024 * 1024;

    /// <summary>Physical lines of one read: with the size cap, bounds the memory the parsed result can take.</summary>
    public const long MaxTotalLines = 4_000_000;

    /// <summary>One logical line, continuations joined.</summary>
    public const int MaxLineCharacters = 4 * 1024 * 1024;

    /// <summary>Distinct files one read may include.</summary>
    public const int MaxFiles = 1000;

    [GeneratedRegex(@"\Asha(256|384|512):[0-9a-fA-F]+\z")]
    private static partial Regex HashValue();

    /// <summary>
    /// "name @", "name[extra] @": a PEP 508 URL requirement rather than a bare path or URL. One left-to-right scan (a
    /// regex with two runs of blanks would backtrack quadratically on a line of many spaces).
    /// </summary>
    private static bool IsNamedUrl(string spec)
    {
        int i = 0;
        if (spec.Length == 0 || !char.IsAsciiLetterOrDigit(spec[0])) return false;
        while (i < spec.Length && (char.IsAsciiLetterOrDigit(spec[i]) || spec[i] is '.' or '_' or '-')) i++;
        while (i < spec.Length && spec[i] is ' ' or '\t') i++;
        if (i < spec.Length && spec[i] == '[')
        {
            var close = spec.IndexOf(']', i);
            if (close < 0) return false;
            i = close + 1;
        }
        while (i < spec.Length && spec[i] is ' ' or '\t') i++;
        return i < spec.Length && spec[i] == '@';
    }

    /// <summary>What one read shares across its includes.</summary>
    private sealed class ReadState(List<Diagnostic> diagnostics, ISet<string>? readFiles)
    {
        public List<Diagnostic> Diagnostics { get; } = diagnostics;
        public ISet<string>? ReadFiles { get; } = readFiles;
        public Stack<string> Including { get; } = new();
        public HashSet<(string Path, bool Constraints)> Visited { get; } = [];
        public long Characters;
        public long Lines;
        public bool OverLimit;

        public void Limit(string why, SourceLocation at)
        {
            if (OverLimit) return;
            OverLimit = true;
            Diagnostics.Add(DiagnosticCatalog.InputLimitExceeded.Create(at.File, why).At(at.File, at.Line, at.Column));
        }
    }

    /// <param name="readFiles">Collects every file read, includes too, so a build can tell when to read them again.</param>
    public static PipInputs Read(string path, List<Diagnostic> diagnostics, ISet<string>? readFiles = null) =>
        Read(path, new ReadState(diagnostics, readFiles), constraintsOnly: false, SourceLocation.None);

    private static PipInputs Read(string path, ReadState state, bool constraintsOnly, SourceLocation includedFrom)
    {
        var full = Path.GetFullPath(path);
        state.ReadFiles?.Add(full);
        var result = new PipInputs();
        var at = includedFrom.File is null ? new SourceLocation(path) : includedFrom;
        if (state.Including.Contains(full))
        {
            var chain = string.Join(" -> ", state.Including.Reverse().Append(full).Select(Path.GetFileName));
            state.Diagnostics.Add(DiagnosticCatalog.IncludeCycle.Create(chain).At(includedFrom.File, includedFrom.Line, includedFrom.Column));
            return result;
        }
        // A file included again adds nothing new (its requirements are already in), so it is read once: includes that
        // fan out (each file including the next several times) stay linear.
        if (!state.Visited.Add((full, constraintsOnly))) return result;
        if (state.OverLimit) return result;
        if (state.Visited.Count > MaxFiles) { state.Limit($"more than {MaxFiles} files are included", at); return result; }

        if (InputFiles.Problem(full) is { } notAFile)
        {
            // Named as the user wrote it, at the line that includes it.
            var shown = notAFile.Code == DiagnosticCatalog.FileNotFound.Code ? DiagnosticCatalog.FileNotFound.Create(Shown(path)) : notAFile;
            state.Diagnostics.Add(shown.At(at.File, at.Line, at.Column));
            return result;
        }

        state.Including.Push(full);
        try
        {
            using var reader = new StreamReader(new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan),
                Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            result.AddRange(ParseLines(LogicalLines(reader, path, state), Path.GetDirectoryName(full)!, state, constraintsOnly));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            state.Diagnostics.Add(DiagnosticCatalog.FileUnreadable.Create(Shown(path), e.Message).At(at.File, at.Line, at.Column));
        }
        finally
        {
            state.Including.Pop();
        }
        return result;
    }

    /// <summary>
    /// Parses logical lines (each with its location), as they come from a file or from the pip: list of an
    /// environment file. <paramref name="baseDirectory"/> anchors relative includes.
    /// </summary>
    public static PipInputs ParseLines(IEnumerable<(string Text, SourceLocation Source)> lines, string baseDirectory, List<Diagnostic> diagnostics, ISet<string>? readFiles = null) =>
        ParseLines(lines, baseDirectory, new ReadState(diagnostics, readFiles), constraintsOnly: false);

    private static PipInputs ParseLines(IEnumerable<(string Text, SourceLocation Source)> lines, string baseDirectory, ReadState state, bool constraintsOnly)
    {
        var result = new PipInputs();
        foreach (var (raw, source) in lines)
        {
            if (state.OverLimit) break;
            // Each entry of an environment file's pip: list is one line of the requirements file conda writes for pip.
            if (PipLine.IndexOfForbidden(raw) is var bad and >= 0)
            {
                Report(state, DiagnosticCatalog.ControlCharacter.Create(Shown(raw), $"it contains the control character {PipLine.Describe(raw[bad])}"), source, bad);
                continue;
            }
            var line = StripComment(raw);
            if (line.Length == 0) continue;
            if (line.Contains("${", StringComparison.Ordinal) && PipLine.EnvironmentReference().Match(line) is { Success: true } reference)
            {
                Report(state, DiagnosticCatalog.PipMisreadsRequirement.Create(Shown(line),
                    "pip replaces ${NAME} with an environment variable of the image build, which is not part of the definition; give index credentials as MLENV_PIP_INDEX_USERNAME/MLENV_PIP_INDEX_PASSWORD"), source, reference.Index);
                continue;
            }
            if (line.StartsWith('-'))
                ParseOption(line, source, baseDirectory, result, state, constraintsOnly);
            else
                ParseRequirementLine(line, source, result, state.Diagnostics, constraintsOnly);
        }
        return result;
    }

    private static void Report(ReadState state, Diagnostic d, SourceLocation source, int offset) =>
        state.Diagnostics.Add(d.At(source.File, source.Line, source.Column + offset));

    /// <summary>Text as a message may show it: URL credentials masked, control characters replaced (never printed raw).</summary>
    public static string Shown(string text)
    {
        var shown = PipLine.Redact(text);
        if (PipLine.IndexOfForbidden(shown) >= 0) shown = string.Concat(shown.Select(c => PipLine.IsForbidden(c) ? "\uFFFD" : c.ToString()));
        return shown.Length > 300 ? shown[..300] + "…" : shown;
    }

    // pip's COMMENT_RE, (^|\s+)#.*$: a '#' at the start or after whitespace starts a comment; then the line is stripped.
    private static string StripComment(string line)
    {
        for (int i = 0; i < line.Length; i++)
            if (line[i] == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1]))) return line[..i].Trim();
        return line.Trim();
    }

    private static bool IsCommentLine(string line)
    {
        var trimmed = line.AsSpan().TrimStart();
        return trimmed.Length > 0 && trimmed[0] == '#';
    }

    private static void ParseOption(string line, SourceLocation source, string baseDirectory, PipInputs result, ReadState state, bool constraintsOnly)
    {
        var diagnostics = state.Diagnostics;
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
                var included = Read(Path.Combine(baseDirectory, value), state, constraintsOnly || constraint, source);
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
            DiagnosticCatalog.UnsupportedRequirementsOption.Create(Shown(option), why).At(source.File, source.Line, source.Column);
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
        if (!line.Contains(" -", StringComparison.Ordinal))
        {
            ParseRequirement(line, [], source, result, diagnostics, constraintsOnly);
            return;
        }
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
                    .Create(Shown(options[i]), "only --hash=<algorithm>:<hex digest> may follow a requirement")
                    .At(source.File, source.Line, source.Column));
                return;
            }
            var colon = value.IndexOf(':');
            hashes.Add(value[..colon] + ":" + value[(colon + 1)..].ToLowerInvariant());
        }
        ParseRequirement(spec, hashes, source, result, diagnostics, constraintsOnly);
    }

    private static void ParseRequirement(string spec, List<string> hashes, SourceLocation source, PipInputs result, List<Diagnostic> diagnostics, bool constraintsOnly)
    {
        if (LooksLikePath(spec))
        {
            diagnostics.Add(DiagnosticCatalog.UnsupportedRequirementsOption
                .Create(Shown(spec), "local paths and bare URLs are not requirements MlEnv can pin; add wheels as MlEnvPipWheel items or write 'name @ url'")
                .At(source.File, source.Line, source.Column));
            return;
        }
        if (!Pep508Requirement.TryParse(spec, out var requirement, out var error, out var column, out var kind))
        {
            diagnostics.Add(Refusal(spec, error, kind).At(source.File, source.Line, source.Column + column));
            return;
        }
        var input = new PipRequirementInput(requirement, hashes.Distinct().Order(StringComparer.Ordinal).ToArray(), source);
        (constraintsOnly ? result.Constraints : result.Requirements).Add(input);
    }

    /// <summary>The diagnostic for a requirement <see cref="Pep508Requirement.TryParse(string, out Pep508Requirement, out string?, out int, out RequirementErrorKind)"/> refused; never echoes URL credentials.</summary>
    public static Diagnostic Refusal(string text, string? error, RequirementErrorKind kind)
    {
        // A control character is named, never printed: it would break the log line that shows it.
        var shown = Shown(text);
        error = error is null ? null : Shown(error);
        return kind switch
        {
            RequirementErrorKind.ControlCharacter => DiagnosticCatalog.ControlCharacter.Create(shown, error),
            RequirementErrorKind.PipMisreads => DiagnosticCatalog.PipMisreadsRequirement.Create(shown, error),
            RequirementErrorKind.TooDeep => DiagnosticCatalog.MarkerTooDeep.Create(shown, Pep508Requirement.MaxMarkerDepth),
            RequirementErrorKind.Credentials => DiagnosticCatalog.CredentialsInRequirement.Create(shown, error),
            RequirementErrorKind.LocalFile => DiagnosticCatalog.LocalRequirement.Create(shown, error),
            _ => DiagnosticCatalog.InvalidRequirement.Create(shown, error),
        };
    }

    private static bool IsUrl(string value) => value.Contains("://", StringComparison.Ordinal);

    private static bool LooksLikePath(string spec)
    {
        if (IsNamedUrl(spec)) return false;
        // pip takes a trailing "[...]" off as extras before it asks whether the rest names an archive file.
        var path = spec.EndsWith(']') && spec.LastIndexOf('[') is var open and > 0 ? spec[..open] : spec;
        return spec.StartsWith('.') || spec.StartsWith('/') || spec.StartsWith('~') || IsUrl(spec) ||
            PipLine.ArchiveExtensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Logical lines as pip's join_lines makes them: a line ending in '\' joins the next (its backslashes stripped, as
    /// pip's str.strip("\\") does), a comment line ends a continuation. Streamed and linear: pieces are appended to
    /// one builder, never concatenated again.
    /// </summary>
    private static IEnumerable<(string Text, SourceLocation Source)> LogicalLines(TextReader reader, string path, ReadState state)
    {
        var pending = new StringBuilder();
        bool continuing = false;
        int number = 0, start = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            state.Characters += line.Length + 1;
            if (state.Characters > MaxTotalCharacters || ++state.Lines > MaxTotalLines)
            {
                state.Limit(state.Lines > MaxTotalLines ? $"the requirements files hold more than {MaxTotalLines:N0} lines"
                    : $"the requirements files hold more than {MaxTotalCharacters / (1024 * 1024)} MiB", new SourceLocation(path, number, 1));
                yield break;
            }
            bool comment = IsCommentLine(line);
            if (!line.EndsWith('\\') || comment)
            {
                if (!continuing)
                {
                    if (line.Length > MaxLineCharacters)
                    {
                        state.Limit($"line {number} is longer than {MaxLineCharacters / (1024 * 1024)} MiB", new SourceLocation(path, number, 1));
                        yield break;
                    }
                    yield return (line, new SourceLocation(path, number, 1));
                    continue;
                }
                pending.Append(comment ? " " : "").Append(line);
                yield return (pending.ToString(), new SourceLocation(path, start, 1));
                pending.Clear();
                continuing = false;
                continue;
            }
            if (!continuing) { start = number; continuing = true; }
            pending.Append(line.AsSpan().Trim('\\'));
            if (pending.Length > MaxLineCharacters)
            {
                state.Limit($"a logical line (continuations joined) is longer than {MaxLineCharacters / (1024 * 1024)} MiB", new SourceLocation(path, start, 1));
                yield break;
            }
        }
        if (continuing) yield return (pending.ToString(), new SourceLocation(path, start, 1));
    }
}
