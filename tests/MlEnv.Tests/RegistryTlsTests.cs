using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MlEnv.Engine;
using MlEnv.Registry;

namespace MlEnv.Tests;

/// <summary>MlEnv's own registry calls: HTTPS trusting certs.d CAs as dockerd does; plain HTTP only for loopback or listed registries.</summary>
public sealed class RegistryTlsTests : IDisposable
{
    private readonly TempDir dir = new();
    private readonly Dictionary<string, string> env = new();

    private DockerSettings Settings => new() { Variable = n => env.TryGetValue(n, out var v) ? v : null, Home = dir.Path };

    [Fact]
    public void PlainHttpOnlyForLoopbackOrRegistriesListedInsecure()
    {
        env["MLENV_DOCKER_DAEMON_JSON"] = Path.Combine(dir.Path, "daemon.json");
        Assert.True(RegistryTls.IsPlainHttp("localhost:5000", Settings));
        Assert.True(RegistryTls.IsPlainHttp("127.0.0.1:5000", Settings));
        Assert.True(RegistryTls.IsPlainHttp("[::1]:5000", Settings));
        Assert.False(RegistryTls.IsPlainHttp("registry.internal:5000", Settings));
        Assert.False(RegistryTls.IsPlainHttp("10.1.2.3:5000", Settings));
        env["MLENV_INSECURE_REGISTRIES"] = "other:1, registry.internal:5000";
        Assert.True(RegistryTls.IsPlainHttp("registry.internal:5000", Settings));
        Assert.False(RegistryTls.IsPlainHttp("registry.internal:5001", Settings));
        env.Remove("MLENV_INSECURE_REGISTRIES");
        dir.Write("daemon.json", """{"insecure-registries":["10.1.2.3:5000"]}""");
        Assert.True(RegistryTls.IsPlainHttp("10.1.2.3:5000", Settings));
        dir.Write("daemon.json", "{ not json");
        Assert.False(RegistryTls.IsPlainHttp("10.1.2.3:5000", Settings));
    }

    [Fact]
    public async Task ARegistryCertificateFromAPrivateCaIsTrustedOnlyWithItsCaInCertsD()
    {
        using var ca = Certificates.Authority("registry CA");
        using var server = Certificates.Issue(ca, "registry", "localhost");
        using var listener = new TlsServer(server);
        var host = $"localhost:{listener.Port}";
        env["MLENV_DOCKER_CERTS_D"] = Path.Combine(dir.Path, "certs.d");

        using (var untrusted = RegistryTls.CreateClient(host, TimeSpan.FromSeconds(10), Settings))
            await Assert.ThrowsAsync<HttpRequestException>(() => untrusted.GetStringAsync($"https://{host}/v2/"));

        dir.Write($"certs.d/{host}/ca.crt", ca.ExportCertificatePem());
        using (var trusted = RegistryTls.CreateClient(host, TimeSpan.FromSeconds(10), Settings))
            Assert.Equal("{}", await trusted.GetStringAsync($"https://{host}/v2/"));

        // The CA of another registry's folder does not vouch for this one.
        using var stranger = Certificates.Authority("stranger CA");
        dir.Write($"certs.d/{host}/ca.crt", stranger.ExportCertificatePem());
        using (var wrong = RegistryTls.CreateClient(host, TimeSpan.FromSeconds(10), Settings))
            await Assert.ThrowsAsync<HttpRequestException>(() => wrong.GetStringAsync($"https://{host}/v2/"));
    }

    [Fact]
    public void TheValidatorStillRequiresTheHostName()
    {
        using var ca = Certificates.Authority("registry CA");
        using var server = Certificates.Issue(ca, "registry", "registry.internal");
        var validate = RegistryTls.Validator([ca]);
        Assert.True(validate(this, server, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(validate(this, server, null, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch));
    }

    public void Dispose() => dir.Dispose();

    /// <summary>A one-route HTTPS server on 127.0.0.1: every request gets 200 "{}".</summary>
    private sealed class TlsServer : IDisposable
    {
        private readonly TcpListener listener = new(IPAddress.Loopback, 0);
        private readonly X509Certificate2 certificate;
        public int Port { get; }

        public TlsServer(X509Certificate2 certificate)
        {
            this.certificate = certificate;
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            _ = Task.Run(AcceptAsync);
        }

        private async Task AcceptAsync()
        {
            while (true)
            {
                TcpClient client;
                try { client = await listener.AcceptTcpClientAsync(); }
                catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            await using var ssl = new SslStream(client.GetStream());
                            await ssl.AuthenticateAsServerAsync(certificate);
                            var buffer = new byte[4096];
                            var request = "";
                            while (!request.Contains("\r\n\r\n") && await ssl.ReadAsync(buffer) is var n and > 0) request += Encoding.ASCII.GetString(buffer, 0, n);
                            await ssl.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"u8.ToArray());
                        }
                        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException) { }
                    }
                });
            }
        }

        public void Dispose() => listener.Stop();
    }
}
