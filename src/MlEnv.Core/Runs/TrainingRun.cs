using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Docker.DotNet.Models;
using MlEnv.Diagnostics;
using MlEnv.Engine;
using MlEnv.Images;

namespace MlEnv.Runs;

public sealed record VolumeMount(string HostPath, string ContainerPath, bool ReadOnly);

public sealed record RunRequest(
    string ImageId, string Image, string EnvironmentName, int? EnvironmentVersion, string Hash, bool Gpu,
    string ProjectDirectory, string Script, IReadOnlyList<string> Arguments, string RunsDirectory,
    IReadOnlyDictionary<string, string> Variables, IReadOnlyList<VolumeMount> Volumes, long ShmSizeBytes, string Endpoint);

public sealed record RunResult(string RunId, string Directory, long ExitCode);

/// <summary>
/// A training run (the seed's local ScriptRunConfig): the script runs in the environment's image with the project
/// mounted read-only at /mlenv/src and a writable /mlenv/outputs, which is copied to runs/&lt;id&gt;/outputs. Output
/// streams to the log and run.log; run.json records what ran in which environment and how it ended.
/// </summary>
public sealed class TrainingRun(DockerEngine engine)
{
    public const string SourceDirectory = "/mlenv/src";
    public const string OutputsDirectory = "/mlenv/outputs";

    public async Task<(RunResult? Result, Diagnostic? Failure)> RunAsync(RunRequest request, IBuildOutput output, CancellationToken ct)
    {
        if (request.Gpu && !await engine.HasNvidiaRuntimeAsync(ct).ConfigureAwait(false))
            return (null, DiagnosticCatalog.NoGpuRuntime.Create(request.Endpoint));

        var runId = $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";
        var directory = Path.Combine(request.RunsDirectory, runId);
        Directory.CreateDirectory(directory);
        var binds = new List<string> { $"{request.ProjectDirectory}:{SourceDirectory}:ro" };
        binds.AddRange(request.Volumes.Select(v => $"{v.HostPath}:{v.ContainerPath}{(v.ReadOnly ? ":ro" : "")}"));
        var parameters = new CreateContainerParameters
        {
            Image = request.ImageId,
            Cmd = ["python", $"{SourceDirectory}/{request.Script.Replace('\\', '/')}", .. request.Arguments],
            WorkingDir = SourceDirectory,
            Env = request.Variables.Select(v => $"{v.Key}={v.Value}").Append($"MLENV_OUTPUTS={OutputsDirectory}").Append($"MLENV_RUN_ID={runId}").ToList(),
            Labels = new Dictionary<string, string> { ["org.mlenv.run-id"] = runId, [DockerEngine.HashLabel] = request.Hash },
            HostConfig = new HostConfig
            {
                Binds = binds,
                ShmSize = request.ShmSizeBytes,
                DeviceRequests = request.Gpu ? [new DeviceRequest { Driver = "nvidia", Count = -1, Capabilities = [["gpu"]] }] : [],
            },
        };

        var started = DateTime.UtcNow;
        var watch = Stopwatch.StartNew();
        var last = new Queue<string>();
        string? container = null;
        long exitCode;
        await using (var log = new StreamWriter(Path.Combine(directory, "run.log")))
        {
            try
            {
                container = await engine.CreateContainerAsync(parameters, [OutputsDirectory], ct).ConfigureAwait(false);
                output.Info($"Run {runId}: python {request.Script} {string.Join(' ', request.Arguments)} in {request.Image}");
                exitCode = await engine.RunContainerAsync(container, line =>
                {
                    log.WriteLine(line);
                    output.Step(line);
                    last.Enqueue(line);
                    if (last.Count > 20) last.Dequeue();
                }, ct).ConfigureAwait(false);
                await engine.CopyFromContainerAsync(container, OutputsDirectory, Path.Combine(directory, "outputs"), ct).ConfigureAwait(false);
            }
            finally
            {
                // Ctrl+C lands here too: the container is stopped and removed either way.
                if (container is not null) await engine.RemoveContainerAsync(container).ConfigureAwait(false);
            }
        }

        var record = new JsonObject
        {
            ["runId"] = runId,
            ["environment"] = new JsonObject
            {
                ["name"] = request.EnvironmentName,
                ["version"] = request.EnvironmentVersion,
                ["hash"] = request.Hash,
                ["imageId"] = request.ImageId,
                ["image"] = request.Image,
            },
            ["script"] = request.Script,
            ["arguments"] = new JsonArray(request.Arguments.Select(a => (JsonNode)a).ToArray()),
            ["exitCode"] = exitCode,
            ["startedAt"] = started.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["durationSeconds"] = Math.Round(watch.Elapsed.TotalSeconds, 3),
        };
        File.WriteAllText(Path.Combine(directory, "run.json"), record.ToJsonString(JsonFormats.Indented));
        var result = new RunResult(runId, directory, exitCode);
        return exitCode == 0
            ? (result, null)
            : (result, DiagnosticCatalog.RunFailed.Create(runId, request.Script, exitCode, string.Join("\n", last.Select(l => "  " + l))));
    }

    /// <summary>"2g", "512m", "64k" or bytes; null when it is none of these.</summary>
    public static long? ParseSize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return 0;
        var t = text.Trim().ToLowerInvariant().TrimEnd('b');
        long unit = t.EndsWith('g') ? 1L << 30 : t.EndsWith('m') ? 1L << 20 : t.EndsWith('k') ? 1L << 10 : 1;
        if (unit > 1) t = t[..^1];
        return long.TryParse(t, out var n) && n >= 0 ? n * unit : null;
    }

    /// <summary>Splits MlEnvRunArguments like a shell would for plain words and quotes (no expansion of any kind).</summary>
    public static IReadOnlyList<string> SplitArguments(string? text)
    {
        var args = new List<string>();
        if (string.IsNullOrWhiteSpace(text)) return args;
        var current = new System.Text.StringBuilder();
        char quote = '\0';
        bool any = false;
        foreach (var c in text)
        {
            if (quote != '\0') { if (c == quote) quote = '\0'; else current.Append(c); continue; }
            if (c is '"' or '\'') { quote = c; any = true; continue; }
            if (char.IsWhiteSpace(c)) { if (any || current.Length > 0) { args.Add(current.ToString()); current.Clear(); any = false; } continue; }
            current.Append(c);
        }
        if (any || current.Length > 0) args.Add(current.ToString());
        return args;
    }
}
