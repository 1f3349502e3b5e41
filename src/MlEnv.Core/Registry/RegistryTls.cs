using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using MlEnv.Engine;

namespace MlEnv.Registry;

/// <summary>
/// How MlEnv's own registry calls (store, catalog, tags) reach a registry, as dockerd does: HTTPS, trusting the
/// system's CAs and any *.crt in certs.d/&lt;host:port&gt;/ (dockerd's /etc/docker/certs.d; MLENV_DOCKER_CERTS_D moves
/// it), with a client certificate from a *.cert / *.key pair there. Plain HTTP only for a loopback address or a
/// registry listed as insecure (MLENV_INSECURE_REGISTRIES, comma-separated, or "insecure-registries" in
/// /etc/docker/daemon.json).
/// </summary>
public static class RegistryTls
{
    public const string DefaultCertsRoot = "/etc/docker/certs.d";
    public const string DefaultDaemonConfig = "/etc/docker/daemon.json";

    public static string CertsRoot(DockerSettings settings) =>
        settings.Variable("MLENV_DOCKER_CERTS_D") is { Length: > 0 } root ? root : DefaultCertsRoot;

    /// <summary>Whether <paramref name="host"/> (host[:port]) is spoken to over plain HTTP.</summary>
    public static bool IsPlainHttp(string host, DockerSettings? settings = null)
    {
        settings ??= DockerSettings.Process;
        var name = host.StartsWith('[') ? host[..(host.IndexOf(']') + 1)] : host.Split(':')[0];
        if (name is "localhost" or "[::1]" || (IPAddress.TryParse(name.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip))) return true;
        return InsecureRegistries(settings).Any(r => r.Equals(host, StringComparison.OrdinalIgnoreCase) || r.Equals(name, StringComparison.OrdinalIgnoreCase));
    }

    private static IEnumerable<string> InsecureRegistries(DockerSettings settings)
    {
        if (settings.Variable("MLENV_INSECURE_REGISTRIES") is { Length: > 0 } listed)
            foreach (var r in listed.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)) yield return r;
        JsonDocument? daemon = null;
        try { daemon = DockerConfig.Read(settings.Variable("MLENV_DOCKER_DAEMON_JSON") is { Length: > 0 } p ? p : DefaultDaemonConfig); }
        catch (DockerConfigException) { } // dockerd's own file: dockerd reports it; MlEnv then trusts nothing extra
        using (daemon)
        {
            if (daemon is null || !daemon.RootElement.TryGetProperty("insecure-registries", out var list) || list.ValueKind != JsonValueKind.Array) yield break;
            foreach (var entry in list.EnumerateArray().ToList())
                if (entry.ValueKind == JsonValueKind.String && entry.GetString() is { Length: > 0 } r) yield return r;
        }
    }

    /// <summary>An HttpClient for the registry at <paramref name="host"/>, with its certs.d folder's CAs and client certificate.</summary>
    public static HttpClient CreateClient(string host, TimeSpan timeout, DockerSettings? settings = null)
    {
        settings ??= DockerSettings.Process;
        var folder = Path.Combine(CertsRoot(settings), host);
        var handler = new SocketsHttpHandler();
        if (Directory.Exists(folder))
        {
            var authorities = new X509Certificate2Collection();
            foreach (var crt in SafeEnumerate(folder, "*.crt").Order(StringComparer.Ordinal))
            {
                try { authorities.ImportFromPemFile(crt); }
                // Not a PEM certificate, or not readable by this user (dockerd reads certs.d as root): the system CAs still apply.
                catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException) { }
            }
            if (authorities.Count > 0) handler.SslOptions.RemoteCertificateValidationCallback = Validator(authorities);
            var pair = SafeEnumerate(folder, "*.cert").Order(StringComparer.Ordinal)
                .Select(cert => (Cert: cert, Key: Path.ChangeExtension(cert, ".key"))).FirstOrDefault(p => File.Exists(p.Key));
            if (pair.Cert is not null)
            {
                try { handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPemFile(pair.Cert, pair.Key)]; }
                // A key only root may read (as dockerd does) or a broken pair: the registry then refuses, with its own message.
                catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException) { }
            }
        }
        return new HttpClient(handler) { Timeout = timeout };
    }

    private static IEnumerable<string> SafeEnumerate(string folder, string pattern)
    {
        try { return Directory.GetFiles(folder, pattern); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    /// <summary>The system's verdict, else a chain to one of the folder's CAs; the host name must match either way.</summary>
    public static RemoteCertificateValidationCallback Validator(X509Certificate2Collection authorities) => (_, certificate, presented, errors) =>
        errors == SslPolicyErrors.None
        || (certificate is not null && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == 0 && EngineConnection.ChainsTo(certificate, presented, authorities));
}
