using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace MlEnv.EndToEndTests.Infrastructure;

/// <summary>
/// A private PEP 503 "simple" index on 127.0.0.1 with HTTP basic auth, serving wheels the test made. It counts
/// authorised and refused requests, so a test can tell that pip really used the credentials.
/// </summary>
public sealed class PackageIndex : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly Dictionary<string, (string FileName, byte[] Bytes)> wheels = new();
    private readonly string expectedAuth;
    private int authorised, refused;
    public string Url { get; }
    public string Username { get; }
    public string Password { get; }
    public int Authorised => authorised;
    public int Refused => refused;

    public PackageIndex()
    {
        Username = "idx-user-" + Guid.NewGuid().ToString("N")[..10];
        Password = "idx-pass-" + Guid.NewGuid().ToString("N");
        expectedAuth = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}"));
        var port = LocalRegistry.FreePort();
        Url = $"http://127.0.0.1:{port}/simple/";
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        _ = Task.Run(Serve);
    }

    public void Add(string name, string version, string? moduleSource = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"mlenv-index-{Guid.NewGuid():N}.whl");
        Wheels.Write(path, name, version, moduleSource);
        wheels[name] = (Wheels.FileName(name, version), File.ReadAllBytes(path));
        File.Delete(path);
    }

    private async Task Serve()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            try { Handle(context); }
            catch (HttpListenerException) { }
        }
    }

    private void Handle(HttpListenerContext context)
    {
        var response = context.Response;
        if (context.Request.Headers["Authorization"] != expectedAuth)
        {
            Interlocked.Increment(ref refused);
            response.StatusCode = 401;
            response.AddHeader("WWW-Authenticate", "Basic realm=\"mlenv-test-index\"");
            response.Close();
            return;
        }
        Interlocked.Increment(ref authorised);
        var path = context.Request.Url!.AbsolutePath;
        byte[] body;
        string type;
        if (path.StartsWith("/simple/") && wheels.TryGetValue(path["/simple/".Length..].Trim('/'), out var wheel))
        {
            var sha = Convert.ToHexStringLower(SHA256.HashData(wheel.Bytes));
            body = Encoding.UTF8.GetBytes($"<!DOCTYPE html><html><body><a href=\"/files/{wheel.FileName}#sha256={sha}\">{wheel.FileName}</a></body></html>");
            type = "text/html";
        }
        else if (path.StartsWith("/files/") && wheels.Values.FirstOrDefault(w => w.FileName == path["/files/".Length..]) is { FileName: not null } file)
        {
            body = file.Bytes;
            type = "application/octet-stream";
        }
        else
        {
            response.StatusCode = 404;
            response.Close();
            return;
        }
        response.ContentType = type;
        response.ContentLength64 = body.Length;
        response.OutputStream.Write(body);
        response.Close();
    }

    public void Dispose()
    {
        listener.Stop();
        listener.Close();
    }
}
