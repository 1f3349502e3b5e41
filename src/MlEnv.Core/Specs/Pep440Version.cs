using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;

namespace MlEnv.Specs;

/// <summary>A PEP 440 version with its normalised spelling and ordering.</summary>
public sealed partial class Pep440Version : IComparable<Pep440Version>, IEquatable<Pep440Version>
{
    // The pattern of PEP 440 appendix B, as the `packaging` library uses it.
    internal const string Pattern = """
        v?
        (?:
            (?:(?<epoch>[0-9]+)!)?
            (?<release>[0-9]+(?:\.[0-9]+)*)
            (?<pre>
                [-_\.]?
                (?<pre_l>(a|b|c|rc|alpha|beta|pre|preview))
                [-_\.]?
                (?<pre_n>[0-9]+)?
            )?
            (?<post>
                (?:-(?<post_n1>[0-9]+))
                |
                (?:
                    [-_\.]?
                    (?<post_l>post|rev|r)
                    [-_\.]?
                    (?<post_n2>[0-9]+)?
                )
            )?
            (?<dev>
                [-_\.]?
                (?<dev_l>dev)
                [-_\.]?
                (?<dev_n>[0-9]+)?
            )?
        )
        (?:\+(?<local>[a-z0-9]+(?:[-_\.][a-z0-9]+)*))?
        """;

    [GeneratedRegex(@"\A\s*" + Pattern + @"\s*\z", RegexOptions.IgnorePatternWhitespace | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex VersionRegex();

    public BigInteger Epoch { get; }
    public IReadOnlyList<BigInteger> Release { get; }
    public (string Label, BigInteger Number)? Pre { get; }
    public BigInteger? Post { get; }
    public BigInteger? Dev { get; }
    public IReadOnlyList<string>? Local { get; }

    private string? normalized;

    private Pep440Version(BigInteger epoch, IReadOnlyList<BigInteger> release, (string, BigInteger)? pre, BigInteger? post, BigInteger? dev, IReadOnlyList<string>? local)
    {
        Epoch = epoch; Release = release; Pre = pre; Post = post; Dev = dev; Local = local;
    }

    public bool IsPrerelease => Pre is not null || Dev is not null;

    public static bool TryParse(string? text, out Pep440Version version)
    {
        version = null!;
        if (text is null) return false;
        var m = VersionRegex().Match(text);
        if (!m.Success) return false;

        var epoch = m.Groups["epoch"].Success ? ParseNumber(m.Groups["epoch"].ValueSpan) : BigInteger.Zero;
        var releaseText = m.Groups["release"].ValueSpan;
        var release = new BigInteger[releaseText.Count('.') + 1];
        int part = 0;
        foreach (var range in releaseText.Split('.')) release[part++] = ParseNumber(releaseText[range]);
        (string, BigInteger)? pre = m.Groups["pre_l"].Success
            ? (CanonicalPreLabel(m.Groups["pre_l"].Value), Number(m.Groups["pre_n"]))
            : null;
        BigInteger? post = m.Groups["post"].Success
            ? (m.Groups["post_n1"].Success ? ParseNumber(m.Groups["post_n1"].ValueSpan) : Number(m.Groups["post_n2"]))
            : null;
        BigInteger? dev = m.Groups["dev"].Success ? Number(m.Groups["dev_n"]) : null;
        string[]? local = m.Groups["local"].Success
            ? m.Groups["local"].Value.ToLowerInvariant().Split('-', '_', '.')
            : null;
        version = new Pep440Version(epoch, release, pre, post, dev, local);
        return true;
    }

    public static Pep440Version Parse(string text) =>
        TryParse(text, out var v) ? v : throw new FormatException($"Invalid PEP 440 version '{text}'.");

    private static BigInteger Number(Group g) => g.Success ? ParseNumber(g.ValueSpan) : BigInteger.Zero;

    // Digits only (the pattern guarantees it); most fit a long, which is much cheaper to parse than a BigInteger.
    private static BigInteger ParseNumber(ReadOnlySpan<char> digits) =>
        digits.Length <= 18 ? long.Parse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture)
            : BigInteger.Parse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture);

    private static string CanonicalPreLabel(string label) => label.ToLowerInvariant() switch
    {
        "alpha" => "a",
        "beta" => "b",
        "c" or "pre" or "preview" => "rc",
        var l => l,
    };

