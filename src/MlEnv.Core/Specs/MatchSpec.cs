using System.Text;
using System.Text.RegularExpressions;

namespace MlEnv.Specs;

/// <summary>
/// A conda MatchSpec: <c>[channel[/subdir]::]name[ version[ build]]</c>, also written <c>name=1.26</c>,
/// <c>name==1.26.0</c>, <c>name=1.26=py311h*</c>, <c>name&gt;=1.26,&lt;2</c> or <c>name[version='&gt;=1',build=py*]</c>.
/// Every part is validated against a closed character set, so nothing from a spec can reach a shell unchecked.
/// </summary>
public sealed partial record MatchSpec(string? Channel, string Name, string? Version, string? Build)
{
    // Anchored with \z: '$' also matches before a final line break.
    [GeneratedRegex(@"^[a-z0-9_][a-z0-9_.-]*\z")]
    private static partial Regex NameRegex();

    [GeneratedRegex(@"^[0-9A-Za-z_.*+!<>=~,|-]+\z")]
    private static partial Regex VersionRegex();

    [GeneratedRegex(@"^[0-9A-Za-z_.*+-]+\z")]
    private static partial Regex BuildRegex();

    [GeneratedRegex(@"^(?:[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*|https?://[A-Za-z0-9_.:/~%-]+)\z")]
    private static partial Regex ChannelRegex();

    [GeneratedRegex(@"^(?<name>[^\s=<>!~\[]+)(?<rest>.*)\z", RegexOptions.Singleline)]
    private static partial Regex Head();

    [GeneratedRegex(@"^\s*(?<key>[a-z_]+)\s*=\s*(?:'(?<v>[^']*)'|""(?<v>[^""]*)""|(?<v>[^,\]]*))\s*\z")]
    private static partial Regex BracketEntry();

    public static bool IsValidChannel(string channel) => ChannelRegex().IsMatch(channel);

    /// <summary>
    /// Why <paramref name="channel"/> cannot be used, as a diagnostic, or null: a forbidden character, credentials in a
    /// URL (which would reach the definition and the image; <paramref name="redact"/> hides them in the message), or
    /// a shape that is neither a channel name nor an http(s) URL.
    /// </summary>
    public static Diagnostics.Diagnostic? ChannelProblem(string channel, Func<string, string> redact) =>
        ChannelTextProblem(channel, redact) ?? (IsValidChannel(channel) ? null
            : Diagnostics.DiagnosticCatalog.InvalidChannel.Create(redact(channel), "use a channel name such as conda-forge or an http(s) URL"));

