using System.Diagnostics;

namespace MlEnv.EndToEndTests.Infrastructure;

/// <summary>
/// Debian's docker-registry serving HTTPS with a certificate from a test CA (openssl), reached by a host name that
/// /etc/hosts resolves to 127.0.0.1 (the line is added for the test and removed after). The CA goes into a certs.d
/// folder of the test's own for MlEnv (MLENV_DOCKER_CERTS_D) and into the engine's /etc/docker/certs.d/&lt;host:port&gt;,
/// both removed on Dispose, as is the registry process.
/// </summary>
public sealed class TlsRegistry : IDisposable
{
    public const string HostName = "mlenv-tls-registry.test";
    private const string HostsFile = "/etc/hosts";
    private static readonly string HostsLine = $"127.0.0.1 {HostName} # mlenv-e2e";
    private readonly Process process;
    private readonly string root;
    private readonly string engineCertsFolder;
    private readonly bool addedHostsLine;

    public string Address { get; }
    /// <summary>The certs.d root MlEnv reads (MLENV_DOCKER_CERTS_D), holding this registry's CA.</summary>
    public string CertsRoot => Path.Combine(root, "certs.d");

    public TlsRegistry()
    {
        root = Directory.CreateTempSubdirectory("mlenv-tls-registry-").FullName;
        var port = LocalRegistry.FreePort();
        Address = $"{HostName}:{port}";
        if (!File.ReadAllLines(HostsFile).Any(l => l.Split(' ', '\t').Contains(HostName)))
        {
            File.AppendAllText(HostsFile, HostsLine + "\n");
            addedHostsLine = true;
        }
        TlsEngine.RunOpenSsl(root, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=MlEnv test registry CA", "-keyout", "ca-key.pem", "-out", "ca.pem");
        File.WriteAllText(Path.Combine(root, "server.ext"), $"subjectAltName=DNS:{HostName}\nextendedKeyUsage=serverAuth\n");
        TlsEngine.RunOpenSsl(root, "req", "-newkey", "rsa:2048", "-nodes", "-subj", $"/CN={HostName}", "-keyout", "server-key.pem", "-out", "server.csr");
        TlsEngine.RunOpenSsl(root, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial", "-days", "2", "-extfile", "server.ext", "-out", "server-cert.pem");
        var mine = Directory.CreateDirectory(Path.Combine(CertsRoot, Address)).FullName;
        File.Copy(Path.Combine(root, "ca.pem"), Path.Combine(mine, "ca.crt"));
        engineCertsFolder = Path.Combine("/etc/docker/certs.d", Address);
        Directory.CreateDirectory(engineCertsFolder);
        File.Copy(Path.Combine(root, "ca.pem"), Path.Combine(engineCertsFolder, "ca.crt"), overwrite: true);

        File.WriteAllText(Path.Combine(root, "config.yml"),
            $"version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {root}/data\nhttp:\n  addr: 127.0.0.1:{port}\n" +
            $"  tls:\n    certificate: {root}/server-cert.pem\n    key: {root}/server-key.pem\n");
        process = Process.Start(new ProcessStartInfo(LocalRegistry.Binary, ["serve", Path.Combine(root, "config.yml")]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler);
        for (int i = 0; i < 100; i++)
        {
            try
            {
                if (http.GetAsync($"https://127.0.0.1:{port}/v2/").GetAwaiter().GetResult().IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            Thread.Sleep(100);
        }
        Dispose();
        throw new InvalidOperationException($"docker-registry did not answer on {Address}");
    }

    public void Dispose()
    {
        try { process.Kill(entireProcessTree: true); process.WaitForExit(5000); } catch (InvalidOperationException) { }
        process.Dispose();
        try { Directory.Delete(engineCertsFolder, recursive: true); } catch (IOException) { }
        if (addedHostsLine) File.WriteAllLines(HostsFile, File.ReadAllLines(HostsFile).Where(l => l != HostsLine));
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
    }
}
