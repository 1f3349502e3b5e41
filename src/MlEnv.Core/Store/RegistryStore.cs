using System.Text.RegularExpressions;
using MlEnv.Definition;
using MlEnv.Diagnostics;
using MlEnv.Engine;
using MlEnv.Images;
using MlEnv.Registry;

namespace MlEnv.Store;

/// <summary>
/// The store a team shares through its registry (MlEnvRegistry): version N of an environment is the tag
/// <c>&lt;repository&gt;:v&lt;N&gt;</c>, beside the definition-hash tag, and the image's labels carry the name, the hash
/// and the canonical definition. Listing and getting read tags and image configs back; nothing else is kept anywhere.
/// Wheel bytes are not in the registry: definitions read from it find their wheels in the local store, where every
/// registration from this machine keeps them.
/// </summary>
public sealed partial class RegistryStore(RegistryClient client, EnvironmentStore local) : IEnvironmentCatalog
{
    private const int Attempts = 5;

    [GeneratedRegex(@"^v([1-9][0-9]{0,8})\z")] private static partial Regex VersionTagPattern();

    private IReadOnlyList<StoredEnvironment>? all;
    private readonly Dictionary<string, IReadOnlyList<StoredEnvironment>> byRepository = new(StringComparer.Ordinal);

    public string Location => "registry " + client.Registry;

    public static string VersionTag(int version) => "v" + version;

    /// <summary>The versions in one repository, oldest first; tags whose image lacks MlEnv's labels are not versions.</summary>
    public async Task<IReadOnlyList<StoredEnvironment>> RepositoryVersionsAsync(string repository, CancellationToken ct)
    {
        if (byRepository.TryGetValue(repository, out var known)) return known;
        var versions = new List<StoredEnvironment>();
        foreach (var tag in await client.TagsAsync(repository, ct).ConfigureAwait(false))
        {
            if (VersionTagPattern().Match(tag) is not { Success: true } m) continue;
            if (await client.ImageAsync(repository, tag, ct).ConfigureAwait(false) is not { } image) continue;
            if (!image.Labels.TryGetValue(DockerEngine.HashLabel, out var hash) || !image.Labels.TryGetValue(DockerEngine.NameLabel, out var name)
                || !image.Labels.TryGetValue(DockerEngine.DefinitionLabel, out var definition))
                continue;
            var remote = $"{client.Registry}/{repository}";
            versions.Add(new StoredEnvironment(name, int.Parse(m.Groups[1].Value), hash, definition,
                [$"{remote}:{tag}", $"{remote}:{EnvironmentImages.HashTag(hash)}"], image.Created, null,
                image.Labels.GetValueOrDefault(DockerEngine.SdkVersionLabel)));
        }
        versions.Sort((a, b) => a.Version.CompareTo(b.Version));
        return byRepository[repository] = versions;
    }

    /// <summary>Every version of every environment in the registry (through its catalog).</summary>
    public async Task<IReadOnlyList<StoredEnvironment>> AllAsync(CancellationToken ct)
    {
        if (all is not null) return all;
        var entries = new List<StoredEnvironment>();
        foreach (var repository in await client.RepositoriesAsync(ct).ConfigureAwait(false))
            entries.AddRange(await RepositoryVersionsAsync(repository, ct).ConfigureAwait(false));
        return all = entries.OrderBy(e => e.Name, StringComparer.Ordinal).ThenBy(e => e.Version).ToList();
    }

    /// <summary>
    /// Registers an image built from the definition with this hash: unchanged from the newest version keeps that
    /// version; otherwise it is pushed as v(N+1) beside its hash tag. Two machines can race for the same N; the one
    /// that reads back another hash under its tag moves on to the next number.
    /// </summary>
    public async Task<(StoredEnvironment? Entry, bool Created, Diagnostic? Failure)> RegisterAsync(
        EnvironmentPublish publish, string repository, string hash, string imageId, IBuildOutput output, CancellationToken ct)
    {
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            byRepository.Remove(repository);
            var latest = (await RepositoryVersionsAsync(repository, ct).ConfigureAwait(false)).LastOrDefault();
            if (latest is not null && latest.Hash == hash) return (latest, false, null);
            var version = (latest?.Version ?? 0) + 1;
            var (_, failure) = await publish.PushAsync(imageId, client.Registry, repository, [EnvironmentImages.HashTag(hash), VersionTag(version)], output, ct).ConfigureAwait(false);
            if (failure is not null) return (null, false, failure);
            byRepository.Remove(repository);
            var mine = (await RepositoryVersionsAsync(repository, ct).ConfigureAwait(false)).FirstOrDefault(v => v.Version == version);
            if (mine is not null && mine.Hash == hash) return (mine, true, null);
            output.Info($"Version {version} of {repository} was registered by someone else at the same time; trying the next number.");
        }
        return (null, false, DiagnosticCatalog.PushFailed.Create($"{client.Registry}/{repository}", $"no free version number after {Attempts} attempts"));
    }

    public IReadOnlyList<string> Names() =>
        AllAsync(CancellationToken.None).GetAwaiter().GetResult().Select(e => e.Name).Distinct().ToList();

    /// <summary>The conventional repository (mlenv/&lt;name&gt;) answers first; otherwise the catalog is searched by label.</summary>
    public IReadOnlyList<StoredEnvironment> Versions(string name)
    {
        // Only a valid environment name becomes part of a registry URL.
        if (!DefinitionBuilder.IsValidEnvironmentName(name)) return [];
        var conventional = RepositoryVersionsAsync("mlenv/" + name, CancellationToken.None).GetAwaiter().GetResult().Where(e => e.Name == name).ToList();
        if (conventional.Count > 0) return conventional;
        return AllAsync(CancellationToken.None).GetAwaiter().GetResult().Where(e => e.Name == name).ToList();
    }

    public EnvironmentDefinition Definition(StoredEnvironment entry) =>
        CanonicalReader.Read(entry.Definition, entry.Name, local.WheelPath);
}
