using System.Text.RegularExpressions;
using SyntaxError = MlEnv.Specs.Pep508Requirement.SyntaxError;

namespace MlEnv.Specs;

/// <summary>Why a requirement was refused; each kind has its own diagnostic code.</summary>
public enum RequirementErrorKind
{
    None,
    /// <summary>Not PEP 508 (MLENV1001).</summary>
    Syntax,
    /// <summary>A control character, NUL, U+0085, U+2028 or U+2029 (MLENV1037).</summary>
    ControlCharacter,
    /// <summary>Valid PEP 508 that pip's requirements-file reader would read as something else (MLENV1038).</summary>
    PipMisreads,
    /// <summary>Marker parentheses nested deeper than <see cref="Pep508Requirement.MaxMarkerDepth"/> (MLENV1039).</summary>
    TooDeep,
    /// <summary>A URL with user information, which would end up in the definition and the image label (MLENV1042).</summary>
    Credentials,
    /// <summary>A file: URL, a path on this machine that the image build cannot see (MLENV1044).</summary>
    LocalFile,
}

/// <summary>
/// What pip's requirements-file reader (pip/_internal/req/req_file.py and constructors.py) does to a line, and so what
/// a generated requirements.txt line must avoid to be read back as the requirement MlEnv means:
/// the file is split with str.splitlines (more line breaks than \n); a line ending in '\' joins the next;
/// whitespace followed by '#' starts a comment; the line is split on ' ' and the first word starting with '-'
/// begins the options; ${NAME} is replaced by an environment variable; the requirement is cut at its first ';';
/// a trailing "[...]" is taken as extras and a name ending in an archive extension as a local file.
/// </summary>
public static partial class PipLine
{
    // pip's ARCHIVE_EXTENSIONS (ZIP, BZ2, TAR, XZ); its splitext keeps ".tar" with the last extension.
    internal static readonly string[] ArchiveExtensions =
        [".zip", ".whl", ".tar.bz2", ".tbz", ".tar.gz", ".tgz", ".tar", ".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma"];

    /// <summary>What pip expands from the environment in a requirements line: ${NAME} with upper-case letters, digits, '_'.</summary>
    [GeneratedRegex(@"\$\{[A-Z0-9_]+\}", RegexOptions.CultureInvariant)]
    internal static partial Regex EnvironmentReference();

