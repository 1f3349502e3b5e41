using System.Diagnostics;
using System.Net.Sockets;

namespace MlEnv.EndToEndTests.Infrastructure;

/// <summary>
/// The test machine's engine served as a remote build engine would be: socat terminates TLS on tcp://127.0.0.1:port,
/// requires a client certificate signed by the test CA, and forwards to the engine's socket. The CA, the server
/// certificate (for 127.0.0.1) and two client certificates (one from the CA, one from a stranger CA) are made with
/// openssl. Stopping it kills only the socat it started.
/// </summary>
public sealed class TlsEngine : IDisposable
{
    private readonly Process process;
    private int connections;

    /// <summary>TCP connections socat accepted (TLS completed or not): proof that a client came through here.</summary>
    public int Connections => Volatile.Read(ref connections);
    public string Root { get; }
    public int Port { get; }
    public string Host => $"tcp://127.0.0.1:{Port}";
    /// <summary>ca.pem, cert.pem, key.pem for the docker CLI's DOCKER_CERT_PATH.</summary>
    public string ClientCerts => Path.Combine(Root, "client");
    /// <summary>The same layout with a client certificate the engine does not trust.</summary>
    public string WrongClientCerts => Path.Combine(Root, "stranger");

    public TlsEngine(string socket = "/var/run/docker.sock")
    {
        Root = Directory.CreateTempSubdirectory("mlenv-tls-engine-").FullName;
        MakeCertificates();
        Port = LocalRegistry.FreePort();
        var listen = $"OPENSSL-LISTEN:{Port},bind=127.0.0.1,reuseaddr,fork,cert={Root}/server-cert.pem,key={Root}/server-key.pem,cafile={Root}/ca.pem,verify=1";
        process = Process.Start(new ProcessStartInfo("socat", ["-d", "-d", listen, $"UNIX-CONNECT:{socket}"]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("accepting connection", StringComparison.Ordinal) == true) Interlocked.Increment(ref connections);
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        for (int i = 0; i < 100; i++)
        {
            try
            {
                using (var client = new TcpClient()) client.Connect("127.0.0.1", Port);
                Thread.Sleep(200);
                Interlocked.Exchange(ref connections, 0); // the readiness check is not a client
                return;
            }
            catch (SocketException) { Thread.Sleep(100); }
        }
        Dispose();
        throw new InvalidOperationException($"socat did not listen on {Port}");
    }

    private void MakeCertificates()
    {
        OpenSsl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=MlEnv test engine CA", "-keyout", "ca-key.pem", "-out", "ca.pem");
        OpenSsl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=stranger CA", "-keyout", "stranger-ca-key.pem", "-out", "stranger-ca.pem");
        File.WriteAllText(Path.Combine(Root, "server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        File.WriteAllText(Path.Combine(Root, "client.ext"), "extendedKeyUsage=clientAuth\n");
        Issue("server", "ca", "server.ext");
        Issue("client", "ca", "client.ext");
        Issue("stranger", "stranger-ca", "client.ext");
        foreach (var (folder, name) in new[] { ("client", "client"), ("stranger", "stranger") })
        {
            var dir = Directory.CreateDirectory(Path.Combine(Root, folder)).FullName;
            File.Copy(Path.Combine(Root, "ca.pem"), Path.Combine(dir, "ca.pem"));
            File.Copy(Path.Combine(Root, $"{name}-cert.pem"), Path.Combine(dir, "cert.pem"));
            File.Copy(Path.Combine(Root, $"{name}-key.pem"), Path.Combine(dir, "key.pem"));
        }
    }

    private void Issue(string name, string ca, string extensions)
    {
        OpenSsl("req", "-newkey", "rsa:2048", "-nodes", "-subj", $"/CN={name}", "-keyout", $"{name}-key.pem", "-out", $"{name}.csr");
        OpenSsl("x509", "-req", "-in", $"{name}.csr", "-CA", $"{ca}.pem", "-CAkey", $"{ca}-key.pem", "-CAcreateserial", "-days", "2",
            "-extfile", extensions, "-out", $"{name}-cert.pem");
    }

    private void OpenSsl(params string[] args) => RunOpenSsl(Root, args);

    /// <summary>Runs openssl in <paramref name="directory"/>; a failure throws with its message.</summary>
    public static void RunOpenSsl(string directory, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo("openssl", args) { WorkingDirectory = directory, RedirectStandardError = true, RedirectStandardOutput = true })!;
        var error = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"openssl {string.Join(' ', args)}: {error.Result}");
    }

    /// <summary>A Docker context named <paramref name="name"/> in a config folder of its own, pointing at this engine with its TLS files.</summary>
    public string WriteContext(string configDirectory, string name, string certs, bool current)
    {
        var id = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)));
        var meta = Directory.CreateDirectory(Path.Combine(configDirectory, "contexts", "meta", id)).FullName;
        File.WriteAllText(Path.Combine(meta, "meta.json"),
            $"{{\"Name\":\"{name}\",\"Metadata\":{{}},\"Endpoints\":{{\"docker\":{{\"Host\":\"{Host}\",\"SkipTLSVerify\":false}}}}}}");
        var tls = Directory.CreateDirectory(Path.Combine(configDirectory, "contexts", "tls", id, "docker")).FullName;
        foreach (var f in new[] { "ca.pem", "cert.pem", "key.pem" }) File.Copy(Path.Combine(certs, f), Path.Combine(tls, f), overwrite: true);
        if (current) File.WriteAllText(Path.Combine(configDirectory, "config.json"), $"{{\"currentContext\":\"{name}\"}}");
        return configDirectory;
    }

    public void Dispose()
    {
        try { process.Kill(entireProcessTree: true); process.WaitForExit(5000); } catch (InvalidOperationException) { }
        process.Dispose();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