    /// <summary>The checks that also apply to a channel URL recorded in conda-meta: forbidden characters and credentials.</summary>
    public static Diagnostics.Diagnostic? ChannelTextProblem(string channel, Func<string, string> redact)
    {
        if (Definition.TextRules.Check("The conda channel", channel, redact) is { } forbidden) return forbidden;
        if (channel.Contains("://", StringComparison.Ordinal) && ((Uri.TryCreate(channel, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0) || PipLine.SecretParameter(channel) is not null))
            return Diagnostics.DiagnosticCatalog.CredentialsInUrl.Create("conda channel", redact(channel),
                "MlEnv does not pass credentials to conda; use a channel or mirror that needs none");
        return null;
    }

    /// <summary>
    /// The one spec that two specs of a package together say, as conda merges them: each part given by one side
    /// only is taken, equal parts stay; null when a part differs (two pins, two channels, two builds).
    /// </summary>
    public static MatchSpec? Unify(MatchSpec a, MatchSpec b)
    {
        static bool Pick(string? x, string? y, out string? value)
        {
            value = x ?? y;
            return x is null || y is null || x == y;
        }
        if (a.NormalizedName != b.NormalizedName) return null;
        return Pick(a.Channel, b.Channel, out var channel) && Pick(a.Version is "*" ? null : a.Version, b.Version is "*" ? null : b.Version, out var version) && Pick(a.Build, b.Build, out var build)
            ? new MatchSpec(channel, a.NormalizedName, version, build)
            : null;
    }

    public string NormalizedName => Name.ToLowerInvariant();

    public static bool TryParse(string text, out MatchSpec spec, out string? error)
    {
        spec = null!;
        error = null;
        var s = text.Trim();
        if (s.Length == 0) { error = "empty spec"; return false; }
        // Whitespace around a spec is not part of it; a line break or control character inside it is never a separator.
        if (Definition.TextRules.FirstForbidden(s) >= 0) { error = "it contains a control character or line separator"; return false; }

        string? channel = null;
        var sep = s.IndexOf("::", StringComparison.Ordinal);
        if (sep >= 0)
        {
            channel = s[..sep];
            s = s[(sep + 2)..];
            if (!IsValidChannel(channel)) { error = $"invalid channel '{channel}'"; return false; }
        }

        string? version = null, build = null;
        var bracket = s.IndexOf('[');
        if (bracket >= 0)
        {
            if (!s.EndsWith(']')) { error = "unclosed '['"; return false; }
            foreach (var entry in SplitBracket(s[(bracket + 1)..^1]))
            {
                var m = BracketEntry().Match(entry);
                if (!m.Success) { error = $"cannot read '{entry.Trim()}' inside [...]"; return false; }
                var value = m.Groups["v"].Value.Trim();
                switch (m.Groups["key"].Value)
                {
                    case "version": version = value; break;
                    case "build": build = value; break;
                    default: error = $"unsupported key '{m.Groups["key"].Value}' inside [...] (version and build are)"; return false;
                }
            }
            s = s[..bracket].Trim();
        }

        var head = Head().Match(s);
        if (!head.Success) { error = "missing package name"; return false; }
        var name = head.Groups["name"].Value;
        var rest = head.Groups["rest"].Value.Trim();

        if (rest.Length > 0)
        {
            if (version is not null) { error = "version given twice"; return false; }
            if (rest.Contains(' ') && !rest.StartsWith('='))
            {
                // Space form: "name version [build]"; an operator may be followed by spaces before the version.
                var parts = Regex.Split(Regex.Replace(rest, @"([<>=!~]=?)\s+", "$1"), @"\s+");
                if (parts.Length > 2) { error = "too many space-separated parts"; return false; }
                version = parts[0];
                build = parts.Length > 1 ? parts[1] : build;
            }
            else if (rest.StartsWith('=') && !rest.StartsWith("==", StringComparison.Ordinal))
            {
                // "name=1.26" is a fuzzy match (1.26.*); "name=1.26=build" adds a build string.
                var parts = rest[1..].Split('=', 2);
                version = FuzzyVersion(parts[0]);
                if (parts.Length > 1) build = parts[1];
            }
            else if (rest.Contains(' '))
            {
                var parts = rest.Split(' ', 2, StringSplitOptions.TrimEntries);
                version = parts[0];
                build = parts[1];
            }
            else
            {
                version = rest;
            }
        }

        if (!NameRegex().IsMatch(name.ToLowerInvariant())) { error = $"invalid package name '{name}'"; return false; }
        if (version is not null && (version.Length == 0 || !VersionRegex().IsMatch(version))) { error = $"invalid version spec '{version}'"; return false; }
        if (build is not null && (build.Length == 0 || !BuildRegex().IsMatch(build))) { error = $"invalid build string '{build}'"; return false; }
        if (version is not null && !IsWellFormedVersion(version)) { error = $"invalid version spec '{version}'"; return false; }

        spec = new MatchSpec(channel, name.ToLowerInvariant(), version, build);
        return true;
    }

    private static string FuzzyVersion(string v) =>
        v.Length == 0 || v.EndsWith('*') || v.IndexOfAny(['<', '>', '!', '~', '=', ',', '|']) >= 0 ? v : v + ".*";

    private static bool IsWellFormedVersion(string version)
    {
        // Each clause: optional operator then a version token; clauses joined by ',' (and) or '|' (or).
        foreach (var clause in version.Split(',', '|'))
        {
            var m = Regex.Match(clause, @"^(==|!=|<=|>=|<|>|~=|=)?([0-9A-Za-z_.*+!]+)\z");
            if (!m.Success) return false;
        }
        return true;
    }

    private static IEnumerable<string> SplitBracket(string inner)
    {
        var sb = new StringBuilder();
        char quote = '\0';
        foreach (var c in inner)
        {
            if (quote != '\0') { if (c == quote) quote = '\0'; sb.Append(c); continue; }
            if (c is '\'' or '"') { quote = c; sb.Append(c); continue; }
            if (c == ',') { yield return sb.ToString(); sb.Clear(); continue; }
            sb.Append(c);
        }
        if (sb.Length > 0) yield return sb.ToString();
    }

    /// <summary>The canonical spelling, accepted by conda and micromamba alike: <c>channel::name version build</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        if (Channel is not null) sb.Append(Channel).Append("::");
        sb.Append(Name);
        if (Version is not null || Build is not null) sb.Append(' ').Append(Version ?? "*");
        if (Build is not null) sb.Append(' ').Append(Build);
        return sb.ToString();
    }
}