    [GeneratedRegex(@"\Asha(256|384|512):[0-9a-f]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex Hash();

    /// <summary>A per-requirement hash as MlEnv writes it after --hash=.</summary>
    public static bool IsHash(string hash) => Hash().IsMatch(hash);

    /// <summary>
    /// Characters that pip (or a shell, or a Dockerfile) may read as a line break or that have no business in a
    /// requirement: control characters (NUL, U+0085 among them), U+2028 and U+2029. A tab is whitespace to PEP 508.
    /// </summary>
    public static bool IsForbidden(char c) => c != '\t' && Definition.TextRules.IsForbidden(c);

    /// <summary>The index of the first forbidden character, or -1.</summary>
    public static int IndexOfForbidden(string text)
    {
        for (int i = 0; i < text.Length; i++)
            if (IsForbidden(text[i])) return i;
        return -1;
    }

    public static string Describe(char c) => $"U+{(int)c:X4}";

    internal static void CheckCharacters(string source)
    {
        var at = IndexOfForbidden(source);
        if (at >= 0) throw new SyntaxError($"it contains the control character {Describe(source[at])}", at, RequirementErrorKind.ControlCharacter);
    }

    /// <summary>Why pip would read <paramref name="line"/> as more or other than one requirement, or null when it reads it as written.</summary>
    public static string? LineProblem(string line)
    {
        if (IndexOfForbidden(line) is var at and >= 0) return $"it contains the control character {Describe(line[at])}";
        for (int i = 1; i < line.Length; i++)
        {
            if (line[i] == '#' && char.IsWhiteSpace(line[i - 1])) return "pip reads whitespace followed by '#' as the start of a comment";
            if (line[i] == '-' && line[i - 1] == ' ') return "pip reads a word that starts with '-' as an option";
        }
        if (EnvironmentReference().IsMatch(line)) return "pip replaces ${NAME} with the value of an environment variable";
        if (line.EndsWith('\\')) return "pip joins a line that ends in '\\' with the next one";
        return null;
    }

    internal static void CheckLine(string line, string what)
    {
        if (LineProblem(line) is { } problem) throw new SyntaxError($"in its {what}, {problem}", 0, RequirementErrorKind.PipMisreads);
    }

    internal static void CheckRequirement(Pep508Requirement requirement)
    {
        // packaging 23's tokenizer lets "x_" through (its \b counts '_' as a word character), PEP 508 and pip's own
        // parser do not; normalised it would even become "x-", which nothing reads.
        foreach (var name in requirement.Extras.Prepend(requirement.Name))
            if (!char.IsAsciiLetterOrDigit(name[^1]))
                throw Misread($"'{name}' does not end with a letter or digit, which PEP 508 names and pip require");
        var canonical = requirement.ToCanonicalString();
        CheckLine(canonical, "canonical form");
        if (requirement.Url is { } url) CheckUrl(url);
        else CheckNamed(requirement, canonical);
    }

    private static void CheckUrl(string url)
    {
        var scheme = url[..url.IndexOf(':')].ToLowerInvariant();
        if (scheme == "file" || scheme.EndsWith("+file", StringComparison.Ordinal))
            throw new SyntaxError("a file: URL names a path on this machine, which the image build cannot see; add the wheel as an MlEnvPipWheel item", 0, RequirementErrorKind.LocalFile);
        foreach (var c in url)
        {
            if (c == ';') throw Misread("pip cuts a requirement line at its first ';', so a URL may not contain one (percent-encode it as %3B)");
            if (!IsUrlCharacter(c)) throw Misread($"the URL holds '{c}', which is not a URL character (percent-encode it)");
        }
    }

    // A requirement without a URL: pip looks for a path or an archive file name in it before it parses it.
    private static void CheckNamed(Pep508Requirement requirement, string canonical)
    {
        foreach (var clause in requirement.Specifier.Clauses)
            if (clause.Operator == "===" && clause.Version.IndexOfAny(['/', '\\', '[', ']']) is var i and >= 0)
                throw Misread($"pip reads '{clause.Version[i]}' in an arbitrary-equality version as part of a path or extras");
        var head = requirement.Marker is null ? canonical : canonical[..canonical.IndexOf(';')];
        if (head.EndsWith(']') && head.LastIndexOf('[') is var open and > 0) head = head[..open];
        foreach (var extension in ArchiveExtensions)
            if (head.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
                throw Misread($"pip reads a requirement ending in '{extension}' as a local archive file; write 'name @ URL' for an archive");
    }

    private static SyntaxError Misread(string why) => new(why, 0, RequirementErrorKind.PipMisreads);

    // RFC 3986 unreserved, reserved and '%'; '[' and ']' are left out: pip takes a trailing "[...]" for extras.
    private static bool IsUrlCharacter(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or ':' or '/' or '?' or '#' or '@' or '!' or '$' or '&' or '\''
            or '(' or ')' or '*' or '+' or ',' or '=' or '%';

    /// <summary>
    /// Why <paramref name="url"/> holds credentials, or null. Any user information counts (a token alone is a secret),
    /// except a bare user name for ssh, which authenticates with keys. An authority whose "port" is not a number is
    /// taken for a user name and a password holding an unescaped '/'. Never echoes what it found.
    /// </summary>
    public static string? CredentialProblem(string url)
    {
        var start = url.IndexOf("://", StringComparison.Ordinal);
        if (start < 0) return null;
        var scheme = url[..start].ToLowerInvariant();
        var rest = url[(start + 3)..];
        var end = rest.IndexOfAny(['/', '?', '#']);
        var authority = end < 0 ? rest : rest[..end];
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = authority[..at];
            if (scheme.EndsWith("ssh", StringComparison.Ordinal) && !userInfo.Contains(':')) return null;
            return "the URL holds credentials (user information before '@')";
        }
        var colon = authority.LastIndexOf(':');
        if (colon >= 0 && !authority.EndsWith(']') && !authority[(colon + 1)..].All(char.IsAsciiDigit))
            return "the URL's host is followed by something that is not a port, such as a password with an unescaped '/'";
        if (SecretParameter(url) is { } parameter)
            return $"the URL's query or fragment holds a credential ('{parameter}=')";
        return null;
    }

    // Query parameters that carry a credential in signed or token URLs (Azure SAS, S3 and GCS presigned links, API
    // tokens): in a URL they would reach the definition, requirements.txt and the image's label.
    private static readonly HashSet<string> SecretParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "sig", "signature", "token", "access_token", "auth", "authorization", "password", "passwd", "pwd", "pw", "secret",
        "client_secret", "api_key", "apikey", "key", "private_token", "x-amz-signature", "x-amz-credential",
        "x-amz-security-token", "x-goog-signature", "x-goog-credential",
    };

    /// <summary>The first query or fragment parameter of <paramref name="url"/> that names a credential, or null.</summary>
    public static string? SecretParameter(string url)
    {
        var start = url.IndexOfAny(['?', '#']);
        if (start < 0) return null;
        foreach (var pair in url[(start + 1)..].Split(['&', ';', '#', '?']))
        {
            var name = Uri.UnescapeDataString(pair.Split('=')[0]);
            if (pair.Contains('=') && SecretParameters.Contains(name)) return name;
        }
        return null;
    }

    /// <summary>
    /// Masks user information in every URL of <paramref name="text"/>, whatever it holds (spaces, '/', '@', %-escapes):
    /// everything from the first "://" up to the last '@' after it. Masking too much is harmless; too little leaks.
    /// </summary>
    public static string Redact(string text)
    {
        var start = text.IndexOf("://", StringComparison.Ordinal);
        if (start < 0) return text;
        // A credential in the query or fragment: everything after the first '?' or '#' goes.
        if (SecretParameter(text[start..]) is not null) text = text[..text.IndexOfAny(['?', '#'], start)] + "?***";
        var at = text.LastIndexOf('@');
        if (at < start + 3) return text;
        return text[..(start + 3)] + "***" + text[at..];
    }
}
