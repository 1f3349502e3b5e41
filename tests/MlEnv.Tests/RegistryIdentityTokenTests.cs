using System.Net;
using System.Text;
using MlEnv.Registry;

namespace MlEnv.Tests;

/// <summary>An identity token (a credential helper's "&lt;token&gt;" answer) is exchanged for a bearer token by POST, never sent as a password.</summary>
public sealed class RegistryIdentityTokenTests
{
    [Fact]
    public async Task TheCatalogIsReadWithTheBearerTokenTheRefreshTokenBuys()
    {
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        string? form = null;
        var serving = Task.Run(async () =>
        {
            for (int i = 0; i < 3; i++)
            {
                var context = await listener.GetContextAsync();
                var (status, body) = context.Request.Url!.AbsolutePath switch
                {
                    "/token" when context.Request.HttpMethod == "POST" => (200, Token(context, out form)),
                    "/v2/_catalog" when context.Request.Headers["Authorization"] == "Bearer access-1" => (200, """{"repositories":["mlenv/a"]}"""),
                    "/v2/_catalog" => (401, "{}"),
                    _ => (404, "{}"),
                };
                if (status == 401)
                    context.Response.AddHeader("WWW-Authenticate", $"Bearer realm=\"http://127.0.0.1:{port}/token\",service=\"fake-registry\",scope=\"registry:catalog:*\"");
                context.Response.StatusCode = status;
                var bytes = Encoding.UTF8.GetBytes(body);
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        });

        using var client = new RegistryClient($"127.0.0.1:{port}", TimeSpan.FromSeconds(10),
            new Docker.DotNet.Models.AuthConfig { IdentityToken = "refresh-1", ServerAddress = $"127.0.0.1:{port}" });
        Assert.Equal(["mlenv/a"], await client.RepositoriesAsync(CancellationToken.None));
        await serving.WaitAsync(TimeSpan.FromSeconds(10));
        var fields = form!.Split('&').Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => Uri.UnescapeDataString(f[1]));
        Assert.Equal("refresh_token", fields["grant_type"]);
        Assert.Equal("refresh-1", fields["refresh_token"]);
        Assert.Equal("fake-registry", fields["service"]);
        Assert.Equal("registry:catalog:*", fields["scope"]);
    }

    private static string Token(HttpListenerContext context, out string form)
    {
        using var reader = new StreamReader(context.Request.InputStream);
        form = reader.ReadToEnd();
        return """{"access_token":"access-1"}""";
    }

    private static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
