using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
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
            return EngineProbe.ImageIdOver(ssl, reference);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or JsonException or UriFormatException
            or ArgumentException or AuthenticationException or CryptographicException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
