using System.Text.Json;
using System.Text.Json.Nodes;
using MlEnv.Definition;
using MlEnv.Diagnostics;
using MlEnv.Engine;
using MlEnv.Generation;

namespace MlEnv.Images;

public sealed record EnvironmentBuildOutcome(ImageResult? Image, IReadOnlyList<Diagnostic> Diagnostics);

/// <summary>image.json: what the last successful image step of a project produced.</summary>
public sealed record ImageState(string Hash, string? ImageId, DateTime BuiltAt, bool Reused)
{
    public const string FileName = "image.json";

    // Read with JsonDocument (precompiled in the framework), not the serializer: on a no-op build the serializer's
    // first use alone costs tens of milliseconds.
    public static ImageState? Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = json.RootElement;
            return new ImageState(root.GetProperty("hash").GetString()!, root.GetProperty("imageId").GetString(),
                root.GetProperty("builtAt").GetDateTime(), root.GetProperty("reused").GetBoolean());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    public void Write(string directory)
    {
        using var stream = File.Create(Path.Combine(directory, FileName));
        using var writer = new Utf8JsonWriter(stream);
        writer.WriteStartObject();
        writer.WriteString("hash", Hash);
        writer.WriteString("imageId", ImageId);
        writer.WriteString("builtAt", BuiltAt);
        writer.WriteBoolean("reused", Reused);
        writer.WriteEndObject();
    }
}

/// <summary>
/// One project's image step, over the files in obj/mlenv/ (the no-op check is CheckMlEnvImage's): the explanation of
/// what changed, build or reuse, then image.json, last-built.json, mlenv.json and build.log.
/// </summary>
public sealed class EnvironmentBuild(string name, string hash, string directory, string repository, string sdkVersion, bool refresh, string? network, string? registry = null, PipCredentials? credentials = null)
{
    public const string LastBuiltFile = "last-built.json";
    public const string ImageRecordFile = "mlenv.json";
    public const string BuildLogFile = "build.log";

    public async Task<EnvironmentBuildOutcome> RunAsync(string endpoint, IBuildOutput output, CancellationToken ct)
    {
        var diagnostics = new List<Diagnostic>();
        var canonical = File.ReadAllText(Path.Combine(directory, GeneratedEnvironment.DefinitionFile));
        var definition = JsonNode.Parse(canonical)!;
        var baseImage = definition["base"]?["image"]?.GetValue<string>();
        var usable = IndexCredentials.ForBuild(definition, credentials, diagnostics);
        if (diagnostics.Any(d => d.IsError)) return new EnvironmentBuildOutcome(null, diagnostics);
        using var buildLog = new StreamWriter(Path.Combine(directory, BuildLogFile), append: false);
        var logged = new TeeOutput(output, buildLog);
        try
        {
            using var engine = new DockerEngine(endpoint);
            var tag = EnvironmentImages.HashTag(hash);
            await engine.PingAsync(ct).ConfigureAwait(false);
            // Said at build time, where it can still be fixed; a run on this engine fails with MLENV2008.
            if (definition[CanonicalKeys.Gpu]?.GetValue<bool>() == true && !await engine.HasNvidiaRuntimeAsync(ct).ConfigureAwait(false))
                diagnostics.Add(DiagnosticCatalog.GpuWithoutRuntime.Create(name, endpoint));

            var lastBuilt = Path.Combine(directory, LastBuiltFile);
            if (File.Exists(lastBuilt) && CanonicalJson.HashOf(File.ReadAllText(lastBuilt)) != hash)
            {
                var changes = DefinitionDiff.Explain(File.ReadAllText(lastBuilt), canonical);
                diagnostics.Add(DiagnosticCatalog.Rebuilding.Create(changes.Count == 0 ? "(format change)" : string.Join("; ", changes)));
            }

            var images = new EnvironmentImages(engine, HashLock.DefaultDirectory);
            var request = new ImageRequest(name, hash, canonical, repository, GeneratedEnvironment.ReadContext(directory, usable is not null),
                sdkVersion, refresh, network, baseImage, registry, IndexCredentials.BuildArguments(usable));
            var (result, failure) = await images.EnsureAsync(request, logged, ct).ConfigureAwait(false);
            if (failure is not null)
            {
                diagnostics.Add(failure);
                return new EnvironmentBuildOutcome(null, diagnostics);
            }
            logged.Info(result!.Reused
                ? $"Reused environment image {result.ImageId[..19]} for definition {tag}: no build needed."
                : $"Built environment image {result.Reference} ({result.ImageId[..19]}).");
            var builtAt = DateTime.UtcNow;
            new ImageState(hash, result.ImageId, builtAt, result.Reused).Write(directory);
            File.WriteAllText(lastBuilt, canonical);
            WriteImageRecord(result, baseImage, builtAt);
            return new EnvironmentBuildOutcome(result, diagnostics);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            diagnostics.Add(DiagnosticCatalog.BuildCancelled.Create());
        }
        catch (EngineUnavailableException e)
        {
            diagnostics.Add(EngineEndpoints.Diagnose(endpoint, e));
        }
        catch (EngineEndpointException e)
        {
            diagnostics.Add(e.Diagnostic);
        }
        catch (Docker.DotNet.DockerApiException e)
        {
            diagnostics.Add(DiagnosticCatalog.EngineFailed.Create(EngineText.Clean($"{(int)e.StatusCode} {e.ResponseBody?.Trim()}")));
        }
        return new EnvironmentBuildOutcome(null, diagnostics);
    }

    private void WriteImageRecord(ImageResult image, string? baseImage, DateTime builtAt)
    {
        var manifest = new JsonObject
        {
            ["name"] = name,
            ["hash"] = hash,
            ["imageId"] = image.ImageId,
            ["image"] = image.Reference,
            ["baseImage"] = baseImage,
            ["reused"] = image.Reused,
            ["pulledFrom"] = image.PulledFrom,
            ["builtAt"] = builtAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ"),
        };
        var text = manifest.ToJsonString(JsonFormats.Indented);
        FileWriter.WriteIfChanged(Path.Combine(directory, ImageRecordFile), text);
    }

    private sealed class TeeOutput(IBuildOutput inner, TextWriter log) : IBuildOutput
    {
        public void Step(string line) { log.WriteLine(line); inner.Step(line); }
        public void Detail(string line) { log.WriteLine(line); inner.Detail(line); }
        public void Info(string message) { log.WriteLine(message); inner.Info(message); }
        public void Warn(Diagnostic diagnostic) { log.WriteLine(diagnostic.ToString()); inner.Warn(diagnostic); }
    }
}
