using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MlEnv.Tests;

/// <summary>
/// MlEnv's scoring server (the SDK's mlenv_score_server.py, standard library only) run by the host's Python: a
/// threading server that calls run() one request at a time unless MLENV_SCORING_CONCURRENT_RUN=true.
/// </summary>
public class ScoringServerTests
{
    private const string OverlapDetector = """
        import threading
        import time

        _lock = threading.Lock()
        _inside = 0


        def run(raw_data):
            global _inside
            with _lock:
                _inside += 1
                overlapped = _inside > 1
            time.sleep(0.3)
            with _lock:
                overlapped = overlapped or _inside > 1
                _inside -= 1
            return {"overlapped": overlapped}
        """;

    private static async Task<int> OverlappedCallsAsync(string? concurrentRun)
    {
        using var dir = new TempDir();
        var script = dir.Write("score.py", OverlapDetector);
        var server = Path.Combine(GoldenVectorTests.FindRepoRoot(), "src", "MlEnv.Sdk", "build", "scoring", "mlenv_score_server.py");
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0)) { probe.Start(); port = ((IPEndPoint)probe.LocalEndpoint).Port; }
        var psi = new ProcessStartInfo(OracleFactAttribute.Python, [server]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["MLENV_SCORING_SCRIPT"] = script;
        psi.Environment["MLENV_SERVICE_PORT"] = port.ToString();
        if (concurrentRun is not null) psi.Environment["MLENV_SCORING_CONCURRENT_RUN"] = concurrentRun;
        using var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var url = $"http://127.0.0.1:{port}";
            using (var health = new HttpClient())
            {
                for (int i = 0; ; i++)
                {
                    try { if ((await health.GetAsync($"{url}/health")).IsSuccessStatusCode) break; }
                    catch (HttpRequestException) when (i < 100) { await Task.Delay(100); }
                }
            }
            var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
            {
                using var http = new HttpClient(); // one connection each: the server's threads see them at once
                var response = await http.PostAsync($"{url}/score", new StringContent("{}", Encoding.UTF8, "application/json"));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return await response.Content.ReadAsStringAsync();
            }));
            Assert.All(answers, a => Assert.Matches("^\\{\"overlapped\": (true|false)\\}\\z", a));
            return answers.Count(a => a.Contains("true", StringComparison.Ordinal));
        }
        finally
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    [OracleFact]
    public async Task RunIsSerialisedByDefault() => Assert.Equal(0, await OverlappedCallsAsync(null));

    [OracleFact]
    public async Task AnyOtherValueThanTrueKeepsRunSerialised() => Assert.Equal(0, await OverlappedCallsAsync("no"));

    [OracleFact]
    public async Task TheOptInLetsCallsOverlap() => Assert.True(await OverlappedCallsAsync("true") > 0);
}
