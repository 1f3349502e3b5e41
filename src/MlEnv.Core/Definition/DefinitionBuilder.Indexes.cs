using MlEnv.Diagnostics;
using MlEnv.Specs;

namespace MlEnv.Definition;

/// <summary>
/// The package indexes: one index URL, extra indexes and find-links. Credentials are split off here and never enter
/// the definition; a credential that would not reach the build is refused, never silently dropped.
/// </summary>
public static partial class DefinitionBuilder
{
    private static (PipIndex Index, PipCredentials? Credentials) PipIndexes(Context c, PipInputs pip)
    {
        var credentials = c.Inputs.PipCredentials;
        string? indexUrl = null;
        var candidates = new List<(string Url, SourceLocation Source)>();
        if (!string.IsNullOrWhiteSpace(c.Inputs.PipIndexUrl)) candidates.Add((c.Inputs.PipIndexUrl.Trim(), c.Project));
        candidates.AddRange(pip.IndexUrls);
        for (var i = 0; i < candidates.Count; i++)
        {
            var (url, source) = candidates[i];
            // The build takes index credentials from MlEnvPipIndexUrl or the environment only: userinfo in a file's
            // --index-url would be stripped here and never reach the build, a credential silently dropped.
            var fromFile = i >= candidates.Count - pip.IndexUrls.Count;
            var clean = fromFile
                ? CleanUrlWithoutCredentials(c, url, source, "index URL in a requirements or environment file", $"set it as MlEnvPipIndexUrl, or pass the credentials through {IndexCredentials.UsernameVariable} and {IndexCredentials.PasswordVariable}")
                : CleanUrl(c, url, source, out _);
            if (clean is null) continue;
            if (!fromFile && IndexCredentials.FromUrl(url) is { } found) credentials ??= found;
            if (indexUrl is null) indexUrl = clean;
            else if (indexUrl != clean) c.Report(DiagnosticCatalog.InvalidIndexUrl.Create(clean, $"a second index URL; '{indexUrl}' is already the index (use an extra index URL)"), source);
        }
        List<string> Secondary(IEnumerable<(string Url, SourceLocation Source)> urls, string what) =>
            urls.Select(u => CleanSecondaryUrl(c, u.Url, u.Source, what, indexUrl, credentials)).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
        var extraIndexUrls = Secondary(c.Inputs.PipExtraIndexUrls.Concat(pip.ExtraIndexUrls), "extra index URL");
        var findLinks = Secondary(c.Inputs.PipFindLinks.Concat(pip.FindLinks), "find-links URL");
        return (new PipIndex(indexUrl, extraIndexUrls, findLinks, pip.Pre || c.Inputs.PipPre), credentials);
    }

    /// <summary>
    /// Credentials reach the build only for the index host (a netrc entry in the packages stage): an extra index or
    /// find-links URL with credentials is fine when they are those very credentials for that host, which the netrc
    /// covers; any other credential would be dropped, and a dropped credential is never silent.
    /// </summary>
    private static string? CleanSecondaryUrl(Context c, string url, SourceLocation source, string what, string? indexUrl, PipCredentials? credentials)
    {
        if (CleanUrl(c, url, source, out var userInfo, "The " + what) is not { } clean) return null;
        if (userInfo is null) return clean;
        bool covered = indexUrl is not null && userInfo == credentials &&
            string.Equals(new Uri(indexUrl).Host, new Uri(clean).Host, StringComparison.OrdinalIgnoreCase);
        if (!covered) c.Report(DiagnosticCatalog.CredentialsInUrl.Create(what, Redact(TextRules.Visible(url)), $"credentials go only to the index host (MlEnvPipIndexUrl), through {IndexCredentials.UsernameVariable} and {IndexCredentials.PasswordVariable}; remove them from this URL, or serve the packages from the index host"), source);
        return clean;
    }

    private static string? CleanUrlWithoutCredentials(Context c, string url, SourceLocation source, string what, string instead)
    {
        if (IndexCredentials.FromUrl(url) is not null)
        {
            c.Report(DiagnosticCatalog.CredentialsInUrl.Create(what, Redact(TextRules.Visible(url)), instead), source);
            return null;
        }
        return CleanUrl(c, url, source, out _, "The " + what);
    }

    private static string? CleanUrl(Context c, string url, SourceLocation source, out PipCredentials? userInfo, string what = "The package index URL")
    {
        userInfo = null;
        if (TextRules.FirstForbidden(url) >= 0)
        {
            c.Report(TextRules.Check(what, url, Redact)!, source);
            return null;
        }
        if (PipLine.SecretParameter(url) is { } parameter)
        {
            c.Report(DiagnosticCatalog.CredentialsInUrl.Create(what.StartsWith("The ", StringComparison.Ordinal) ? what[4..] : what, Redact(TextRules.Visible(url.Split('?', '#')[0])) + "?…",
                $"its '{parameter}=' parameter is a credential; give index credentials through {IndexCredentials.UsernameVariable} and {IndexCredentials.PasswordVariable}"), source);
            return null;
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || url.Any(ch => char.IsWhiteSpace(ch) || ch is '"' or '\'' or '`' or '\\'))
        {
            c.Report(DiagnosticCatalog.InvalidIndexUrl.Create(Redact(url), "an absolute http(s) URL is required"), source);
            return null;
        }
        if (IndexCredentials.FromUrl(url) is { } found)
        {
            userInfo = found;
            return new UriBuilder(uri) { UserName = "", Password = "" }.Uri.AbsoluteUri;
        }
        return uri.AbsoluteUri;
    }
}
