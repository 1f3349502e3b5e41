namespace MlEnv.EndToEndTests.Infrastructure;

/// <summary>A scoring service image run as a container of the test run, answering on a loopback port.</summary>
public static class ScoringContainer
{
    /// <summary>Starts the image with the run's label, adds the container to <paramref name="containers"/> (the test removes them) and waits for /health.</summary>
    public static string Serve(string image, string runId, ICollection<string> containers)
    {
        var port = LocalRegistry.FreePort();
        var id = BuildTests.Docker("run", "-d", "--label", $"{Images.RunLabel}={runId}", "-p", $"127.0.0.1:{port}:5001", image).Trim();
        containers.Add(id);
        using var http = new HttpClient();
        for (int i = 0; i < 100; i++)
        {
            try { if (http.GetAsync($"http://127.0.0.1:{port}/health").GetAwaiter().GetResult().IsSuccessStatusCode) return $"http://127.0.0.1:{port}"; }
            catch (HttpRequestException) { }
            Thread.Sleep(100);
        }
        throw new InvalidOperationException("the scoring service did not become healthy:\n" + BuildTests.Docker("logs", id));
    }
}
