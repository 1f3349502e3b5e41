using System.Text;
using System.Text.RegularExpressions;

namespace MlEnv.Specs;

/// <summary>
/// A PEP 508 dependency specifier. The grammar follows the hand-written parser of `packaging` 23
/// (the library pip uses), so the two agree on what is valid; a differential test keeps them in step.
/// </summary>
public sealed partial record Pep508Requirement(
    string Name,
    IReadOnlyList<string> Extras,
    Pep440SpecifierSet Specifier,
    string? Url,
    string? Marker)
{
    public string NormalizedName => PackageName.Normalize(Name);

    /// <summary>Extras normalised (PEP 685), distinct and sorted.</summary>
    public IReadOnlyList<string> NormalizedExtras =>
        Extras.Select(PackageName.Normalize).Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>The canonical spelling used in definitions and generated requirements files.</summary>
    public string ToCanonicalString()
    {
        var sb = new StringBuilder(NormalizedName);
        if (Extras.Count > 0) sb.Append('[').AppendJoin(',', NormalizedExtras).Append(']');
        if (Url is not null) sb.Append(" @ ").Append(Url);
        else sb.Append(Specifier.ToCanonicalString());
        if (Marker is not null) sb.Append(Url is not null ? " ; " : "; ").Append(Marker);
        return sb.ToString();
    }

    public override string ToString() => ToCanonicalString();

    /// <summary>Parses one requirement. Never throws on bad input: returns false with a message and a 0-based column.</summary>
    public static bool TryParse(string source, out Pep508Requirement requirement, out string? error, out int column) =>
        TryParse(source, out requirement, out error, out column, out _);

    /// <summary>
    /// Parses one requirement and says what kind of problem a refusal is, so callers can give each kind its own code.
    /// A requirement is accepted only when its canonical line is one pip's requirements-file reader takes back as the
    /// same requirement: no option, no comment cut, no second line (see <see cref="PipLine"/>).
    /// </summary>
    public static bool TryParse(string source, out Pep508Requirement requirement, out string? error, out int column, out RequirementErrorKind kind)
    {
        requirement = null!;
        try
        {
            PipLine.CheckCharacters(source);
            requirement = new Parser(source).ParseRequirement();
            PipLine.CheckRequirement(requirement);
            error = null; column = 0; kind = RequirementErrorKind.None;
            return true;
        }
        catch (SyntaxError e)
        {
            error = e.Message; column = e.Position; kind = e.Kind;
            requirement = null!;
            return false;
        }
    }

    public static Pep508Requirement Parse(string source) =>
        TryParse(source, out var r, out var error, out _) ? r : throw new FormatException(error);

    /// <summary>Parses a marker expression alone (as in "python_version &lt; '3.12'") into its canonical spelling.</summary>
    public static bool TryParseMarker(string source, out string marker, out string? error)
    {
        marker = "";
        try
        {
            PipLine.CheckCharacters(source);
            marker = new Parser(source).ParseMarkerOnly();
            PipLine.CheckLine(marker, "marker");
            error = null;
            return true;
        }
        catch (SyntaxError e)
        {
            error = e.Message;
            marker = "";
            return false;
        }
    }

    /// <summary>Markers nest no deeper than this: real ones use two or three levels, and the parser recurses per level.</summary>
    public const int MaxMarkerDepth = 64;

    internal sealed class SyntaxError(string message, int position, RequirementErrorKind kind = RequirementErrorKind.Syntax) : Exception(message)
    {
        public int Position { get; } = position;
        public RequirementErrorKind Kind { get; } = kind;
    }

    private static partial class Tokens
    {
        // The token rules of `packaging`'s tokenizer, each anchored at the current position.
        private const RegexOptions O = RegexOptions.CultureInvariant;
        public static readonly Regex LeftParen = LeftParenRx(), RightParen = RightParenRx(), LeftBracket = LeftBracketRx(), RightBracket = RightBracketRx(),
            Semicolon = SemicolonRx(), Comma = CommaRx(), QuotedString = QuotedStringRx(), Op = OpRx(), BoolOp = BoolOpRx(), In = InRx(), Not = NotRx(),
            Variable = VariableRx(), Specifier = SpecifierRx(), At = AtRx(), Url = UrlRx(), Identifier = IdentifierRx(), Whitespace = WhitespaceRx(), End = EndRx();

        [GeneratedRegex(@"\G\(", O)] private static partial Regex LeftParenRx();
        [GeneratedRegex(@"\G\)", O)] private static partial Regex RightParenRx();
        [GeneratedRegex(@"\G\[", O)] private static partial Regex LeftBracketRx();
        [GeneratedRegex(@"\G\]", O)] private static partial Regex RightBracketRx();
        [GeneratedRegex(@"\G;", O)] private static partial Regex SemicolonRx();
        [GeneratedRegex(@"\G,", O)] private static partial Regex CommaRx();
        [GeneratedRegex(@"\G(('[^']*')|(""[^""]*""))", O)] private static partial Regex QuotedStringRx();
        [GeneratedRegex(@"\G(===|==|~=|!=|<=|>=|<|>)", O)] private static partial Regex OpRx();
        [GeneratedRegex(@"\G\b(or|and)\b", O)] private static partial Regex BoolOpRx();
        [GeneratedRegex(@"\G\bin\b", O)] private static partial Regex InRx();
        [GeneratedRegex(@"\G\bnot\b", O)] private static partial Regex NotRx();
        [GeneratedRegex(@"\G\b(python_version|python_full_version|os[._]name|sys[._]platform|platform_(release|system)|platform[._](version|machine|python_implementation)|python_implementation|implementation_(name|version)|extra)\b", O)]
        private static partial Regex VariableRx();
        [GeneratedRegex(@"\G" + Pep440Specifier.OperatorPattern + Pep440Specifier.VersionPattern, Pep440Specifier.Options)] private static partial Regex SpecifierRx();
        [GeneratedRegex(@"\G@", O)] private static partial Regex AtRx();
        [GeneratedRegex(@"\G[^ \t]+", O)] private static partial Regex UrlRx();
        [GeneratedRegex(@"\G\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b", O)] private static partial Regex IdentifierRx();
        [GeneratedRegex(@"\G[ \t]+", O)] private static partial Regex WhitespaceRx();
        [GeneratedRegex(@"\G\z", O)] private static partial Regex EndRx();
    }

    private sealed class Parser(string source)
    {
        private int position;

        private Match? Peek(Regex token)
        {
            var m = token.Match(source, position);
            return m.Success ? m : null;
        }

        // Length of the token at the current position, or -1; no Match object is allocated (most probes fail).
        private int MatchLength(Regex token)
        {
            foreach (var m in token.EnumerateMatches(source.AsSpan(), position))
                return m.Index == position ? m.Length : -1;
            return -1;
        }

        private bool Check(Regex token) => MatchLength(token) >= 0;

        private string? Accept(Regex token)
        {
            var length = MatchLength(token);
            if (length < 0) return null;
            var value = source.Substring(position, length);
            position += length;
            return value;
        }

        private string Expect(Regex token, string expected) =>
            Accept(token) ?? throw new SyntaxError($"Expected {expected}", position);

        private void SkipWhitespace() => Accept(Tokens.Whitespace);

        public Pep508Requirement ParseRequirement()
        {
            SkipWhitespace();
            var name = Expect(Tokens.Identifier, "package name at the start of dependency specifier");
            SkipWhitespace();
            var extras = ParseExtras();
            SkipWhitespace();
            var (url, marker) = ParseDetails();
            Expect(Tokens.End, "end of dependency specifier");

            if (url is not null && !IsValidUrl(url))
                throw new SyntaxError($"Invalid URL: {url}", source.IndexOf(url, StringComparison.Ordinal));
            if (url is not null && PipLine.CredentialProblem(url) is { } secret)
                throw new SyntaxError(secret, source.IndexOf(url, StringComparison.Ordinal), RequirementErrorKind.Credentials);
            return new Pep508Requirement(name, extras, Pep440SpecifierSet.FromClauses(SplitClauses()), url, marker);
        }

        public string ParseMarkerOnly()
        {
            var marker = FormatMarker(ParseMarker(), top: true);
            SkipWhitespace();
            Expect(Tokens.End, "end of marker expression");
            return marker;
        }

        private (string? Url, string? Marker) ParseDetails()
        {
            if (Accept(Tokens.At) is not null)
            {
                SkipWhitespace();
                var urlStart = position;
                var url = Expect(Tokens.Url, "URL after @");
                if (Check(Tokens.End)) return (url, null);
                Expect(Tokens.Whitespace, "whitespace after URL");
                if (Check(Tokens.End)) return (url, null);
                return (url, ParseRequirementMarker(urlStart, "URL and whitespace"));
            }

            var specifierStart = position;
            ParseSpecifier();
            SkipWhitespace();
            if (Check(Tokens.End)) return (null, null);
            return (null, ParseRequirementMarker(specifierStart,
                clauses.Count > 0 ? "version specifier" : "name and no valid version specifier"));
        }

        private string ParseRequirementMarker(int spanStart, string after)
        {
            if (Accept(Tokens.Semicolon) is null)
                throw new SyntaxError($"Expected end or semicolon (after {after})", spanStart);
            var marker = FormatMarker(ParseMarker(), top: true);
            SkipWhitespace();
            return marker;
        }

        private List<string> ParseExtras()
        {
            var extras = new List<string>();
            if (Accept(Tokens.LeftBracket) is null) return extras;
            var open = position - 1;
            SkipWhitespace();
            if (Accept(Tokens.Identifier) is { } first)
            {
                extras.Add(first);
                while (true)
                {
                    SkipWhitespace();
                    if (Check(Tokens.Identifier)) throw new SyntaxError("Expected comma between extra names", position);
                    if (Accept(Tokens.Comma) is null) break;
                    SkipWhitespace();
                    extras.Add(Expect(Tokens.Identifier, "extra name after comma"));
                }
            }
            SkipWhitespace();
            if (Accept(Tokens.RightBracket) is null) throw new SyntaxError("Expected closing RIGHT_BRACKET", open);
            return extras;
        }

        private readonly List<(Match Token, int Start)> clauses = [];

        // Each SPECIFIER token is one clause, as the tokenizer of `packaging` reads it. An `===` operand runs up to
        // whitespace, ';' or ')', so it can swallow commas ("===x,y"): `packaging` splits the joined text on commas
        // again and validates every piece, which is why "===x,y" is invalid and "===a,>=2" has two clauses.
        private void ParseSpecifier()
        {
            bool parenthesised = Accept(Tokens.LeftParen) is not null;
            var open = position - 1;
            SkipWhitespace();
            while (Peek(Tokens.Specifier) is { } clause)
            {
                clauses.Add((clause, position));
                position += clause.Length;
                SkipWhitespace();
                if (Accept(Tokens.Comma) is null) break;
                SkipWhitespace();
            }
            SkipWhitespace();
            if (parenthesised && Accept(Tokens.RightParen) is null)
                throw new SyntaxError("Expected closing RIGHT_PARENTHESIS", open);
        }

        private List<Pep440Specifier> SplitClauses()
        {
            var result = new List<Pep440Specifier>();
            foreach (var (token, start) in clauses)
            {
                if (token.Groups["operator"].Value.Trim() != "===" || !token.Value.Contains(','))
                {
                    result.Add(new Pep440Specifier(token.Groups["operator"].Value.Trim(), token.Groups["version"].Value.Trim()));
                    continue;
                }
                int offset = 0;
                foreach (var piece in token.Value.Split(','))
                {
                    if (piece.Trim().Length == 0) { offset += piece.Length + 1; continue; }
                    if (!Pep440Specifier.TryParse(piece, out var clause))
                        throw new SyntaxError($"Invalid specifier: '{piece.Trim()}'", start + offset);
                    result.Add(clause);
                    offset += piece.Length + 1;
                }
            }
            return result;
        }

        private int depth;

        // A marker is kept as a tree of nested lists, as `packaging` does, so it prints the same way.
        private List<object> ParseMarker()
        {
            var expression = new List<object> { ParseMarkerAtom() };
            while (Accept(Tokens.BoolOp) is { } op)
            {
                expression.Add(op);
                expression.Add(ParseMarkerAtom());
            }
            return expression;
        }

        private object ParseMarkerAtom()
        {
            SkipWhitespace();
            object marker;
            if (Accept(Tokens.LeftParen) is not null)
            {
                var open = position - 1;
                // Each level recurses: a cap keeps hostile nesting a diagnostic instead of a stack overflow.
                if (++depth > MaxMarkerDepth)
                    throw new SyntaxError($"Marker parentheses nest deeper than {MaxMarkerDepth} levels", open, RequirementErrorKind.TooDeep);
                SkipWhitespace();
                marker = ParseMarker();
                SkipWhitespace();
                if (Accept(Tokens.RightParen) is null) throw new SyntaxError("Expected closing RIGHT_PARENTHESIS", open);
                depth--;
            }
            else
            {
                marker = ParseMarkerItem();
            }
            SkipWhitespace();
            return marker;
        }

        private string[] ParseMarkerItem()
        {
            SkipWhitespace();
            var left = ParseMarkerVar();
            SkipWhitespace();
            var op = ParseMarkerOp();
            SkipWhitespace();
            var right = ParseMarkerVar();
            SkipWhitespace();
            // PEP 685: extra names compare normalised.
            if (left.IsVariable && left.Text == "extra" && !right.IsVariable) right = right with { Text = PackageName.Normalize(right.Text) };
            else if (right.IsVariable && right.Text == "extra" && !left.IsVariable) left = left with { Text = PackageName.Normalize(left.Text) };
            return [left.Serialize(), op, right.Serialize()];
        }

        private readonly record struct MarkerVar(string Text, bool IsVariable)
        {
            // The quote is the one the value does not hold, so it stays one string; a value cannot hold both, as
            // the tokenizer has no escapes (a defensive check keeps it that way).
            public string Serialize() => IsVariable ? Text
                : !Text.Contains('"') ? $"\"{Text}\""
                : !Text.Contains('\'') ? $"'{Text}'"
                : throw new SyntaxError("A marker string holds both quote characters", 0, RequirementErrorKind.PipMisreads);
        }

        private MarkerVar ParseMarkerVar()
        {
            if (Accept(Tokens.Variable) is { } variable)
            {
                var name = variable.Replace('.', '_');
                if (name is "python_implementation") name = "platform_python_implementation";
                return new MarkerVar(name, true);
            }
            if (Accept(Tokens.QuotedString) is { } quoted)
            {
                // `packaging` evaluates quoted values as Python literals, escapes included; MlEnv does not guess at
                // them and refuses them, so the two never disagree on what a marker compares.
                if (quoted.Contains('\\')) throw new SyntaxError("Backslash escapes in marker strings are not supported", position - quoted.Length);
                return new MarkerVar(quoted[1..^1], false);
            }
            throw new SyntaxError("Expected a marker variable or quoted string", position);
        }

        private string ParseMarkerOp()
        {
            if (Accept(Tokens.In) is not null) return "in";
            if (Accept(Tokens.Not) is not null)
            {
                Expect(Tokens.Whitespace, "whitespace after 'not'");
                Expect(Tokens.In, "'in' after 'not'");
                return "not in";
            }
            if (Accept(Tokens.Op) is { } op) return op;
            throw new SyntaxError("Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in", position);
        }

        private static string FormatMarker(object marker, bool top)
        {
            // A group of one is printed as its content, in the same position: an inner group keeps its parentheses
            // ("a and ((b or c))" is "a and (b or c)", never "a and b or c").
            if (marker is List<object> { Count: 1 } single && single[0] is List<object> or string[])
                return FormatMarker(single[0], top);
            return marker switch
            {
                List<object> list => top
                    ? string.Join(" ", list.Select(m => FormatMarker(m, top: false)))
                    : "(" + string.Join(" ", list.Select(m => FormatMarker(m, top: false))) + ")",
                string[] item => string.Join(" ", item),
                string op => op,
                _ => throw new InvalidOperationException(),
            };
        }

        private static bool IsValidUrl(string url)
        {
            // As `packaging`: file: URLs must round-trip; others need a scheme and a host.
            var colon = url.IndexOf(':');
            if (colon <= 0) return false;
            var scheme = url[..colon];
            if (!Regex.IsMatch(scheme, @"\A[A-Za-z][A-Za-z0-9+.-]*\z")) return false;
            var rest = url[(colon + 1)..];
            if (scheme.Equals("file", StringComparison.OrdinalIgnoreCase)) return rest.StartsWith("//", StringComparison.Ordinal);
            if (!rest.StartsWith("//", StringComparison.Ordinal)) return false;
            var authority = rest[2..];
            var end = authority.IndexOfAny(['/', '?', '#']);
            return (end < 0 ? authority : authority[..end]).Length > 0;
        }
    }
}
