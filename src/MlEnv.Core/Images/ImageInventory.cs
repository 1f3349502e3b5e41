using MlEnv.Engine;
using MlEnv.Registry;
using MlEnv.Store;

namespace MlEnv.Images;

/// <summary>One of MlEnv's images on the engine: it carries MlEnv's labels (definition hash, name, kind).</summary>
/// <param name="OwnStep">Its last step is MlEnv's own LABEL step: MlEnv built (or pulled) it, rather than a user building FROM it.</param>
public sealed record MlEnvImage(string Id, IReadOnlyList<string> Tags, string Name, string Hash, string Kind, DateTime Created, long Size, bool OwnStep)
{
    public bool IsEnvironment => Kind == DockerEngine.EnvironmentKind;

    /// <summary>
    /// Every tag is one MlEnv gives an environment image: in its repository (mlenv/&lt;name&gt;, on this engine or
    /// under a registry) its hash prefix or a store version (v&lt;N&gt;), or in the shared repository
    /// (mlenv/environments) its whole hash. Any other tag — myapp:latest, prod:&lt;hash prefix&gt;, an image in a
    /// custom MlEnvImageRepository — says someone else uses the image, and it stays.
    /// </summary>
    public bool OnlyMlEnvTags => Tags.All(IsMlEnvTag);

    private bool IsMlEnvTag(string reference)
    {
        var colon = reference.LastIndexOf(':');
        if (colon <= 0 || colon < reference.LastIndexOf('/')) return false;
        var (repository, tag) = (reference[..colon], reference[(colon + 1)..]);
        bool In(string path) => repository == path || repository.EndsWith("/" + path, StringComparison.Ordinal);
        if (In(Registries.SharedRepository)) return tag == Hash;
        return In("mlenv/" + Name) && (tag == EnvironmentImages.HashTag(Hash) || (tag.Length > 1 && tag[0] == 'v' && tag[1..].All(char.IsAsciiDigit)));
    }
}

/// <summary>An image with the store versions whose definition it is (none: nothing registered refers to it).</summary>
public sealed record InventoryEntry(MlEnvImage Image, IReadOnlyList<StoredEnvironment> ReferencedBy)
{
    /// <summary>What prune may remove: an environment image MlEnv made, tagged only by MlEnv, that no store version refers to.</summary>
    public bool Prunable => ReferencedBy.Count == 0 && Image.IsEnvironment && Image.OwnStep && Image.OnlyMlEnvTags;
}

/// <summary>
/// MlEnv's images on an engine, found by label (org.mlenv.definition-hash and org.mlenv.name), and which store version
/// refers to each. An image without MlEnv's labels is never listed, so it can never be pruned; neither can an image a
/// user built FROM an environment image (it inherits the labels, but its last step is not MlEnv's LABEL step), nor a
/// scoring service image (org.mlenv.kind=service).
/// </summary>
public static class ImageInventory
{
    public static async Task<IReadOnlyList<MlEnvImage>> ListAsync(DockerEngine engine, string? name, CancellationToken ct)
    {
        var filter = new List<string> { DockerEngine.HashLabel };
        filter.Add(name is null ? DockerEngine.NameLabel : $"{DockerEngine.NameLabel}={name}");
        var images = new List<MlEnvImage>();
        foreach (var listed in await engine.ListImagesAsync(filter, ct).ConfigureAwait(false))
        {
            var hash = listed.Labels[DockerEngine.HashLabel];
            var kind = listed.Labels.TryGetValue(DockerEngine.ServiceHashLabel, out _) ? "service"
                : listed.Labels.GetValueOrDefault(DockerEngine.KindLabel) ?? DockerEngine.EnvironmentKind;
            var own = DockerEngine.EndsWithOwnLabelStep(await engine.LastStepAsync(listed.Id, ct).ConfigureAwait(false), hash);
            images.Add(new MlEnvImage(listed.Id, listed.Tags.Order(StringComparer.Ordinal).ToList(), listed.Labels[DockerEngine.NameLabel], hash, kind,
                listed.Created.ToUniversalTime(), listed.Size, own));
        }
        return images.OrderBy(i => i.Name, StringComparer.Ordinal).ThenBy(i => i.Created).ToList();
    }

    /// <summary>
    /// Pairs images with the versions that refer to them: a version refers to the environment image of its definition
    /// (the same name and hash), however it is tagged. Versions of other names never keep an image.
    /// </summary>
    public static IReadOnlyList<InventoryEntry> Match(IReadOnlyList<MlEnvImage> images, IReadOnlyList<StoredEnvironment> versions) =>
        images.Select(i => new InventoryEntry(i, i.IsEnvironment
            ? versions.Where(v => v.Hash == i.Hash && v.Name == i.Name).OrderBy(v => v.Version).ToList()
            : [])).ToList();

    /// <summary>The images prune removes: see <see cref="InventoryEntry.Prunable"/>.</summary>
    public static IReadOnlyList<InventoryEntry> PruneCandidates(IReadOnlyList<InventoryEntry> entries) => entries.Where(e => e.Prunable).ToList();

    /// <summary>The environment image of the hash when the engine answers; registering in the local store needs none.</summary>
    public static async Task<ImageResult?> FindEnvironmentAsync(string endpoint, string hash, CancellationToken ct)
    {
        try
        {
            using var engine = new DockerEngine(endpoint);
            if (await engine.FindByHashAsync(hash, ct) is not { } image) return null;
            var tag = image.Tags.FirstOrDefault(t => t.EndsWith(":" + EnvironmentImages.HashTag(hash), StringComparison.Ordinal)) ?? image.Tags.FirstOrDefault();
            if (tag is null) return null;
            var colon = tag.LastIndexOf(':');
            return new ImageResult(image.Id, tag[..colon], tag[(colon + 1)..], Reused: true, image.Layers);
        }
        catch (Exception e) when (e is EngineUnavailableException or EngineEndpointException or Docker.DotNet.DockerApiException)
        {
            return null;
        }
    }
}
