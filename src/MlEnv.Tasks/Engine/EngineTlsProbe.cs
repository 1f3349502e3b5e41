using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace MlEnv.Engine;

/// <summary>
/// <see cref="EngineProbe"/> for a TLS engine: the same one bare HTTP/1.0 request, inside a TLS stream that presents
/// the client certificate and checks the engine's as <see cref="EngineConnection"/> does, so a no-op build through a
/// remote engine also skips loading the Docker client. Anything unusual returns null and the caller takes the full path.
/// </summary>
public static class EngineTlsProbe
{
    public static string? ImageId(EngineEndpoint endpoint, string reference, TimeSpan timeout)
    {
        if (endpoint.Tls is not { CertFile: { } certFile, KeyFile: { } keyFile } tls) return null;
        try
        {
            var uri = new Uri(endpoint.Host);
            using var client = X509Certificate2.CreateFromPemFile(certFile, keyFile);
            using var ca = tls.CaFile is null ? null : X509CertificateLoader.LoadCertificateFromFile(tls.CaFile);
            if (tls.Verify && ca is null) return null;
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            socket.ReceiveTimeout = socket.SendTimeout = (int)timeout.TotalMilliseconds;
            using (var cts = new CancellationTokenSource(timeout))
                socket.ConnectAsync(uri.Host, uri.Port > 0 ? uri.Port : 2376, cts.Token).AsTask().GetAwaiter().GetResult();
            using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false,
                tls.Verify ? EngineConnection.Validator(ca!) : (_, _, _, _) => true);
            ssl.AuthenticateAsClient(new SslClientAuthenticationOptions { TargetHost = uri.Host, ClientCertificates = [client] });
            var path = $"/v1.41/images/{Uri.EscapeDataString(reference).Replace("%2F", "/").Replace("%3A", ":")}/json";
            ssl.Write(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.0\r\nHost: docker\r\nUser-Agent: MlEnv\r\n\r\n"));
            using var response = new MemoryStream();
            var buffer = new byte[16384];
            int read;
            while ((read = ssl.Read(buffer)) > 0)
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
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or JsonException or UriFormatException
            or ArgumentException or AuthenticationException or CryptographicException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
