using System.Globalization;
using System.Text.RegularExpressions;
using MlEnv.Definition;
using MlEnv.Diagnostics;
using MlEnv.Registry;

namespace MlEnv.Definition;

/// <summary>
/// Every MlEnv property the targets hand to a task, checked before any task reads it: a value MSBuild would have to
/// convert (a bool, an int) or a library would have to parse (a URI, a size) gets a coded error naming the property,
/// never MSB4030 or a stack trace. An empty value means "the default" and is not checked here.
/// </summary>
public static partial class PropertyValidation
{
    public static readonly IReadOnlyList<string> Booleans =
    [
        "EnableMlEnv", "MlEnvUserManagedDependencies", "MlEnvBuildImage", "MlEnvRequireDocker", "MlEnvRefresh",
        "MlEnvBundle", "MlEnvRegister", "MlEnvRegistryStore", "MlEnvScoringConcurrentRun",
        "MlEnvTerminalProgress",
    ];

    public static readonly IReadOnlyList<string> Paths =
    [
        "MlEnvStore", "MlEnvOutputFile", "MlEnvDownloadDir", "MlEnvScaffoldDir", "MlEnvBaseDockerfile", "MlEnvScoringScript", "MlEnvRunScript",
    ];

    /// <summary>Docker's limits: a repository name of at most 255 characters, a tag of at most 128.</summary>
    public const int MaxRepositoryLength = 255;

    [GeneratedRegex(@"\A(?:container:)?[A-Za-z0-9][A-Za-z0-9_.-]{0,127}\z")] private static partial Regex NetworkMode();
    [GeneratedRegex(@"\A(?<n>[0-9]{1,19})(?<u>[kmgKMG]?)[bB]?\z")] private static partial Regex Size();

    /// <summary>Checks the properties by name (missing or empty ones are left to their defaults).</summary>
    public static List<PropertyDiagnostic> Validate(IReadOnlyDictionary<string, string?> properties)
    {
        var diagnostics = new List<PropertyDiagnostic>();
        string? Value(string name) => properties.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v) ? v : null;
        void Add(string name, Diagnostic d) => diagnostics.Add(new PropertyDiagnostic(name, d));

