using System.Net;
using System.Text;
using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

/// <summary>
/// The scoring service calls run() one request at a time unless MlEnvScoringConcurrentRun says the script is
/// thread-safe; a model bigger than the build's memory goes into the image streamed.
/// </summary>
public sealed class ScoringServiceTests(SdkPackage sdk) : EndToEndTest(sdk)
{
    private readonly List<string> containers = [];

    // run() notes how many calls are inside it at once; a call that ever saw another one inside reports it.
    private const string OverlapDetector = """
        import threading
        import time

        _lock = threading.Lock()
        _inside = 0


        def init():
            pass


        def run(raw_data):
            global _inside
            with _lock:
                _inside += 1
                overlapped = _inside > 1
            time.sleep(0.4)
            with _lock:
                overlapped = overlapped or _inside > 1
                _inside -= 1
            return {"overlapped": overlapped}
        """;

    private string Serve(string image) => ScoringContainer.Serve(image, Sdk.RunId, containers);

    /// <summary>Eight requests at once, each on its own connection; how many saw another run() inside.</summary>
    private static async Task<int> OverlappedAsync(string url)
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var http = new HttpClient();
            var response = await http.PostAsync($"{url}/score", new StringContent("{\"x\": 1}", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }));
        Assert.All(answers, a => Assert.Matches("^\\{\"overlapped\": (true|false)\\}\\z", a));
        return answers.Count(a => a.Contains("true", StringComparison.Ordinal));
    }

    [DockerFact]
    public async Task RunIsCalledOneRequestAtATimeUnlessTheProjectSaysItIsThreadSafe()
    {
        var p = New("scoring-serial").File("score.py", OverlapDetector).Property("MlEnvScoringScript", "score.py");
        var serial = p.Publish();
        Assert.True(serial.ExitCode == 0, serial.Output);
        Assert.Equal(0, await OverlappedAsync(Serve(p.PublishManifest().GetProperty("serviceImage").GetString()!)));

        p.Property("MlEnvScoringConcurrentRun", "true");
        var concurrent = p.Publish();
        Assert.True(concurrent.ExitCode == 0, concurrent.Output);
        Assert.True(await OverlappedAsync(Serve(p.PublishManifest().GetProperty("serviceImage").GetString()!)) > 0,
            "with MlEnvScoringConcurrentRun=true, concurrent requests should overlap inside run()");

        p.Property("MlEnvScoringConcurrentRun", "banana");
        var invalid = p.Publish();
        Assert.NotEqual(0, invalid.ExitCode);
        var error = Assert.Single(BuildDiagnostic.Errors(invalid));
        Assert.Equal(("MLENV1055", p.ProjectFile), (error.Code, error.File));
    }

    /// <summary>
    /// A model bigger than the whole managed heap the build may use: held in memory anywhere (context tar, hash),
    /// the build runs out of memory; streamed, it publishes, and the model arrives whole.
    /// </summary>
    [DockerFact]
    public void AModelBiggerThanTheBuildsHeapLimitPublishes()
    {
        const long size = 640L * 1024 * 1024;
        var p = New("scoring-large-model").File("score.py", "def init():\n    pass\n\ndef run(raw):\n    return {}\n")
            .Property("MlEnvScoringScript", "score.py").Item("MlEnvModel", "weights.bin");
        using (var model = File.Create(Path.Combine(p.Directory, "weights.bin")))
        {
            model.SetLength(size); // sparse: no disk here; the image gets the bytes
            model.Position = size - 4;
            model.Write("tail"u8);
        }
        // 256 MiB for every managed heap in the build (the hex value is DOTNET_GCHeapHardLimit's format).
        var published = p.Run(["publish", p.ProjectFile, "-nologo", "-v:n"], environment: new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "10000000" });
        Assert.True(published.ExitCode == 0, published.Output);
        var service = p.PublishManifest().GetProperty("serviceImage").GetString()!;
        var inImage = BuildTests.Docker("run", "--rm", "--label", $"org.mlenv-test.run={Sdk.RunId}", service, "python", "-c",
            "import os; p = os.path.join(os.environ['MLENV_MODEL_DIR'], 'weights.bin'); f = open(p, 'rb'); f.seek(-4, 2); print(os.path.getsize(p), f.read().decode())");
        Assert.Equal($"{size} tail", inImage.Trim());
    }

    public override void Dispose()
    {
        foreach (var c in containers) { try { BuildTests.Docker("rm", "-f", c); } catch (Xunit.Sdk.XunitException) { } }
        base.Dispose();
    }
}
