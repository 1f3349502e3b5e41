using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace MlEnv.Engine;

/// <summary>
/// The one call a no-op build makes: "does this image still exist, with this id?", as a bare HTTP/1.0 request over
/// the engine's socket. It avoids loading the full Docker client (hundreds of milliseconds of start-up), which is
/// what keeps a no-op build about as fast as a build without MlEnv. Anything unusual returns null and the caller
/// takes the full path.
/// </summary>
public static class EngineProbe
{
    public static string? ImageId(string endpoint, string reference, TimeSpan timeout)
    {
        try
        {
            var resolved = EngineEndpoints.ForHost(endpoint);
            if (resolved.Problem is not null) return null;
            if (resolved.Tls is not null) return EngineTlsProbe.ImageId(resolved, reference, timeout);
            var uri = new Uri(endpoint);
            EndPoint target;
            if (uri.Scheme == "unix") target = new UnixDomainSocketEndPoint(uri.AbsolutePath);
            else if (uri.Scheme is "tcp" or "http") target = new DnsEndPoint(uri.Host, uri.Port > 0 ? uri.Port : 2375);
            else return null; // TLS and named pipes: leave them to the full client

            using var socket = target is UnixDomainSocketEndPoint
                ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                : new Socket(SocketType.Stream, ProtocolType.Tcp);
            socket.ReceiveTimeout = socket.SendTimeout = (int)timeout.TotalMilliseconds;
            // A Unix socket connects or fails at once (a full backlog waits at most the send timeout set above, which
            // Linux applies to connect): connecting synchronously spares a no-op build the start of the runtime's
            // asynchronous socket engine. A TCP connect can hang, so it keeps its cancellable timeout.
            if (target is UnixDomainSocketEndPoint) socket.Connect(target);
            else
                using (var cts = new CancellationTokenSource(timeout))
                    socket.ConnectAsync(target, cts.Token).AsTask().GetAwaiter().GetResult();
            using var stream = new NetworkStream(socket, ownsSocket: false);
            return ImageIdOver(stream, reference);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or JsonException or UriFormatException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// The request and its answer over a connected stream (a socket's, or a TLS stream over one): the image's id on
    /// 200, null on any other answer or one over 16 MiB. Transport errors are the caller's to catch.
    /// </summary>
    internal static string? ImageIdOver(Stream stream, string reference)
    {
        var path = $"/v1.41/images/{Uri.EscapeDataString(reference).Replace("%2F", "/").Replace("%3A", ":")}/json";
        stream.Write(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.0\r\nHost: docker\r\nUser-Agent: MlEnv\r\n\r\n"));

        using var response = new MemoryStream();
        var buffer = new byte[16384];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            response.Write(buffer, 0, read);
            if (response.Length > 16 * 1024 * 1024) return null;
        }
        var bytes = response.GetBuffer().AsSpan(0, (int)response.Length);
        var headerEnd = bytes.IndexOf("\r\n\r\n"u8);
        var lineEnd = bytes.IndexOf("\r\n"u8);
        if (headerEnd < 0 || lineEnd < 0) return null;
        var status = Encoding.ASCII.GetString(bytes[..lineEnd]).Split(' ');
        if (status.Length < 2 || status[1] != "200") return null;
        using var json = JsonDocument.Parse(bytes[(headerEnd + 4)..].ToArray());
        return json.RootElement.TryGetProperty("Id", out var id) ? id.GetString() : null;
    }
}
