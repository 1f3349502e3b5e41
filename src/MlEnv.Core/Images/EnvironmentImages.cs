using MlEnv.Diagnostics;
using MlEnv.Engine;
using MlEnv.Generation;
using MlEnv.Registry;

namespace MlEnv.Images;

public sealed record ImageRequest(
    string Name,
    string Hash,
    string CanonicalDefinition,
    string Repository,
    IReadOnlyList<ContextFile> ContextFiles,
    string SdkVersion,
    bool Refresh = false,
    string? NetworkMode = null,
    string? BaseImage = null,
    string? Registry = null,
    IReadOnlyDictionary<string, string>? BuildArguments = null)
{
    // Build arguments carry index credentials: keep them out of every printed form of the request.
    public override string ToString() => $"ImageRequest({Name}, {Hash}, {Repository})";
}

public sealed record ImageResult(string ImageId, string Repository, string Tag, bool Reused, IReadOnlyList<string> Layers, string? PulledFrom = null)
{
    public string Reference => $"{Repository}:{Tag}";
}

/// <summary>Where build output goes: step headers for the user, every line for build.log.</summary>
public interface IBuildOutput
{
    void Step(string line);
    void Detail(string line);
    void Info(string message);
    void Warn(Diagnostic diagnostic);

    /// <summary>What is about to run and says nothing until it ends (a push, a pull, a save): a status for a live display, not a log line.</summary>
    void Progress(string message) { }

    /// <summary>A line of engine build output: "Step n/m" headers (Podman: "STEP n/m:", "[k/N] STEP n/m:") are steps, everything else detail.</summary>
    void Line(string line)
    {
        if (BuildTrace.IsStep(line)) Step(line);
        else Detail(line);
    }
}

/// <summary>
/// Gets the image of a definition: reuses any image carrying its hash (tagging it for this project), else pulls it
/// from the shared registry when one is set, else builds it once under a per-hash lock and tags it only when the
/// build succeeded and carries the right label.
/// </summary>
public sealed class EnvironmentImages(DockerEngine engine, string lockDirectory)
{
    public const int TagLength = 12;
    public static TimeSpan LockTimeout { get; set; } = TimeSpan.FromMinutes(60);

    public static string HashTag(string hash) => hash[..TagLength];

