using System.Text.Json;
using MlEnv.Diagnostics;

namespace MlEnv.Specs;

/// <summary>
/// Reads an existing conda environment from its prefix directory, offline: conda-meta/*.json for conda packages,
/// site-packages/*.dist-info for the packages pip installed. Everything comes back pinned to what is installed.
/// </summary>
public static partial class CondaPrefixReader
{
    /// <summary>A conda-meta record lists every file of its package; the largest real ones are a few megabytes.</summary>
    public const long MaxMetaBytes = 64L * 1024 * 1024;
    private const long MaxSmallFileBytes = 1024 * 1024;

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?\z")]
    private static partial System.Text.RegularExpressions.Regex DistributionName();

    public static CondaEnvironment Read(string prefix, List<Diagnostic> diagnostics, ISet<string>? readFiles = null)
    {
        var result = new CondaEnvironment { Name = Path.GetFileName(Path.TrimEndingDirectorySeparator(prefix)) };
        var meta = Path.Combine(prefix, "conda-meta");
        if (!Directory.Exists(meta))
        {
            diagnostics.Add(DiagnosticCatalog.CondaPrefixUnreadable.Create(prefix, "it has no conda-meta directory").At(prefix));
            return result;
        }

        // The directories count as inputs too: a package added or removed changes their timestamps.
        readFiles?.Add(Path.GetFullPath(meta));
        var channels = new List<string>();
        foreach (var file in Directory.EnumerateFiles(meta, "*.json").Order(StringComparer.Ordinal))
        {
            if (InputFiles.Problem(file) is { } notAFile) { diagnostics.Add(notAFile.At(file)); continue; }
            readFiles?.Add(Path.GetFullPath(file));
            try
            {
                if (InputFiles.ReadBytesCapped(file, MaxMetaBytes) is not { } bytes)
                {
                    diagnostics.Add(DiagnosticCatalog.InputLimitExceeded.Create(file, $"a conda-meta record may have at most {MaxMetaBytes} bytes").At(file));
                    continue;
                }
                using var doc = JsonDocument.Parse(bytes);
                var root = doc.RootElement;
                var name = root.GetProperty("name").GetString()!;
                var version = root.GetProperty("version").GetString()!;
                var build = root.TryGetProperty("build", out var b) ? b.GetString() : null;
                var channelUrl = root.TryGetProperty("channel", out var c) ? c.GetString() : null;
                if (channelUrl is not null && MatchSpec.ChannelTextProblem(channelUrl, Definition.DefinitionBuilder.Redact) is { } problem) { diagnostics.Add(problem.At(file)); continue; }
                var channel = ChannelName(channelUrl);
                if (channelUrl is not null && channel is null && channelUrl.Contains("://", StringComparison.Ordinal))
                {
                    // A file: channel is a folder on this machine: the image build cannot reach it.
                    diagnostics.Add(DiagnosticCatalog.InvalidChannel.Create(Definition.TextRules.Visible(channelUrl), "a local or non-http(s) channel is not reachable from the image build; serve it over http(s)").At(file));
                    continue;
                }
                var text = $"{(channel is null ? "" : channel + "::")}{name}=={version}{(string.IsNullOrEmpty(build) ? "" : "=" + build)}";
                var specText = channel is null ? $"{name} =={version}" : $"{channel}::{name} =={version}";
                if (!string.IsNullOrEmpty(build)) specText += " " + build;
                if (!MatchSpec.TryParse(specText, out var spec, out var error))
                {
                    diagnostics.Add(DiagnosticCatalog.CondaPrefixUnreadable.Create(prefix, Definition.TextRules.Visible($"{Path.GetFileName(file)}: {error} ({text})")).At(file));
                    continue;
                }
                result.Packages.Add(new CondaPackageInput(spec, new SourceLocation(file)));
                if (channel is not null && !channels.Contains(channel)) channels.Add(channel);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException or UriFormatException)
            {
                diagnostics.Add(DiagnosticCatalog.CondaPrefixUnreadable.Create(prefix, $"{Path.GetFileName(file)}: {e.Message}").At(file));
            }
        }
        foreach (var channel in channels) result.Channels.Add((channel, new SourceLocation(meta)));

        foreach (var sitePackages in SitePackages(prefix)) readFiles?.Add(Path.GetFullPath(sitePackages));
        foreach (var distInfo in SitePackages(prefix).SelectMany(d => Directory.EnumerateDirectories(d, "*.dist-info")).Order(StringComparer.Ordinal))
        {
            var installer = Path.Combine(distInfo, "INSTALLER");
            if (InputFiles.Inspect(installer) == InputFiles.Kind.Missing) continue;
            if (InputFiles.Problem(installer) is { } odd) { diagnostics.Add(odd.At(installer)); continue; }
            if (InputFiles.ReadTextCapped(installer, MaxSmallFileBytes)?.Trim() != "pip") continue;
            var metadata = Path.Combine(distInfo, "METADATA");
            if (InputFiles.Inspect(metadata) == InputFiles.Kind.Missing) continue;
            // A package pip installed whose metadata cannot be read is refused, not left out of the definition.
            if (InputFiles.Problem(metadata) is { } unreadable) { diagnostics.Add(unreadable.At(metadata)); continue; }
            readFiles?.Add(Path.GetFullPath(installer));
            readFiles?.Add(Path.GetFullPath(metadata));
            var (name, version) = NameAndVersion(metadata);
            // Both are checked on their own first: a Version header holding " --index-url=…" or " #…" must not be
            // read as a requirement with more in it.
            if (name is null || version is null || !DistributionName().IsMatch(name) || !Pep440Version.TryParse(version, out _)
                || !Pep508Requirement.TryParse($"{name}=={version}", out var requirement, out _, out _))
            {
                diagnostics.Add(DiagnosticCatalog.CondaPrefixUnreadable.Create(prefix, $"{Path.GetFileName(distInfo)}/METADATA has no valid Name and Version").At(metadata));
                continue;
            }
            result.Pip.Requirements.Add(new PipRequirementInput(requirement, [], new SourceLocation(metadata)));
        }
        return result;
    }

