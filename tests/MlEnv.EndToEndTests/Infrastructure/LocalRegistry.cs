using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MlEnv.EndToEndTests.Infrastructure;

/// <summary>
/// A real OCI registry (Debian's docker-registry) on 127.0.0.1, open or with basic auth (htpasswd, bcrypt), with its
/// storage in a temp directory that goes away with it. The engine trusts 127.0.0.0/8 registries over plain HTTP.
/// </summary>
public sealed class LocalRegistry : IDisposable
{
    public const string Binary = "/usr/bin/docker-registry";
    private readonly Process process;
    private readonly string root;
    public string Address { get; }
    public string? Username { get; }
    public string? Password { get; }

    public LocalRegistry(bool withAuth)
    {
        root = Directory.CreateTempSubdirectory("mlenv-registry-").FullName;
        var port = FreePort();
        Address = $"127.0.0.1:{port}";
        var auth = "";
        if (withAuth)
        {
            Username = "mlenv-ci";
            Password = "reg-" + Guid.NewGuid().ToString("N")[..16];
            using var htpasswd = Process.Start(new ProcessStartInfo("htpasswd", ["-Bbn", Username, Password]) { RedirectStandardOutput = true })!;
            File.WriteAllText(Path.Combine(root, "htpasswd"), htpasswd.StandardOutput.ReadToEnd());
            htpasswd.WaitForExit();
            auth = $"auth:\n  htpasswd:\n    realm: mlenv-test\n    path: {root}/htpasswd\n";
        }
        File.WriteAllText(Path.Combine(root, "config.yml"),
            $"version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {root}/data\nhttp:\n  addr: {Address}\n{auth}");
        process = Process.Start(new ProcessStartInfo(Binary, ["serve", Path.Combine(root, "config.yml")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient();
        for (int i = 0; i < 100; i++)
        {
            try
            {
                var status = http.GetAsync($"http://{Address}/v2/").GetAwaiter().GetResult().StatusCode;
                if (status is HttpStatusCode.OK or HttpStatusCode.Unauthorized) return;
            }
            catch (HttpRequestException) { }
            Thread.Sleep(100);
        }
        throw new InvalidOperationException($"docker-registry did not answer on {Address}");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        try { process.Kill(entireProcessTree: true); process.WaitForExit(5000); } catch (InvalidOperationException) { }
        process.Dispose();
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
    }
}