        if (Value("EnableMlEnv") is { } enabled)
        {
            if (!TryParseBool(enabled, out var on)) { Add("EnableMlEnv", InvalidBoolean("EnableMlEnv", enabled)); return diagnostics; }
            if (!on) return diagnostics; // MlEnv is off: nothing else of it is read
        }
        ValidateSwitchesAndPaths(Value, Add);
        ValidateDefinitionInputs(Value, Add);
        ValidateEngineAndRun(Value, Add);
        ValidateImages(Value, Add);
        return diagnostics;
    }

    private static void ValidateSwitchesAndPaths(Func<string, string?> value, Action<string, Diagnostic> add)
    {
        foreach (var name in Booleans.Skip(1))
            if (value(name) is { } v && !TryParseBool(v, out _)) add(name, InvalidBoolean(name, v));
        foreach (var name in Paths)
            if (value(name) is { } v && HasControlCharacter(v)) add(name, DiagnosticCatalog.InvalidPathProperty.Create(name, Visible(v)));

        if (value("MlEnvServicePort") is { } port && ParsePort(port) is null)
            add("MlEnvServicePort", DiagnosticCatalog.InvalidNumberProperty.Create("MlEnvServicePort", Visible(port), 1, 65535));
        if (value("MlEnvOutputFormat") is { } format && !IsOneOf(format, "table", "json"))
            add("MlEnvOutputFormat", DiagnosticCatalog.InvalidChoiceProperty.Create("MlEnvOutputFormat", Visible(format), "table, json"));
    }

    private static void ValidateDefinitionInputs(Func<string, string?> value, Action<string, Diagnostic> add)
    {
        if (value("MlEnvGpu") is { } gpu && !IsOneOf(gpu, "auto", "true", "false"))
            add("MlEnvGpu", DiagnosticCatalog.InvalidGpu.Create(Visible(gpu)));
        if (value("MlEnvPythonVersion") is { } python && !DefinitionBuilder.IsValidPythonVersion(python.Trim(' ')))
            add("MlEnvPythonVersion", DiagnosticCatalog.InvalidPythonVersion.Create(Visible(python)));

        if (value("MlEnvCondaExecutable") is { } executable && !DefinitionBuilder.IsValidExecutable(executable.Trim(' ')))
            add("MlEnvCondaExecutable", DiagnosticCatalog.InvalidExecutable.Create(Visible(executable), "a command name of letters, digits, '_', '.', '+' and '-'"));
        if (value("MlEnvPipIndexUrl") is { } index && (HasControlCharacter(index) || index.Trim(' ').Any(char.IsWhiteSpace)))
            add("MlEnvPipIndexUrl", DiagnosticCatalog.InvalidIndexUrl.Create(Visible(WithoutUserInfo(index)), "a URL may not contain whitespace, line breaks or other control characters"));

    }

    private static void ValidateEngineAndRun(Func<string, string?> value, Action<string, Diagnostic> add)
    {
        // MlEnvDockerHost wins over DOCKER_HOST; whichever is used must be an endpoint the Docker client can open. The
        // machine's DOCKER_HOST is not the project's business when the project builds no image.
        var buildsImage = !(value("MlEnvBuildImage") is { } b && TryParseBool(b, out var build) && !build);
        var (hostName, host) = value("MlEnvDockerHost") is { } h ? ("MlEnvDockerHost", h) : ("DOCKER_HOST", buildsImage ? value("DOCKER_HOST") : null);
        if (host is not null && DockerHostProblem(host) is { } problem)
            add(hostName, DiagnosticCatalog.InvalidDockerHost.Create(hostName, Visible(WithoutUserInfo(host)), problem));
        if (value("MlEnvBuildNetwork") is { } network && !NetworkMode().IsMatch(network.Trim(' ')))
            add("MlEnvBuildNetwork", DiagnosticCatalog.InvalidBuildNetwork.Create(Visible(network)));
        if (value("MlEnvShmSize") is { } shm && ParseSize(shm) is null)
            add("MlEnvShmSize", DiagnosticCatalog.InvalidRunInput.Create(Visible(shm), ShmSizeHint));
        if (value("MlEnvRunArguments") is { } arguments && ArgumentsProblem(arguments) is { } argumentProblem)
            add("MlEnvRunArguments", DiagnosticCatalog.InvalidRunInput.Create(Visible(arguments), argumentProblem));

    }

    private static void ValidateImages(Func<string, string?> value, Action<string, Diagnostic> add)
    {
        // The repositories default to mlenv/$(MlEnvName): a bad name is reported once, as the name.
        var nameValid = value("MlEnvName") is not { } environmentName || DefinitionBuilder.IsValidEnvironmentName(environmentName);
        if (!nameValid) add("MlEnvName", DiagnosticCatalog.InvalidName.Create(Visible(value("MlEnvName")!)));
        foreach (var name in nameValid ? new[] { "MlEnvImageRepository", "MlEnvServiceImageRepository" } : [])
            if (value(name) is { } repository && !IsValidRepository(repository))
                add(name, DiagnosticCatalog.InvalidImageReference.Create(Visible(repository)));
        foreach (var name in new[] { "MlEnvBaseImage", "MlEnvGpuBaseImage" })
            if (value(name) is { } image && !IsValidImage(image.Trim(' ')))
                add(name, DiagnosticCatalog.InvalidImageReference.Create(Visible(image)));
        if (value("MlEnvRegistry") is { } registry && (HasControlCharacter(registry) || !Registries.IsValid(registry.Trim(' ').TrimEnd('/')) || !HasValidRegistryPort(registry.Trim(' '))))
            add("MlEnvRegistry", DiagnosticCatalog.InvalidRegistry.Create(Visible(WithoutUserInfo(registry))));
        if (value("MlEnvBaseImageRegistry") is { } mirror && (HasControlCharacter(mirror) || !Registries.IsValid(mirror.Trim(' ').TrimEnd('/')) || !HasValidRegistryPort(mirror.Trim(' '))))
            add("MlEnvBaseImageRegistry", DiagnosticCatalog.InvalidImageReference.Create(Visible(WithoutUserInfo(mirror))));
        if (value("MlEnvImageTags") is { } tags)
            foreach (var tag in tags.Split(';').Select(t => t.Trim(' ')).Where(t => t.Length > 0))
                if (HasControlCharacter(tag) || !Registries.IsValidTag(tag)) { add("MlEnvImageTags", DiagnosticCatalog.InvalidImageTag.Create(Visible(tag))); break; }
    }

    public const string ShmSizeHint = "MlEnvShmSize takes a size such as 2g, 512m, 64k or a number of bytes, below 8 EiB";

    public static Diagnostic InvalidBoolean(string name, string value) => DiagnosticCatalog.InvalidBooleanProperty.Create(name, Visible(value));

    /// <summary>
    /// true or false, in any case; nothing else. Not trimmed and no yes/on/! forms: MlEnv's targets compare these values
    /// in conditions ('$(MlEnvRegister)' == 'true'), so a value the targets would read differently is refused.
    /// </summary>
    public static bool TryParseBool(string? value, out bool result)
    {
        var v = value;
        result = string.Equals(v, "true", StringComparison.OrdinalIgnoreCase);
        return result || string.Equals(v, "false", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A property value that is a boolean: empty is the default, anything else must parse.</summary>
    public static bool ParseBoolOrDefault(string? value, bool defaultValue) =>
        string.IsNullOrWhiteSpace(value) ? defaultValue : TryParseBool(value, out var b) ? b : defaultValue;

    public static int? ParsePort(string? value)
    {
        var v = value?.Trim(' ');
        if (v is not { Length: >= 1 and <= 5 } || !v.All(c => c is >= '0' and <= '9')) return null;
        var n = int.Parse(v, NumberStyles.None, CultureInfo.InvariantCulture);
        return n is >= 1 and <= 65535 ? n : null;
    }

    /// <summary>Bytes: a number with an optional k, m or g (and b); empty is 0 (the engine's default). Null when invalid or too large.</summary>
    public static long? ParseSize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return 0;
        var m = Size().Match(text.Trim(' '));
        if (!m.Success || !long.TryParse(m.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return null;
        var shift = char.ToLowerInvariant(m.Groups["u"].Value.FirstOrDefault()) switch { 'k' => 10, 'm' => 20, 'g' => 30, _ => 0 };
        return n > long.MaxValue >> shift ? null : n << shift;
    }

    /// <summary>Why the endpoint cannot be used by the Docker client, or null when it can.</summary>
    public static string? DockerHostProblem(string value)
    {
        if (HasControlCharacter(value) || value.Trim(' ').Any(char.IsWhiteSpace)) return "it contains whitespace or control characters";
        if (!Uri.TryCreate(value.Trim(' '), UriKind.Absolute, out var uri)) return "it is not an absolute URI";
        switch (uri.Scheme)
        {
            case "unix":
            case "npipe":
                return uri.AbsolutePath is { Length: > 1 } ? null : $"a {uri.Scheme}:// endpoint needs a path";
            case "ssh":
                return null; // the engine resolution refuses it with MLENV2022, saying what to use instead
            case "tcp":
            case "http":
            case "https":
                if (uri.Host.Length == 0) return "it has no host";
                return uri.AbsolutePath is "/" or "" && uri.Query.Length == 0 && uri.UserInfo.Length == 0 ? null : "a network endpoint is a host and a port only";
            default:
                return $"the scheme '{uri.Scheme}' is not one the Docker client speaks";
        }
    }

    /// <summary>Why MlEnvRunArguments cannot be split into arguments, or null.</summary>
    public static string? ArgumentsProblem(string value)
    {
        if (value.Contains('\0')) return "MlEnvRunArguments may not contain NUL";
        char quote = '\0';
        foreach (var c in value)
        {
            if (quote != '\0') { if (c == quote) quote = '\0'; }
            else if (c is '"' or '\'') quote = c;
        }
        return quote == '\0' ? null : $"MlEnvRunArguments has an unterminated {quote} quote";
    }

    public static bool IsValidRepository(string repository)
    {
        var r = repository.Trim(' ');
        return r.Length <= MaxRepositoryLength && !r.Contains('@') && IsValidImage(r + ":tag");
    }

    /// <summary>An image reference within Docker's length limits (name at most 255, tag at most 128 characters).</summary>
    public static bool IsValidImage(string image)
    {
        if (HasControlCharacter(image) || image.Any(char.IsWhiteSpace)) return false;
        var name = image.Split('@')[0];
        var lastSlash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        if (colon > lastSlash) name = name[..colon];
        return name.Length <= MaxRepositoryLength && HasValidPort(name) && Definition.DefinitionBuilder.IsValidImageReference(image);
    }

    /// <summary>A registry host's port, when it has one, is 1–65535 (the patterns allow any five digits).</summary>
    public static bool HasValidRegistryPort(string registry)
    {
        var host = registry.Split('/')[0];
        var colon = host.LastIndexOf(':');
        return colon < 0 || ParsePort(host[(colon + 1)..]) is not null;
    }

    /// <summary>An image name has a registry host only before a '/': "python:3.11" has a tag, not a port.</summary>
    private static bool HasValidPort(string imageName) => !imageName.Contains('/') || HasValidRegistryPort(imageName);

    /// <summary>
    /// A password in an endpoint never reaches the log, even when the endpoint is refused. A password may hold '@',
    /// '/' or spaces, so everything from the scheme to the last '@' goes (over-redacting a path with an '@' is the
    /// safe side of a diagnostic).
    /// </summary>
    public static string WithoutUserInfo(string value) => Specs.PipLine.Redact(value);

    public static bool HasControlCharacter(string value) => TextRules.FirstForbidden(value) >= 0;

    private static bool IsOneOf(string value, params string[] allowed) =>
        allowed.Any(a => string.Equals(value.Trim(' '), a, StringComparison.OrdinalIgnoreCase));

    /// <summary>A value as a diagnostic shows it: control characters escaped, so the message stays one line.</summary>
    public static string Visible(string value)
    {
        var shown = value.Length > 200 ? value[..200] + "…" : value;
        if (!HasControlCharacter(shown)) return shown;
        var sb = new System.Text.StringBuilder();
        foreach (var c in shown) sb.Append(TextRules.IsForbidden(c) ? $"\\u{(int)c:x4}" : c.ToString());
        return sb.ToString();
    }
}

/// <summary>A finding about one property, so that the task can point at the line that sets it.</summary>
public sealed record PropertyDiagnostic(string Property, Diagnostic Diagnostic);
