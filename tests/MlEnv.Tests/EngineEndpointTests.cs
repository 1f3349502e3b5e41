using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MlEnv.Engine;

namespace MlEnv.Tests;

/// <summary>The engine precedence of the docker CLI, resolved in-process against a temporary DOCKER_CONFIG folder.</summary>
public sealed class EngineEndpointTests : IDisposable
{
    private readonly TempDir dir = new();
    private readonly Dictionary<string, string> env = new();
    private readonly HashSet<string> sockets = [];

    public EngineEndpointTests() => env["DOCKER_CONFIG"] = Path.Combine(dir.Path, "docker");

    private DockerSettings Settings => new()
    {
        Variable = name => env.TryGetValue(name, out var v) ? v : null,
        Home = Path.Combine(dir.Path, "home"),
        SocketExists = sockets.Contains,
    };

    private EngineEndpoint Find(string? configured = null) => EngineEndpoints.Find(configured, Settings);

    private static string Id(string name) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)));

    private void Context(string name, string host, bool skipVerify = false, bool tlsFiles = false)
    {
        dir.Write($"docker/contexts/meta/{Id(name)}/meta.json",
            "{\"Name\":\"" + name + "\",\"Metadata\":{},\"Endpoints\":{\"docker\":{\"Host\":\"" + host + "\",\"SkipTLSVerify\":" + (skipVerify ? "true" : "false") + "}}}");
        if (tlsFiles) WriteTlsFiles($"docker/contexts/tls/{Id(name)}/docker");
    }

    private void CurrentContext(string name) => dir.Write("docker/config.json", $$"""{"auths":{},"currentContext":"{{name}}"}""");

    private string WriteTlsFiles(string relative)
    {
        using var ca = Certificates.Authority("test CA");
        using var client = Certificates.Issue(ca, "client", serverName: null);
        dir.Write(relative + "/ca.pem", ca.ExportCertificatePem());
        dir.Write(relative + "/cert.pem", client.ExportCertificatePem());
        dir.Write(relative + "/key.pem", client.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return Path.Combine(dir.Path, relative);
    }

    [Fact]
    public void MlEnvDockerHostComesFirstThenDockerHostThenTheContextThenTheSockets()
    {
        Context("remote", "tcp://10.0.0.5:2375");
        CurrentContext("remote");
        env["DOCKER_CONTEXT"] = "remote";
        env["DOCKER_HOST"] = "unix:///tmp/from-env.sock";
        sockets.Add("/var/run/docker.sock");

        var explicitHost = Find("unix:///tmp/explicit.sock");
        Assert.Equal(("unix:///tmp/explicit.sock", "MlEnvDockerHost"), (explicitHost.Host, explicitHost.Reason));
        Assert.Equal(("unix:///tmp/from-env.sock", "DOCKER_HOST"), (Find().Host, Find().Reason));
        env.Remove("DOCKER_HOST");
        Assert.Equal("tcp://10.0.0.5:2375", Find().Host);
        Assert.Contains("Docker context \"remote\" (DOCKER_CONTEXT)", Find().Reason);
        env.Remove("DOCKER_CONTEXT");
        Assert.Equal("tcp://10.0.0.5:2375", Find().Host);
        Assert.Contains("currentContext in", Find().Reason);
        File.Delete(Path.Combine(dir.Path, "docker", "config.json"));
        Assert.Equal(("unix:///var/run/docker.sock", "the default socket"), (Find().Host, Find().Reason));
    }

    [Fact]
    public void DockerContextOverridesTheConfigFilesCurrentContextAndDefaultMeansTheSockets()
    {
        Context("a", "unix:///tmp/a.sock");
        Context("b", "unix:///tmp/b.sock");
        CurrentContext("a");
        env["DOCKER_CONTEXT"] = "b";
        Assert.Equal("unix:///tmp/b.sock", Find().Host);
        env["DOCKER_CONTEXT"] = "default";
        sockets.Add("/var/run/docker.sock");
        var endpoint = Find();
        Assert.Equal("unix:///var/run/docker.sock", endpoint.Host);
        Assert.Contains("DOCKER_CONTEXT=default", endpoint.Reason);
    }

    [Fact]
    public void WithoutTheDefaultSocketRootlessDockerThenPodmanAreFound()
    {
        env["XDG_RUNTIME_DIR"] = "/run/user/1000";
        sockets.Add("/run/podman/podman.sock");
        Assert.Equal(("unix:///run/podman/podman.sock", "Podman's system socket"), (Find().Host, Find().Reason));
        sockets.Add("/run/user/1000/podman/podman.sock");
        Assert.Equal("unix:///run/user/1000/podman/podman.sock", Find().Host);
        sockets.Add("/run/user/1000/docker.sock");
        Assert.Equal(("unix:///run/user/1000/docker.sock", "rootless Docker's socket"), (Find().Host, Find().Reason));
        sockets.Add("/var/run/docker.sock");
        Assert.Equal("unix:///var/run/docker.sock", Find().Host);
    }

    [Fact]
    public void NoSocketAtAllStillNamesTheDefaultSocketSoTheUnreachableMessageSaysWhere()
    {
        var endpoint = Find();
        Assert.Equal("unix:///var/run/docker.sock", endpoint.Host);
        Assert.Null(endpoint.Problem);
        Assert.Contains("no engine socket found", endpoint.Reason);
    }

    [Fact]
    public void AnUnknownContextIsMlenv2020NamingItAndTheKnownOnes()
    {
        Context("colima", "unix:///tmp/colima.sock");
        env["DOCKER_CONTEXT"] = "desktop-linux";
        var endpoint = Find();
        Assert.Equal("MLENV2020", endpoint.Problem?.Code);
        Assert.Contains("'desktop-linux'", endpoint.Problem!.Message);
        Assert.Contains("colima, default", endpoint.Problem.Message);
        var e = Assert.Throws<EngineEndpointException>(() => EngineConnection.Create(EngineEndpoints.Resolve(null, Settings).Host, new Version(1, 41)));
        Assert.Equal("MLENV2020", e.Diagnostic.Code);
    }

    [Fact]
    public void AConfigFileThatIsNotJsonIsMlenv2021NamingTheFile()
    {
        var path = dir.Write("docker/config.json", "{\"currentContext\": ");
        var endpoint = Find();
        Assert.Equal("MLENV2021", endpoint.Problem?.Code);
        Assert.Contains(path, endpoint.Problem!.Message);
        Context("broken", "x");
        dir.Write($"docker/contexts/meta/{Id("broken")}/meta.json", "{\"Name\":\"broken\",\"Endpoints\":{}}");
        CurrentContext("broken");
        Assert.Equal("MLENV2021", Find().Problem?.Code);
        Assert.Contains("Endpoints.docker.Host", Find().Problem!.Message);
    }

    [Fact]
    public void SshIsRefusedWithMlenv2022SayingWhatToUseInstead()
    {
        env["DOCKER_HOST"] = "ssh://builder@build-host";
        var endpoint = Find();
        Assert.Equal("MLENV2022", endpoint.Problem?.Code);
        Assert.Contains("DOCKER_TLS_VERIFY", endpoint.Problem!.Message);
        Assert.Contains("ssh -NL", endpoint.Problem.Message);
        Context("over-ssh", "ssh://me@host");
        Assert.Equal("MLENV2022", Find("").Problem?.Code);
        env.Remove("DOCKER_HOST");
        env["DOCKER_CONTEXT"] = "over-ssh";
        Assert.Equal("MLENV2022", Find().Problem?.Code);
    }

    [Fact]
    public void AnAddressThatIsNotAnEngineUriIsMlenv2025()
    {
        Assert.Equal("MLENV2025", Find("docker.example.com:2376").Problem?.Code);
        Assert.Equal("MLENV2025", Find("ftp://host").Problem?.Code);
    }

    [Fact]
    public void TcpWithDockerTlsVerifyUsesTheFilesInDockerCertPath()
    {
        var certs = WriteTlsFiles("certs");
        env["DOCKER_HOST"] = "tcp://127.0.0.1:2376";
        Assert.Null(Find().Tls);
        env["DOCKER_TLS_VERIFY"] = "1";
        env["DOCKER_CERT_PATH"] = certs;
        var endpoint = Find();
        Assert.Null(endpoint.Problem);
        Assert.Equal(new EngineTls(certs, Path.Combine(certs, "ca.pem"), Path.Combine(certs, "cert.pem"), Path.Combine(certs, "key.pem"), true), endpoint.Tls);
        Assert.Contains("TLS verified", endpoint.Describe());
        Assert.True(EngineConnection.Credentials(endpoint.Host, endpoint.Tls!).TlsEnabled);
        // Without DOCKER_CERT_PATH the files come from the config folder, as for the docker CLI.
        env.Remove("DOCKER_CERT_PATH");
        Assert.Equal("MLENV2023", Find().Problem?.Code);
        Assert.Contains($"no ca.pem in {Path.Combine(dir.Path, "docker")}", Find().Problem!.Message);
    }

    [Fact]
    public void MissingOrBrokenTlsFilesAreMlenv2023NamingTheEndpointNeverTheKey()
    {
        var certs = WriteTlsFiles("certs");
        env["DOCKER_HOST"] = "tcp://127.0.0.1:2376";
        env["DOCKER_TLS_VERIFY"] = "1";
        env["DOCKER_CERT_PATH"] = Path.Combine(dir.Path, "elsewhere");
        Assert.Equal("MLENV2023", Find().Problem?.Code);
        Assert.Contains("no ca.pem", Find().Problem!.Message);
        env["DOCKER_CERT_PATH"] = certs;
        var key = File.ReadAllText(Path.Combine(certs, "key.pem"));
        File.WriteAllText(Path.Combine(certs, "cert.pem"), "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n");
        var endpoint = EngineEndpoints.Resolve(null, Settings);
        var e = Assert.Throws<EngineEndpointException>(() => EngineConnection.Create(endpoint.Host, new Version(1, 41)));
        Assert.Equal("MLENV2023", e.Diagnostic.Code);
        Assert.Contains("tcp://127.0.0.1:2376", e.Diagnostic.Message);
        Assert.DoesNotContain(key.Split('\n')[1], e.Diagnostic.Message);
    }

    [Fact]
    public void AContextWithTlsFilesUsesThemAndSkipTlsVerifyTurnsVerificationOff()
    {
        Context("shared", "tcp://build.example:2376", tlsFiles: true);
        env["DOCKER_CONTEXT"] = "shared";
        var endpoint = Find();
        Assert.Equal(Path.Combine(dir.Path, "docker", "contexts", "tls", Id("shared"), "docker"), endpoint.Tls?.Directory);
        Assert.True(endpoint.Tls!.Verify);
        Context("shared", "tcp://build.example:2376", skipVerify: true, tlsFiles: true);
        Assert.False(Find().Tls!.Verify);
        // A context without TLS files speaks plain tcp, as the docker CLI does.
        Context("plain", "tcp://build.example:2375");
        env["DOCKER_CONTEXT"] = "plain";
        Assert.Null(Find().Tls);
    }

    [Fact]
    public void TheLogLineNeverShowsUserInfo()
    {
        var endpoint = Find("tcp://user:s3cret@10.0.0.9:2375");
        Assert.DoesNotContain("s3cret", endpoint.Describe());
        Assert.Contains("tcp://10.0.0.9:2375", endpoint.Describe());
    }

    [Fact]
    public void TheEnginesCertificateMustChainToTheEndpointsCaAndNameTheHost()
    {
        using var ca = Certificates.Authority("engine CA");
        using var other = Certificates.Authority("other CA");
        using var good = Certificates.Issue(ca, "engine", "127.0.0.1");
        using var forged = Certificates.Issue(other, "engine", "127.0.0.1");
        var validate = EngineConnection.Validator(ca);
        Assert.True(validate(this, good, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(validate(this, forged, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(validate(this, good, null, SslPolicyErrors.RemoteCertificateNameMismatch));
    }

    [Fact]
    public void ATlsHandshakeFailureIsMlenv2024AndARefusedConnectionStaysMlenv2001()
    {
        var certs = WriteTlsFiles("certs");
        env["DOCKER_HOST"] = "tcp://127.0.0.1:2399";
        env["DOCKER_TLS_VERIFY"] = "1";
        env["DOCKER_CERT_PATH"] = certs;
        var host = EngineEndpoints.Resolve(null, Settings).Host;
        var handshake = new EngineUnavailableException("The SSL connection could not be established",
            new HttpRequestException("ssl", new System.Security.Authentication.AuthenticationException("The remote certificate is invalid")));
        var d = EngineEndpoints.Diagnose(host, handshake);
        Assert.Equal("MLENV2024", d.Code);
        Assert.Contains(certs, d.Message);
        var refused = new EngineUnavailableException("Connection refused", new HttpRequestException("x", new System.Net.Sockets.SocketException(111)));
        Assert.Equal("MLENV2001", EngineEndpoints.Diagnose(host, refused).Code);
    }

    public void Dispose() => dir.Dispose();
}

/// <summary>Test certificates made in-process: a CA and certificates it signs.</summary>
internal static class Certificates
{
    public static X509Certificate2 Authority(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    public static X509Certificate2 Issue(X509Certificate2 ca, string name, string? serverName)
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (serverName is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            if (System.Net.IPAddress.TryParse(serverName, out var ip)) san.AddIpAddress(ip);
            else san.AddDnsName(serverName);
            request.CertificateExtensions.Add(san.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(8);
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), serial);
        return issued.CopyWithPrivateKey(key);
    }
}
