using MlEnv.Diagnostics;
using MlEnv.Engine;
using MlEnv.Generation;
using MlEnv.Registry;

namespace MlEnv.Images;

public sealed record PushedImage(string Reference, string Digest);

/// <summary>What `dotnet publish` does with a built environment: the service image, registry pushes, the bundle.</summary>
public sealed class EnvironmentPublish(DockerEngine engine)
{
    public const string ServiceHashLabel = DockerEngine.ServiceHashLabel;
    public const string ServiceKind = "service";

    /// <summary>Builds (or finds) the scoring service image FROM the environment image; tags it by content hash.</summary>
    public async Task<(ImageResult? Image, Diagnostic? Failure)> ServiceImageAsync(
        string environmentImageId, string environmentReference, string definitionHash, string repository, int port,
        string serverScript, string scoringScript, IReadOnlyList<ModelFile> models, IBuildOutput output, CancellationToken ct,
        bool concurrentRun = false)
    {
        var build = ServiceGenerator.Generate(environmentReference, port, serverScript, scoringScript, models, concurrentRun);
        var hash = ServiceGenerator.Hash(environmentImageId, build);
        var tag = EnvironmentImages.HashTag(hash);
        if (await engine.InspectAsync($"{repository}:{tag}", ct).ConfigureAwait(false) is { } existing
            && existing.Labels.TryGetValue(ServiceHashLabel, out var label) && label == hash)
        {
            output.Info($"Service image {repository}:{tag} is up to date.");
            return (new ImageResult(existing.Id, repository, tag, Reused: true, existing.Layers), null);
        }

        // The kind label overrides the "environment" one the service image inherits: reuse never picks a service.
        var labels = "LABEL " + string.Join(' ', new[] { (ServiceHashLabel, hash), (DockerEngine.HashLabel, definitionHash), (DockerEngine.KindLabel, ServiceKind), ("org.mlenv.environment-image", environmentReference) }
            .Select(l => $"{Shell.DockerfileValue(l.Item1)}={Shell.DockerfileValue(l.Item2)}")) + "\n";
        var files = build.Files.Select(f => f.Path == "Dockerfile" ? ContextFile.Text("Dockerfile", build.Dockerfile + labels) : f).ToList();
        output.Info($"Building service image {repository}:{tag}");
        BuildOutcome outcome;
        try
        {
            // Streamed: a model of gigabytes goes to the engine without ever being held in memory.
            outcome = await BuildContext.StreamAsync(files, context =>
                engine.BuildAsync(new BuildRequest(context, NoCache: false, NetworkMode: null), output.Line, ct)).ConfigureAwait(false);
        }
        catch (BuildContextException e)
        {
            return (null, DiagnosticCatalog.ContextUnreadable.Create(e.Message));
        }
        if (!outcome.Success)
            return (null, outcome.ToDiagnostic());
        var image = await engine.InspectAsync(outcome.ImageId!, ct).ConfigureAwait(false);
        if (image is null) return (null, DiagnosticCatalog.EngineFailed.Create($"the built service image {outcome.ImageId} is missing"));
        await engine.TagAsync(image.Id, repository, tag, ct).ConfigureAwait(false);
        return (new ImageResult(image.Id, repository, tag, Reused: false, image.Layers), null);
    }

    /// <summary>Tags the image as registry/repository:tag for each tag and pushes it; returns the digests.</summary>
    public async Task<(IReadOnlyList<PushedImage> Pushed, Diagnostic? Failure)> PushAsync(
        string imageId, string registry, string repository, IReadOnlyList<string> tags, IBuildOutput output, CancellationToken ct)
    {
        var remote = $"{registry}/{repository}";
        var auth = RegistryAuth.For(registry, output.Warn);
        var pushed = new List<PushedImage>();
        foreach (var tag in tags.Distinct())
        {
            await engine.TagAsync(imageId, remote, tag, ct).ConfigureAwait(false);
            try
            {
                var digest = await engine.PushAsync(remote, tag, auth, output.Detail, ct, output.Progress).ConfigureAwait(false);
                output.Info($"Pushed {remote}:{tag} ({digest}).");
                pushed.Add(new PushedImage($"{remote}:{tag}", digest));
            }
            catch (RegistryException e)
            {
                return (pushed, DiagnosticCatalog.PushFailed.Create($"{remote}:{tag}", e.Message));
            }
        }
        return (pushed, null);
    }
}