    /// <summary>The Name and Version headers; headers end at the first blank line, and no more than 1 MiB is read.</summary>
    private static (string? Name, string? Version) NameAndVersion(string metadata)
    {
        string? name = null, version = null;
        using var reader = new StreamReader(metadata);
        var buffer = new char[MaxSmallFileBytes];
        var length = reader.ReadBlock(buffer, 0, buffer.Length);
        foreach (var line in new string(buffer, 0, length).Split('\n'))
        {
            var l = line.TrimEnd('\r');
            if (l.Length == 0) break;
            if (l.StartsWith("Name:", StringComparison.OrdinalIgnoreCase)) name = l[5..].Trim(' ', '\t');
            else if (l.StartsWith("Version:", StringComparison.OrdinalIgnoreCase)) version = l[8..].Trim(' ', '\t');
        }
        return (name, version);
    }

    private static IEnumerable<string> SitePackages(string prefix)
    {
        var lib = Path.Combine(prefix, "lib");
        if (Directory.Exists(lib))
            foreach (var py in Directory.EnumerateDirectories(lib, "python*"))
                if (Directory.Exists(Path.Combine(py, "site-packages"))) yield return Path.Combine(py, "site-packages");
        var windows = Path.Combine(prefix, "Lib", "site-packages");
        if (Directory.Exists(windows)) yield return windows;
    }

    /// <summary>
    /// The channel a package came from, as conda names it: "https://conda.anaconda.org/conda-forge/linux-64" is
    /// "conda-forge", "https://repo.anaconda.com/pkgs/main/linux-64" is "pkgs/main"; any other host keeps its whole
    /// URL (without the platform subdir). A bare name would be looked up on anaconda.org, where anyone may publish
    /// under a private channel's name. A bare name stays; a file: channel is null (the caller refuses it).
    /// </summary>
    internal static string? ChannelName(string? channel)
    {
        if (string.IsNullOrWhiteSpace(channel)) return null;
        if (!channel.Contains("://", StringComparison.Ordinal)) return channel.Split('/')[0];
        var uri = new Uri(channel);
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) return null;
        var segments = uri.AbsolutePath.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (segments.Count > 1 && IsSubdir(segments[^1])) segments.RemoveAt(segments.Count - 1);
        if (segments.Count == 0) return null;
        var path = string.Join('/', segments);
        return uri.Host is "conda.anaconda.org" or "repo.anaconda.com" ? path : $"{uri.Scheme}://{uri.Authority}/{path}";
    }

    private static bool IsSubdir(string segment) =>
        segment is "noarch" || segment.Contains('-') && (segment.StartsWith("linux") || segment.StartsWith("osx") || segment.StartsWith("win"));
}