    public async Task<(ImageResult? Result, Diagnostic? Failure)> EnsureAsync(ImageRequest request, IBuildOutput output, CancellationToken ct)
    {
        var tag = HashTag(request.Hash);
        if (!request.Refresh && await engine.FindByHashAsync(request.Hash, ct).ConfigureAwait(false) is { } existing)
            return (await Reuse(existing, request, tag, ct).ConfigureAwait(false), null);

        HashLock held;
        try
        {
            held = await HashLock.AcquireAsync(request.Hash, lockDirectory, LockTimeout,
                () => output.Info($"Waiting for another build of environment {tag}..."), ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return (null, DiagnosticCatalog.LockTimeout.Create(LockTimeout, tag));
        }

        await using (held.ConfigureAwait(false))
        {
            // Another process may have built it while this one waited.
            if (!request.Refresh && await engine.FindByHashAsync(request.Hash, ct).ConfigureAwait(false) is { } built)
                return (await Reuse(built, request, tag, ct).ConfigureAwait(false), null);

            // A fleet shares its images through the registry: pull instead of building when it has this hash.
            if (!request.Refresh && request.Registry is { } registry
                && await PullFromRegistry(registry, request, tag, output, ct).ConfigureAwait(false) is { } pulled)
                return (pulled, null);

            var labels = Labels(request.Name, request.Hash, request.SdkVersion, request.CanonicalDefinition, request.BaseImage);
            output.Info($"Building environment image {request.Repository}:{tag}");
            var (outcome, failure) = await BuildAsync(WithLabels(request.ContextFiles, labels).ToList(), request, output, ct).ConfigureAwait(false);
            if (failure is not null) return (null, failure);

            if (!outcome!.Success)
            {
                var mismatch = outcome.LastLines.FirstOrDefault(l => l.Contains(DockerfileGenerator.PythonMismatchMarker, StringComparison.Ordinal));
                if (mismatch is not null)
                    return (null, DiagnosticCatalog.PythonVersionMismatch.Create(PythonOf(request), mismatch[(mismatch.IndexOf(':') + 1)..].Trim()));
                return (null, outcome.ToDiagnostic());
            }

            var image = await engine.InspectAsync(outcome.ImageId!, ct).ConfigureAwait(false);
            if (image is null || !image.Labels.TryGetValue(DockerEngine.HashLabel, out var label) || label != request.Hash)
                return (null, DiagnosticCatalog.EngineFailed.Create($"the built image {outcome.ImageId} does not carry the definition hash"));
            await engine.TagAsync(image.Id, request.Repository, tag, ct).ConfigureAwait(false);
            return (new ImageResult(image.Id, request.Repository, tag, Reused: false, image.Layers), null);
        }
    }

    /// <summary>
    /// Streams the context to the engine and builds. A build with arguments (index credentials) then removes its
    /// side stages' images and containers whatever the outcome, cancellation included: with the classic builder
    /// their history and container config record the arguments' values.
    /// </summary>
    private async Task<(BuildOutcome? Outcome, Diagnostic? Failure)> BuildAsync(IReadOnlyList<ContextFile> files, ImageRequest request, IBuildOutput output, CancellationToken ct)
    {
        var trace = new BuildTrace();
        var completed = false;
        try
        {
            var outcome = await BuildContext.StreamAsync(files, context =>
                engine.BuildAsync(new BuildRequest(context, request.Refresh, request.NetworkMode, request.BuildArguments), output.Line, ct, trace)).ConfigureAwait(false);
            completed = outcome.Success;
            return (outcome, null);
        }
        catch (BuildContextException e)
        {
            return (null, DiagnosticCatalog.ContextUnreadable.Create(e.Message));
        }
        finally
        {
            if (request.BuildArguments is { Count: > 0 })
            {
                var left = await engine.RemoveSideStagesAsync(trace, request.BuildArguments.Keys, completed).ConfigureAwait(false);
                if (left.Count > 0) output.Warn(DiagnosticCatalog.IntermediateImagesLeft.Create(string.Join("; ", left)));
            }
        }
    }

    /// <summary>The labels every environment image carries: hash, name, SDK version, the canonical definition.</summary>
    public static IReadOnlyDictionary<string, string> Labels(string name, string hash, string sdkVersion, string canonical, string? baseImage)
    {
        var labels = new Dictionary<string, string>
        {
            [DockerEngine.HashLabel] = hash,
            [DockerEngine.NameLabel] = name,
            [DockerEngine.SdkVersionLabel] = sdkVersion,
            [DockerEngine.KindLabel] = DockerEngine.EnvironmentKind,
            [DockerEngine.DefinitionLabel] = canonical,
            ["org.opencontainers.image.title"] = name,
            ["org.opencontainers.image.version"] = HashTag(hash),
        };
        if (baseImage is not null) labels["org.opencontainers.image.base.name"] = baseImage;
        return labels;
    }

    /// <summary>
    /// Appends MlEnv's labels to the Dockerfile as one last LABEL instruction: one step instead of one per label (as
    /// the engine does with labels passed as build parameters), and after every layer, so no layer depends on them.
    /// A download writes the same files, so that a plain `docker build` of it makes the same image.
    /// </summary>
    public static IEnumerable<ContextFile> WithLabels(IEnumerable<ContextFile> files, IReadOnlyDictionary<string, string> labels)
    {
        var line = "LABEL " + string.Join(" \\\n      ", labels.OrderBy(l => l.Key, StringComparer.Ordinal)
            .Select(l => $"{Shell.DockerfileValue(l.Key)}={Shell.DockerfileValue(l.Value)}")) + "\n";
        return files.Select(f => f.Path == "Dockerfile"
            ? ContextFile.Text("Dockerfile", System.Text.Encoding.UTF8.GetString(f.Content!) + line)
            : f);
    }

    /// <summary>
    /// Pulls the definition's environment image: first under this project's repository, then under the shared
    /// repository keyed by the whole hash, which any project with the same definition pushed to.
    /// </summary>
    private async Task<ImageResult?> PullFromRegistry(string registry, ImageRequest request, string tag, IBuildOutput output, CancellationToken ct)
    {
        var references = new[] { ($"{registry}/{request.Repository}", tag), ($"{registry}/{Registries.SharedRepository}", Registries.SharedTag(request.Hash)) };
        var auth = RegistryAuth.For(registry, output.Warn);
        foreach (var (remote, remoteTag) in references)
        {
            try
            {
                if (!await engine.PullAsync(remote, remoteTag, auth, ct, output.Progress).ConfigureAwait(false)) continue;
            }
            catch (RegistryException e)
            {
                output.Warn(DiagnosticCatalog.RegistryLookupFailed.Create(registry, e.Message));
                return null;
            }
            var image = await engine.InspectAsync($"{remote}:{remoteTag}", ct).ConfigureAwait(false);
            if (image is null || !image.Labels.TryGetValue(DockerEngine.HashLabel, out var label) || label != request.Hash
                || !DockerEngine.IsEnvironmentImage(image.Labels))
            {
                output.Warn(DiagnosticCatalog.RegistryLookupFailed.Create(registry, $"{remote}:{remoteTag} is not the environment image of definition {tag}"));
                continue;
            }
            await engine.TagAsync(image.Id, request.Repository, tag, ct).ConfigureAwait(false);
            output.Info($"Pulled environment image {remote}:{remoteTag} from the registry: no build needed.");
            return new ImageResult(image.Id, request.Repository, tag, Reused: true, image.Layers, PulledFrom: $"{remote}:{remoteTag}");
        }
        output.Info($"The registry {registry} has no image for definition {tag}: building it.");
        return null;
    }

    private async Task<ImageResult> Reuse(EngineImage image, ImageRequest request, string tag, CancellationToken ct)
    {
        if (!image.Tags.Contains($"{request.Repository}:{tag}"))
            await engine.TagAsync(image.Id, request.Repository, tag, ct).ConfigureAwait(false);
        return new ImageResult(image.Id, request.Repository, tag, Reused: true, image.Layers);
    }

    private static string PythonOf(ImageRequest request) =>
        System.Text.Json.Nodes.JsonNode.Parse(request.CanonicalDefinition)?["python"]?.GetValue<string>() ?? "?";
}
