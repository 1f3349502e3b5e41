using System.Text;
using System.Text.Json;
using Docker.DotNet.Models;

namespace MlEnv.Engine;

/// <summary>
/// Registry credentials the way Docker users expect them: MLENV_REGISTRY_USERNAME / MLENV_REGISTRY_PASSWORD, else the
/// standard Docker config file ($DOCKER_CONFIG/config.json or ~/.docker/config.json, "auths" entries). Never from an
/// MSBuild property, never logged. Credential helpers (credsStore) are not consulted.
/// </summary>
public static class RegistryAuth
{
    public static AuthConfig? For(string registry)
    {
        var user = Environment.GetEnvironmentVariable("MLENV_REGISTRY_USERNAME");
        var password = Environment.GetEnvironmentVariable("MLENV_REGISTRY_PASSWORD");
        if (!string.IsNullOrEmpty(user) && password is not null)
            return new AuthConfig { Username = user, Password = password, ServerAddress = registry };
        return FromDockerConfig(registry);
    }

    private static AuthConfig? FromDockerConfig(string registry)
    {
        var dir = Environment.GetEnvironmentVariable("DOCKER_CONFIG") is { Length: > 0 } d
            ? d : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
        var path = Path.Combine(dir, "config.json");
        if (!File.Exists(path)) return null;
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(path));
            if (!json.RootElement.TryGetProperty("auths", out var auths)) return null;
            foreach (var entry in auths.EnumerateObject())
            {
                var host = entry.Name.Replace("https://", "").Replace("http://", "").TrimEnd('/');
                if (!host.Equals(registry, StringComparison.OrdinalIgnoreCase) || !entry.Value.TryGetProperty("auth", out var auth)) continue;
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(auth.GetString() ?? ""));
                var colon = pair.IndexOf(':');
                if (colon < 0) return null;
                return new AuthConfig { Username = pair[..colon], Password = pair[(colon + 1)..], ServerAddress = registry };
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or IOException or InvalidOperationException)
        {
            // An unreadable config file means no credentials, as for the docker CLI's anonymous fallback.
        }
        return null;
    }
}
