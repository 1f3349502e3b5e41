using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace MlEnv.Engine;

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
            foreach (var crt in Directory.EnumerateFiles(folder, "*.crt").Order(StringComparer.Ordinal))
            {
                try { authorities.ImportFromPemFile(crt); }
                catch (CryptographicException) { } // not a PEM certificate: dockerd fails on it; here the system CAs still apply
            }
            if (authorities.Count > 0) handler.SslOptions.RemoteCertificateValidationCallback = Validator(authorities);
            var pair = Directory.EnumerateFiles(folder, "*.cert").Order(StringComparer.Ordinal)
                .Select(cert => (Cert: cert, Key: Path.ChangeExtension(cert, ".key"))).FirstOrDefault(p => File.Exists(p.Key));
            if (pair.Cert is not null)
            {
                try { handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPemFile(pair.Cert, pair.Key)]; }
                catch (CryptographicException) { } // the registry then refuses, with its own message
            }
        }
        return new HttpClient(handler) { Timeout = timeout };
    }

    /// <summary>The system's verdict, else a chain to one of the folder's CAs; the host name must match either way.</summary>
    public static RemoteCertificateValidationCallback Validator(X509Certificate2Collection authorities) => (_, certificate, _, errors) =>
    {
        if (errors == SslPolicyErrors.None) return true;
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        var server = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(server);
    };
}
