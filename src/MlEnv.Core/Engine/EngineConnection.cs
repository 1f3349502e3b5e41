using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Docker.DotNet;
using Docker.DotNet.X509;

namespace MlEnv.Engine;

/// <summary>
/// The Docker client for an endpoint: plain for sockets and tcp:// without TLS; for TLS, the client certificate
/// (Docker.DotNet.X509) and the engine's certificate checked against the endpoint's CA only, host name included, as
/// the docker CLI does.
/// </summary>
public static class EngineConnection
{
    /// <summary>Throws <see cref="EngineEndpointException"/> when the settings name no usable engine.</summary>
    public static DockerClient Create(string host, Version apiVersion)
    {
        var endpoint = EngineEndpoints.ForHost(host);
        if (endpoint.Problem is { } problem) throw new EngineEndpointException(problem);
        var uri = new Uri(endpoint.Host);
        var builder = new DockerClientBuilder().WithApiVersion(apiVersion);
        if (endpoint.Tls is not { } tls) return builder.WithEndpoint(uri).Build();
        // The client speaks https to a TLS engine; tcp:// is the docker CLI's spelling of it.
        var https = new UriBuilder(uri) { Scheme = "https", Port = uri.Port > 0 ? uri.Port : 2376 }.Uri;
        return builder.WithEndpoint(https).WithAuthProvider(Credentials(endpoint.Host, tls)).Build();
    }

    public static CertificateCredentials Credentials(string host, EngineTls tls)
    {
        X509Certificate2? client = null;
        X509Certificate2? ca = null;
        try
        {
            client = DockerTlsCertificates.LoadCertificateFromPemFiles(tls.CertFile!, tls.KeyFile!);
            if (tls.CaFile is not null) ca = X509CertificateLoader.LoadCertificateFromFile(tls.CaFile);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new EngineEndpointException(Diagnostics.DiagnosticCatalog.EngineTlsFilesUnusable.Create(
                EngineEndpoints.Display(host), $"the files in {tls.Directory} cannot be loaded ({e.GetType().Name})"));
        }
        return new CertificateCredentials(client!)
        {
            ServerCertificateValidationCallback = tls.Verify ? Validator(ca!) : (_, _, _, _) => true,
        };
    }

    /// <summary>The engine's certificate must chain to <paramref name="ca"/> alone and name the host it is reached by.</summary>
    public static RemoteCertificateValidationCallback Validator(X509Certificate2 ca) => (_, certificate, presented, errors) =>
        certificate is not null && !errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) && !errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)
        && ChainsTo(certificate, presented, [ca]);

    /// <summary>
    /// Whether <paramref name="certificate"/> chains to one of <paramref name="roots"/> alone, through the intermediates
    /// the server presented (a corporate CA rarely signs servers directly, and an air-gapped build cannot fetch them).
    /// </summary>
    public static bool ChainsTo(X509Certificate certificate, X509Chain? presented, X509Certificate2Collection roots)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
            foreach (var element in presented.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        var server = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        try { return chain.Build(server); }
        finally { if (!ReferenceEquals(server, certificate)) server.Dispose(); }
    }
}
