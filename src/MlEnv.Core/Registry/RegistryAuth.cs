using System.Text;
using System.Text.Json;
using Docker.DotNet.Models;
using MlEnv.Diagnostics;
using MlEnv.Engine;

namespace MlEnv.Registry;

/// <summary>
/// Registry credentials the way Docker users have them: MLENV_REGISTRY_USERNAME / MLENV_REGISTRY_PASSWORD, else the
/// Docker config file ($DOCKER_CONFIG/config.json or ~/.docker/config.json) as the docker CLI reads it:
/// credHelpers[registry], then credsStore (docker-credential-&lt;name&gt; get), then "auths". Never from an MSBuild
/// property, never logged. A helper that is missing or fails is a warning naming it, and the next source is tried.
/// </summary>
public static class RegistryAuth
{
    /// <summary>The helper's "Username" when its "Secret" is an identity (refresh) token rather than a password.</summary>
    public const string IdentityTokenUser = "<token>";

    public static AuthConfig? For(string registry, Action<Diagnostic>? warn = null, DockerSettings? settings = null)
    {
        settings ??= DockerSettings.Process;
        var user = settings.Variable("MLENV_REGISTRY_USERNAME");
        var password = settings.Variable("MLENV_REGISTRY_PASSWORD");
        if (!string.IsNullOrEmpty(user) && password is not null)
            return new AuthConfig { Username = user, Password = password, ServerAddress = registry };
        JsonDocument? config;
        try
        {
            config = DockerConfig.Read(settings.ConfigFile);
        }
        catch (DockerConfigException e)
        {
            // As for the docker CLI's anonymous fallback, but said: a push that is then refused has its reason.
            warn?.Invoke(DiagnosticCatalog.RegistryCredentialsUnreadable.Create(registry, e.File, e.Reason));
            return null;
        }
        using (config)
        {
            if (config is null) return null;
            return FromHelper(registry, config.RootElement, settings, warn) ?? FromAuths(registry, config.RootElement, settings, warn);
        }
    }

    /// <summary>The registry's host (and port): the key the docker CLI stores credentials under.</summary>
    public static string HostOf(string registry) => registry.Replace("https://", "").Replace("http://", "").Split('/')[0];

    private static AuthConfig? FromHelper(string registry, JsonElement root, DockerSettings settings, Action<Diagnostic>? warn)
    {
        var host = HostOf(registry);
        string? helper = null, source = null;
        if (root.TryGetProperty("credHelpers", out var helpers) && helpers.ValueKind == JsonValueKind.Object)
            foreach (var entry in helpers.EnumerateObject())
                if (HostOf(entry.Name).Equals(host, StringComparison.OrdinalIgnoreCase) && entry.Value.ValueKind == JsonValueKind.String)
                    (helper, source) = (entry.Value.GetString(), $"credHelpers[\"{entry.Name}\"] in {settings.ConfigFile}");
        if (helper is null && DockerConfig.String(root, "credsStore") is { Length: > 0 } store)
            (helper, source) = (store, $"credsStore in {settings.ConfigFile}");
        if (string.IsNullOrEmpty(helper)) return null;

        var answer = CredentialHelpers.Get(helper, host, settings);
        if (answer.Missing) warn?.Invoke(DiagnosticCatalog.CredentialHelperMissing.Create("docker-credential-" + helper, source, registry));
        else if (answer.Failure is { } failure) warn?.Invoke(DiagnosticCatalog.CredentialHelperFailed.Create("docker-credential-" + helper, source, registry, failure));
        if (!answer.Found) return null;
        return answer.Username == IdentityTokenUser
            ? new AuthConfig { IdentityToken = answer.Secret, ServerAddress = host }
            : new AuthConfig { Username = answer.Username, Password = answer.Secret, ServerAddress = host };
    }

    private static AuthConfig? FromAuths(string registry, JsonElement root, DockerSettings settings, Action<Diagnostic>? warn)
    {
        if (!root.TryGetProperty("auths", out var auths) || auths.ValueKind != JsonValueKind.Object) return null;
        var host = HostOf(registry);
        foreach (var entry in auths.EnumerateObject())
        {
            var name = entry.Name.Replace("https://", "").Replace("http://", "").TrimEnd('/');
            if (!name.Equals(registry, StringComparison.OrdinalIgnoreCase) && !HostOf(name).Equals(host, StringComparison.OrdinalIgnoreCase)) continue;
            if (DockerConfig.String(entry.Value, "identitytoken") is { Length: > 0 } token)
                return new AuthConfig { IdentityToken = token, ServerAddress = registry };
            if (DockerConfig.String(entry.Value, "auth") is not { Length: > 0 } auth) continue;
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
                var colon = pair.IndexOf(':');
                if (colon < 0) throw new FormatException();
                return new AuthConfig { Username = pair[..colon], Password = pair[(colon + 1)..], ServerAddress = registry };
            }
            catch (FormatException)
            {
                warn?.Invoke(DiagnosticCatalog.RegistryCredentialsUnreadable.Create(registry, settings.ConfigFile, $"the auths entry \"{entry.Name}\" is not base64 of user:password"));
                break;
            }
        }
        return null;
    }
}
