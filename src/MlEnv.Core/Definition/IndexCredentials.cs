using MlEnv.Diagnostics;

namespace MlEnv.Definition;

/// <summary>
/// Where pip index credentials come from: the userinfo of MlEnvPipIndexUrl, else MLENV_PIP_INDEX_USERNAME and
/// MLENV_PIP_INDEX_PASSWORD. They go to the build as arguments of a stage the final image does not keep.
/// </summary>
public static class IndexCredentials
{
    public const string UsernameVariable = "MLENV_PIP_INDEX_USERNAME";
    public const string PasswordVariable = "MLENV_PIP_INDEX_PASSWORD";

    public static PipCredentials? FromEnvironment()
    {
        var user = Environment.GetEnvironmentVariable(UsernameVariable);
        var password = Environment.GetEnvironmentVariable(PasswordVariable);
        return string.IsNullOrEmpty(user) ? null : new PipCredentials(user, password ?? "");
    }

    /// <summary>Credentials in a URL's userinfo, percent-decoded; null when it has none.</summary>
    public static PipCredentials? FromUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.UserInfo.Length == 0) return null;
        var parts = uri.UserInfo.Split(':', 2);
        return new PipCredentials(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "");
    }

    /// <summary>
    /// The credentials a build uses, or null; problems (unused, unusable) as diagnostics. Judged from the canonical
    /// definition, which says whether there is an index and whether the base is a Dockerfile.
    /// </summary>
    public static PipCredentials? ForBuild(System.Text.Json.Nodes.JsonNode canonical, PipCredentials? credentials, List<Diagnostic> diagnostics)
    {
        if (credentials is null) return null;
        if (canonical["pip"]?["indexUrl"] is null)
        {
            diagnostics.Add(DiagnosticCatalog.CredentialsWithoutIndex.Create($"{UsernameVariable}/{PasswordVariable} or the URL's userinfo"));
            return null;
        }
        if (canonical["base"]?["dockerfileSha256"] is not null)
        {
            diagnostics.Add(DiagnosticCatalog.CredentialsWithBaseDockerfile.Create());
            return null;
        }
        if (credentials.Username.Any(char.IsWhiteSpace)) diagnostics.Add(DiagnosticCatalog.InvalidCredentials.Create("user name"));
        if (credentials.Password.Any(char.IsWhiteSpace)) diagnostics.Add(DiagnosticCatalog.InvalidCredentials.Create("password"));
        return diagnostics.Any(d => d.IsError) ? null : credentials;
    }

    /// <summary>The build arguments that carry them; empty without credentials.</summary>
    public static Dictionary<string, string> BuildArguments(PipCredentials? credentials) => credentials is null ? [] : new()
    {
        [Generation.DockerfileGenerator.UsernameArg] = credentials.Username,
        [Generation.DockerfileGenerator.PasswordArg] = credentials.Password,
    };
}