    /// <summary>The version without its local segment ("public version").</summary>
    public Pep440Version Public => Local is null ? this : new Pep440Version(Epoch, Release, Pre, Post, Dev, null);

    /// <summary>The release segment with epoch only: used by prefix matching and ~=.</summary>
    public Pep440Version BaseVersion => new(Epoch, Release, null, null, null, null);

    private string Format()
    {
        var sb = new StringBuilder();
        if (!Epoch.IsZero) sb.Append(Epoch).Append('!');
        sb.AppendJoin('.', Release);
        if (Pre is { } p) sb.Append(p.Label).Append(p.Number);
        if (Post is { } post) sb.Append(".post").Append(post);
        if (Dev is { } dev) sb.Append(".dev").Append(dev);
        if (Local is not null) sb.Append('+').AppendJoin('.', Local);
        return sb.ToString();
    }

    public override string ToString() => normalized ??= Format();

    public int CompareTo(Pep440Version? other)
    {
        if (other is null) return 1;
        int c = Epoch.CompareTo(other.Epoch);
        if (c != 0) return c;
        c = CompareRelease(Release, other.Release);
        if (c != 0) return c;
        c = PreKey().CompareTo(other.PreKey());
        if (c != 0) return c;
        c = PostKey().CompareTo(other.PostKey());
        if (c != 0) return c;
        c = DevKey().CompareTo(other.DevKey());
        if (c != 0) return c;
        return CompareLocal(Local, other.Local);
    }

    private static int CompareRelease(IReadOnlyList<BigInteger> a, IReadOnlyList<BigInteger> b)
    {
        // Trailing zeros do not count: 1.0 == 1.0.0.
        int n = Math.Max(a.Count, b.Count);
        for (int i = 0; i < n; i++)
        {
            var x = i < a.Count ? a[i] : BigInteger.Zero;
            var y = i < b.Count ? b[i] : BigInteger.Zero;
            int c = x.CompareTo(y);
            if (c != 0) return c;
        }
        return 0;
    }

    // Sort keys as in `packaging`: a dev release with no pre/post sorts before any pre-release.
    private (int, int, BigInteger) PreKey()
    {
        if (Pre is null && Post is null && Dev is not null) return (-1, 0, 0);
        if (Pre is null) return (1, 0, 0);
        var rank = Pre.Value.Label switch { "a" => 0, "b" => 1, _ => 2 };
        return (0, rank, Pre.Value.Number);
    }

    private (int, BigInteger) PostKey() => Post is null ? (-1, 0) : (0, Post.Value);

    private (int, BigInteger) DevKey() => Dev is null ? (1, 0) : (0, Dev.Value);

    private static int CompareLocal(IReadOnlyList<string>? a, IReadOnlyList<string>? b)
    {
        if (a is null) return b is null ? 0 : -1;
        if (b is null) return 1;
        for (int i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            bool an = BigInteger.TryParse(a[i], out var ai), bn = BigInteger.TryParse(b[i], out var bi);
            int c = (an, bn) switch
            {
                (true, true) => ai.CompareTo(bi),
                (true, false) => 1,
                (false, true) => -1,
                _ => string.CompareOrdinal(a[i], b[i]),
            };
            if (c != 0) return c;
        }
        return a.Count.CompareTo(b.Count);
    }

    public bool Equals(Pep440Version? other) => other is not null && CompareTo(other) == 0;
    public override bool Equals(object? obj) => obj is Pep440Version v && Equals(v);
    public override int GetHashCode()
    {
        // Equal versions may differ in trailing release zeros (1.0 == 1.0.0): hash what they share.
        var hash = new HashCode();
        hash.Add(Epoch);
        int last = Release.Count - 1;
        while (last > 0 && Release[last].IsZero) last--;
        for (int i = 0; i <= last; i++) hash.Add(Release[i]);
        return hash.ToHashCode();
    }
    public static bool operator <(Pep440Version a, Pep440Version b) => a.CompareTo(b) < 0;
    public static bool operator >(Pep440Version a, Pep440Version b) => a.CompareTo(b) > 0;
    public static bool operator <=(Pep440Version a, Pep440Version b) => a.CompareTo(b) <= 0;
    public static bool operator >=(Pep440Version a, Pep440Version b) => a.CompareTo(b) >= 0;
}
