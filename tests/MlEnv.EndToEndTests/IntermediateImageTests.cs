using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using MlEnv.EndToEndTests.Infrastructure;
using MlEnv.Engine;

namespace MlEnv.EndToEndTests;

/// <summary>
/// With the classic builder, every RUN step after an ARG records the argument values in its image's history and
/// container config. The packages stage of a credentialed build gets the index credentials as arguments, so after
/// the build (success, failure or Ctrl+C) no image on the engine — dangling ones included — and no container may
/// hold the password, the username or their base64.
/// </summary>
public sealed class IntermediateImageTests(SdkPackage sdk) : EndToEndTest(sdk)
{
    private static Dictionary<string, string> Credentials(string user, string password) =>
        new() { ["MLENV_PIP_INDEX_USERNAME"] = user, ["MLENV_PIP_INDEX_PASSWORD"] = password };

    private static string[] Secrets(string user, string password) =>
        [password, user, Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"))];

    private TestProject Credentialed(string name, string indexUrl, string package) =>
        New(name).Property("MlEnvPipIndexUrl", indexUrl).Property("MlEnvBuildNetwork", "host")
            .Item("MlEnvPipPackage", package, ("Version", "2.0"));

    [DockerFact]
    public async Task AfterASuccessfulCredentialedBuildNoImageOrContainerHoldsTheCredentials()
    {
        using var index = new PackageIndex();
        index.Add("private-model-lib", "2.0");
        var p = Credentialed("secret-history", index.Url, "private-model-lib");
        var build = p.Run(["build", p.ProjectFile, "-nologo", "-v:n"], environment: Credentials(index.Username, index.Password));
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.True(index.Authorised > 0, "pip never used the credentials");
        // The side stage really ran: there were intermediate images to remove.
        Assert.Contains(" AS mlenv-packages", build.Output);
        await AssertNoTraceOnTheEngine(Secrets(index.Username, index.Password));
    }

    [DockerFact]
    public async Task AfterAFailedCredentialedBuildNoImageOrContainerHoldsTheCredentials()
    {
        using var index = new PackageIndex();
        index.Add("private-model-lib", "2.0");
        // The index has no such package: pip fails in the packages stage, after the venv step recorded the arguments.
        var p = Credentialed("secret-history-failed", index.Url, "not-on-the-index");
        var build = p.Run(["build", p.ProjectFile, "-nologo", "-v:n"], environment: Credentials(index.Username, index.Password));
        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("error MLENV2002", build.Output);
        Assert.True(index.Authorised > 0, "pip never reached the index");
        await AssertNoTraceOnTheEngine(Secrets(index.Username, index.Password));
    }

    [DockerFact]
    public async Task AfterACancelledCredentialedBuildNoImageOrContainerHoldsTheCredentials()
    {
        using var index = new StallingIndex();
        var p = Credentialed("secret-history-cancel", index.Url, "slow-lib");
        bool sent = false;
        var build = p.Run(["build", p.ProjectFile, "-nologo", "-v:n"], TimeSpan.FromMinutes(4), (process, line) =>
        {
            if (sent || !line.Contains("RUN umask 077", StringComparison.Ordinal)) return;
            sent = true;
            // Wait until pip is inside the RUN step, talking to the index, then Ctrl+C.
            for (int i = 0; i < 300 && index.Requests == 0; i++) Thread.Sleep(100);
            using var kill = Process.Start("kill", ["-INT", process.Id.ToString()]);
            kill!.WaitForExit();
        }, Credentials(index.Username, index.Password));
        Assert.True(sent, build.Output);
        Assert.True(index.Requests > 0, "pip never reached the index:\n" + build.Output);
        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("MLENV2003", build.Output);
        await AssertNoTraceOnTheEngine(Secrets(index.Username, index.Password));
    }

    /// <summary>Every image on the engine (`docker images -a`), its config and history, and every container.</summary>
    private static async Task AssertNoTraceOnTheEngine(string[] secrets)
    {
        using var client = new DockerClientBuilder().WithEndpoint(new Uri(DockerEngine.ResolveEndpoint(null))).WithApiVersion(new System.Version(1, 41)).Build();
        var places = new Dictionary<string, string>();
        var images = await client.Images.ListImagesAsync(new ImagesListParameters { All = true });
        Assert.NotEmpty(images);
        foreach (var image in images)
        {
            try
            {
                var inspect = await client.Images.InspectImageAsync(image.ID);
                var history = await client.Images.GetImageHistoryAsync(image.ID);
                places[$"image {image.ID} config"] = JsonSerializer.Serialize(inspect);
                places[$"image {image.ID} history"] = string.Join("\n", history.Select(h => h.CreatedBy + " " + h.Comment));
            }
            catch (DockerImageNotFoundException) { } // removed meanwhile by another test
        }
        foreach (var container in await client.Containers.ListContainersAsync(new ContainersListParameters { All = true }))
        {
            try { places[$"container {container.ID}"] = JsonSerializer.Serialize(await client.Containers.InspectContainerAsync(container.ID)); }
            catch (DockerContainerNotFoundException) { }
        }
        var found = (from secret in secrets from place in places where place.Value.Contains(secret, StringComparison.Ordinal) select place.Key).Distinct().ToList();
        Assert.True(found.Count == 0, "a credential is still on the engine in: " + string.Join(", ", found));
    }

    /// <summary>An index that checks basic auth and then never answers: pip waits inside the RUN step.</summary>
    private sealed class StallingIndex : IDisposable
    {
        private readonly HttpListener listener = new();
        private readonly CancellationTokenSource stop = new();
        private int requests;
        public string Url { get; }
        public string Username { get; } = "stall-user-" + Guid.NewGuid().ToString("N")[..10];
        public string Password { get; } = "stall-pass-" + Guid.NewGuid().ToString("N");
        public int Requests => Volatile.Read(ref requests);

        public StallingIndex()
        {
            var port = LocalRegistry.FreePort();
            Url = $"http://127.0.0.1:{port}/simple/";
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            listener.Start();
            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}"));
            _ = Task.Run(async () =>
            {
                while (listener.IsListening)
                {
                    HttpListenerContext context;
                    try { context = await listener.GetContextAsync(); }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
                    if (context.Request.Headers["Authorization"] != expected)
                    {
                        context.Response.StatusCode = 401;
                        context.Response.AddHeader("WWW-Authenticate", "Basic realm=\"stall\"");
                        context.Response.Close();
                        continue;
                    }
                    Interlocked.Increment(ref requests);
                    _ = Task.Delay(TimeSpan.FromMinutes(2), stop.Token).ContinueWith(_ => { try { context.Response.Abort(); } catch (ObjectDisposedException) { } });
                }
            });
        }

        public void Dispose()
        {
            stop.Cancel();
            listener.Stop();
            listener.Close();
        }
    }
}
