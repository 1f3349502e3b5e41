using Docker.DotNet;
using Docker.DotNet.Models;
using MlEnv.Engine;

namespace MlEnv.EndToEndTests.Infrastructure;

/// <summary>Image assertions and clean-up through the Docker Engine API, for the images of one test run.</summary>
public sealed class Images : IDisposable
{
    // The engine MlEnv itself would use (a context or a TLS DOCKER_HOST included), so the suite runs against any of them.
    private readonly DockerClient client = EngineConnection.Create(DockerEngine.ResolveEndpoint(null), new System.Version(1, 41));
    private readonly string runId;

    public Images(string runId) => this.runId = runId;

    public async Task<IList<ImagesListResponse>> WithHashAsync(string hash) =>
        await client.Images.ListImagesAsync(new ImagesListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{DockerEngine.HashLabel}={hash}"] = true } },
        });

    public async Task<ImageInspectResponse?> InspectAsync(string reference)
    {
        try { return await client.Images.InspectImageAsync(reference); }
        catch (DockerImageNotFoundException) { return null; }
    }

    public const string RunLabel = "org.mlenv-test.run";

    /// <summary>Removes every image this run labelled, and its dangling images.</summary>
    public void RemoveRunImages()
    {
        var images = client.Images.ListImagesAsync(new ImagesListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{RunLabel}={runId}"] = true } },
        }).GetAwaiter().GetResult();
        foreach (var image in images.OrderByDescending(i => i.Created))
        {
            try { client.Images.DeleteImageAsync(image.ID, new ImageDeleteParameters { Force = true }).GetAwaiter().GetResult(); }
            catch (DockerApiException) { }
        }
        // Only this run's dangling images: other runs (and the user's own builds) share the engine. A failed build's
        // intermediate images carry no label (MlEnv's LABEL step is the last), so they are left to the user's prune.
        client.Images.PruneImagesAsync(new ImagesPruneParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{RunLabel}={runId}"] = true } },
        }).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        RemoveRunImages();
        client.Dispose();
    }
}
