using System.Text.RegularExpressions;

namespace MlEnv.Specs;

/// <summary>One PEP 440 version specifier clause such as <c>&gt;=1.2</c>, <c>==1.2.*</c> or <c>===foo</c>.</summary>
public sealed partial record Pep440Specifier(string Operator, string Version)
{
    // The operator and version patterns of `packaging`'s Specifier, so that what pip accepts we accept.
    internal const string OperatorPattern = @"(?<operator>(~=|==|!=|<=|>=|<|>|===))";
    // The release suffixes packaging's pattern repeats in each alternative, written once: a pre-release, then a
    // post-release and a dev release.
    private const string PreRelease = """
        (?:
            [-_\.]?
            (alpha|beta|preview|pre|a|b|c|rc)
            [-_\.]?
            [0-9]*
        )?
        """;
    private const string PostAndDev = """
        (?:
            (?:-[0-9]+)|(?:[-_\.]?(post|rev|r)[-_\.]?[0-9]*)
        )?
        (?:[-_\.]?dev[-_\.]?[0-9]*)?
        """;
    internal const string VersionPattern = $"""
        (?<version>
            (?:
                (?<====)
                \s*
                [^\s;)]*
            )
            |
            (?:
                (?<===|!=)
                \s*
                v?
                (?:[0-9]+!)?
                [0-9]+(?:\.[0-9]+)*
                (?:
                    \.\*
                    |
                    {PreRelease}
                    {PostAndDev}
                    (?:\+[a-z0-9]+(?:[-_\.][a-z0-9]+)*)?
                )?
            )
            |
            (?:
                (?<=~=)
                \s*
                v?
                (?:[0-9]+!)?
                [0-9]+(?:\.[0-9]+)+
                {PreRelease}
                {PostAndDev}
            )
            |
            (?:
                (?<!==|!=|~=)
                \s*
                v?
                (?:[0-9]+!)?
                [0-9]+(?:\.[0-9]+)*
                {PreRelease}
                {PostAndDev}
            )
        )
        """;

    internal const RegexOptions Options = RegexOptions.IgnorePatternWhitespace | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    [GeneratedRegex(@"\A\s*" + OperatorPattern + VersionPattern + @"\s*\z", Options)]
    private static partial Regex SpecifierRegex();

    public static bool TryParse(string text, out Pep440Specifier specifier)
    {
        specifier = null!;
        var m = SpecifierRegex().Match(text);
        if (!m.Success) return false;
        specifier = new Pep440Specifier(m.Groups["operator"].Value.Trim(), m.Groups["version"].Value.Trim());
        return true;
    }

    /// <summary>As `packaging` prints it: operator and version as written, whitespace removed.</summary>
    public override string ToString() => Operator + Version;

    /// <summary>
    /// The spelling used in canonical definitions: versions in PEP 440 normal form (<c>==1.0.0-RC1</c> → <c>==1.0.0rc1</c>),
    /// so spellings pip treats alike hash alike. Arbitrary equality (<c>===</c>) is a string match and stays as written.
    /// </summary>
    public string ToCanonicalString()
    {
        if (Operator == "===") return ToString();
        bool wildcard = Version.EndsWith(".*", StringComparison.Ordinal);
        var core = wildcard ? Version[..^2] : Version;
        if (IsPlainRelease(core)) return ToString(); // already normal: the common case, no parse needed
        if (!Pep440Version.TryParse(core, out var v)) return ToString();
        return Operator + v + (wildcard ? ".*" : "");
    }

    /// <summary>Digits and single dots, no leading zeros: a release segment that PEP 440 normalisation leaves as it is.</summary>
    internal static bool IsPlainRelease(string version)
    {
        if (version.Length == 0) return false;
        bool segmentStart = true;
        for (int i = 0; i < version.Length; i++)
        {
            char c = version[i];
            if (c == '.')
            {
                if (segmentStart) return false;
                segmentStart = true;
            }
            else if (char.IsAsciiDigit(c))
            {
                if (segmentStart && c == '0' && i + 1 < version.Length && char.IsAsciiDigit(version[i + 1])) return false;
                segmentStart = false;
            }
            else return false;
        }
        return !segmentStart;
    }
}

/// <summary>A comma-separated set of specifier clauses; an empty set allows any version.</summary>
public sealed class Pep440SpecifierSet
{
    public IReadOnlyList<Pep440Specifier> Clauses { get; }

    private Pep440SpecifierSet(IReadOnlyList<Pep440Specifier> clauses) => Clauses = clauses;

    public static readonly Pep440SpecifierSet Any = new([]);

    internal static Pep440SpecifierSet FromClauses(IReadOnlyList<Pep440Specifier> clauses) => clauses.Count == 0 ? Any : new(clauses);

    public bool IsEmpty => Clauses.Count == 0;

    /// <summary>Parses "&gt;=1,&lt;2". On failure <paramref name="error"/> names the clause that is wrong.</summary>
    public static bool TryParse(string text, out Pep440SpecifierSet set, out string? error)
    {
        set = Any; error = null;
        var clauses = new List<Pep440Specifier>();
        foreach (var part in text.Split(','))
        {
            var trimmed = part.Trim();
            if (trimmed.Length == 0) continue;
            if (!Pep440Specifier.TryParse(trimmed, out var clause))
            {
                error = $"'{trimmed}' is not a PEP 440 specifier";
                return false;
            }
            clauses.Add(clause);
        }
        set = new Pep440SpecifierSet(clauses);
        return true;
    }

    /// <summary>As `packaging`'s SpecifierSet prints it: distinct clauses, sorted, comma-joined.</summary>
    public override string ToString() =>
        string.Join(",", Clauses.Select(c => c.ToString()).Distinct().Order(StringComparer.Ordinal));

    /// <summary>
    /// Clauses that mean the same (as `packaging` compares them: "==1.0" and "==1.0.0", "===a" twice) count once, each
    /// group spelled by its ordinally first canonical form, so the result is the same whatever the input order.
    /// </summary>
    public string ToCanonicalString() => Clauses.Count switch
    {
        0 => "",
        1 => Clauses[0].ToCanonicalString(),
        _ => string.Join(",", Clauses.Select(c => (Canonical: c.ToCanonicalString(), c.Operator))
            .GroupBy(c => EqualityKey(c.Operator, c.Canonical), StringComparer.Ordinal)
            .Select(g => g.Select(c => c.Canonical).Min(StringComparer.Ordinal)!)
            .Order(StringComparer.Ordinal)),
    };

    // As `packaging`'s Specifier equality: the version normalised, trailing release zeros dropped except for "~="
    // (where they count); "===" operands and wildcards compare as written.
    private static string EqualityKey(string op, string canonicalClause)
    {
        var version = canonicalClause[op.Length..];
        if (op is "===" or "~=" || version.EndsWith(".*", StringComparison.Ordinal)) return canonicalClause;
        if (Pep440Specifier.IsPlainRelease(version))
        {
            // The common case without a parse: digits and dots, so only trailing ".0" segments can differ.
            while (version.EndsWith(".0", StringComparison.Ordinal)) version = version[..^2];
            return op + "|plain|" + version;
        }
        if (!Pep440Version.TryParse(version, out var v)) return canonicalClause;
        int last = v.Release.Count - 1;
        while (last > 0 && v.Release[last].IsZero) last--;
        return string.Join("|", op, v.Epoch, string.Join(".", v.Release.Take(last + 1)), v.Pre?.Label, v.Pre?.Number,
            v.Post, v.Dev, v.Local is null ? "" : string.Join(".", v.Local));
    }
}
