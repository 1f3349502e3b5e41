using System.Text.Json;
using MlEnv.Engine;

namespace MlEnv.Registry;

/// <summary>Where a registry's credentials would come from, for a report. Holds names and files only, never a secret.</summary>
/// <param name="Kind">environment, credHelpers, credsStore, auths or none.</param>
/// <param name="Detail">The variable names, the helper and its path, or the config file and entry.</param>
/// <param name="Fallback">A source tried when the first has nothing for this registry (a helper's "credentials not found").</param>
public sealed record CredentialSource(string Registry, string Kind, string Detail, string? Fallback = null, bool Usable = true);

/// <summary>
/// The order <see cref="RegistryAuth"/> reads credentials in — MLENV_REGISTRY_USERNAME/PASSWORD, credHelpers, credsStore,
/// auths — told without reading a value: no helper is run and no variable's value is looked at beyond being set.
/// </summary>
public static class CredentialSources
{
    public static CredentialSource Describe(string registry, DockerSettings? settings = null)
    {
        settings ??= DockerSettings.Process;
        if (!string.IsNullOrEmpty(settings.Variable("MLENV_REGISTRY_USERNAME")) && settings.Variable("MLENV_REGISTRY_PASSWORD") is not null)
            return new CredentialSource(registry, "environment", "MLENV_REGISTRY_USERNAME and MLENV_REGISTRY_PASSWORD");
        JsonDocument? config;
        try
        {
            config = DockerConfig.Read(settings.ConfigFile);
        }
        catch (DockerConfigException e)
        {
            return new CredentialSource(registry, "none", $"{e.File} cannot be read: {e.Reason}", Usable: false);
        }
        using (config)
        {
            if (config is null) return new CredentialSource(registry, "none", $"no MLENV_REGISTRY_* variables and no {settings.ConfigFile}");
            var root = config.RootElement;
            var host = RegistryAuth.HostOf(registry);
            var auths = AuthsEntry(root, registry, host);
            var fallback = auths is null ? null : $"auths[\"{auths}\"] in {settings.ConfigFile}";
            if (root.TryGetProperty("credHelpers", out var helpers) && helpers.ValueKind == JsonValueKind.Object)
                foreach (var entry in helpers.EnumerateObject())
                    if (RegistryAuth.HostOf(entry.Name).Equals(host, StringComparison.OrdinalIgnoreCase) && entry.Value.GetString() is { Length: > 0 } helper)
                        return Helper(registry, "credHelpers", helper, $"credHelpers[\"{Definition.TextRules.Visible(Specs.PipLine.Redact(entry.Name))}\"] in {settings.ConfigFile}", fallback, settings);
            if (DockerConfig.String(root, "credsStore") is { Length: > 0 } store)
                return Helper(registry, "credsStore", store, $"credsStore in {settings.ConfigFile}", fallback, settings);
            return auths is null
                ? new CredentialSource(registry, "none", $"no MLENV_REGISTRY_* variables, helper or auths entry for {host} in {settings.ConfigFile}")
                : new CredentialSource(registry, "auths", $"auths[\"{auths}\"] in {settings.ConfigFile}");
        }
    }

    private static CredentialSource Helper(string registry, string kind, string helper, string where, string? fallback, DockerSettings settings)
    {
        var path = CredentialHelpers.Locate(helper, settings);
        return new CredentialSource(registry, kind,
            $"docker-credential-{Definition.TextRules.Visible(helper)} ({where}; {(path is null ? "not on PATH" : path)})", fallback, Usable: path is not null);
    }

    private static string? AuthsEntry(JsonElement root, string registry, string host)
    {
        if (!root.TryGetProperty("auths", out var auths) || auths.ValueKind != JsonValueKind.Object) return null;
        foreach (var entry in auths.EnumerateObject())
        {
            var name = entry.Name.Replace("https://", "").Replace("http://", "").TrimEnd('/');
            if (!name.Equals(registry, StringComparison.OrdinalIgnoreCase) && !RegistryAuth.HostOf(name).Equals(host, StringComparison.OrdinalIgnoreCase)) continue;
            if (DockerConfig.String(entry.Value, "identitytoken") is { Length: > 0 } || DockerConfig.String(entry.Value, "auth") is { Length: > 0 })
                // A key is an address; one written with userinfo in it is shown without it.
                return Definition.TextRules.Visible(Specs.PipLine.Redact(entry.Name));
        }
        return null;
    }
}
