using System.Text.Json;
using System.Text.Json.Nodes;
using MlEnv.Definition;
using MlEnv.Generation;
using MlEnv.Images;

namespace MlEnv.Store;

/// <summary>One registered version of an environment.</summary>
/// <param name="SdkVersion">The MlEnv version whose labels the image carries; a download writes the same LABEL step.</param>
public sealed record StoredEnvironment(string Name, int Version, string Hash, string Definition, IReadOnlyList<string> Images, DateTime CreatedAt, string? BaseDockerfile, string? SdkVersion = null)
{
    public NuGet.Versioning.NuGetVersion NuGetVersion => new(Version, 0, 0);
}

/// <summary>
/// The versioned environment store: a folder (MlEnvStore; default $MLENV_HOME/store or ~/.mlenv/store) with one
/// file per name and version, and the wheels every version needs, kept by content. Registering the definition of
/// the latest version keeps its number; a changed one becomes version n+1. Writers hold a per-name lock, across
/// processes, so parallel builds leave a consistent store.
/// </summary>
public sealed class EnvironmentStore(string root) : IEnvironmentCatalog
{
    public string Root { get; } = root;
    public string Location => Root;

    public static string DefaultRoot() =>
        Environment.GetEnvironmentVariable("MLENV_HOME") is { Length: > 0 } home
            ? Path.Combine(home, "store")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".mlenv", "store");

    public async Task<(StoredEnvironment Entry, bool Created)> RegisterAsync(
        string name, string hash, string canonical, string? image, IReadOnlyList<ContextFile> wheels, string? baseDockerfile, CancellationToken ct, string? sdkVersion = null)
    {
        Directory.CreateDirectory(Root);
        await using var held = await HashLock.AcquireAsync("store-" + name, Path.Combine(Root, ".locks"), TimeSpan.FromMinutes(5), null, ct).ConfigureAwait(false);
        SaveWheels(canonical, wheels);

        var latest = Versions(name).LastOrDefault();
        if (latest is not null && latest.Hash == hash)
        {
            if (image is null || latest.Images.Contains(image)) return (latest, false);
            var updated = latest with { Images = latest.Images.Append(image).ToList() };
            Write(updated);
            return (updated, false);
        }
        var entry = new StoredEnvironment(name, (latest?.Version ?? 0) + 1, hash, canonical, image is null ? [] : [image], DateTime.UtcNow, baseDockerfile, sdkVersion);
        Write(entry);
        return (entry, true);
    }

    /// <summary>Keeps the wheels a definition names, under the SHA-256 the definition (and so the hash) names them by.</summary>
    public void SaveWheels(string canonical, IReadOnlyList<ContextFile> wheels)
    {
        var shas = (JsonNode.Parse(canonical)?["wheels"] as JsonArray ?? [])
            .ToDictionary(w => w!["fileName"]!.GetValue<string>(), w => w!["sha256"]!.GetValue<string>());
        foreach (var wheel in wheels)
        {
            var fileName = Path.GetFileName(wheel.Path);
            if (!shas.TryGetValue(fileName, out var sha)) continue;
            var target = WheelPath(fileName, sha);
            if (File.Exists(target)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(wheel.SourcePath!, target + ".partial", overwrite: true);
            File.Move(target + ".partial", target, overwrite: true);
        }
    }

    public string WheelPath(string fileName, string sha256) => Path.Combine(Root, "wheels", sha256, fileName);

    public IReadOnlyList<string> Names() =>
        Directory.Exists(Root)
            ? Directory.EnumerateDirectories(Root).Select(Path.GetFileName).Where(n => n is not ("wheels" or ".locks")).OfType<string>().Order(StringComparer.Ordinal).ToList()
            : [];

    public IReadOnlyList<StoredEnvironment> Versions(string name)
    {
        var dir = Path.Combine(Root, name);
        if (!Directory.Exists(dir)) return [];
        return Directory.EnumerateFiles(dir, "v*.json").Select(Read).OfType<StoredEnvironment>().OrderBy(e => e.Version).ToList();
    }

    public EnvironmentDefinition Definition(StoredEnvironment entry) =>
        CanonicalReader.Read(entry.Definition, entry.Name, WheelPath, entry.BaseDockerfile);

    private void Write(StoredEnvironment entry)
    {
        var dir = Path.Combine(Root, entry.Name);
        Directory.CreateDirectory(dir);
        var json = new JsonObject
        {
            ["name"] = entry.Name,
            ["version"] = entry.Version,
            ["hash"] = entry.Hash,
            ["createdAt"] = entry.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["images"] = new JsonArray(entry.Images.Select(i => (JsonNode)i).ToArray()),
            ["baseDockerfile"] = entry.BaseDockerfile,
            ["sdkVersion"] = entry.SdkVersion,
            ["definition"] = JsonNode.Parse(entry.Definition),
        };
        var path = Path.Combine(dir, $"v{entry.Version}.json");
        File.WriteAllText(path + ".partial", json.ToJsonString(JsonFormats.IndentedVerbatim));
        File.Move(path + ".partial", path, overwrite: true);
    }

    private static StoredEnvironment? Read(string path)
    {
        try
        {
            // A damaged record is skipped, not fatal to listing the rest.
            if (JsonNode.Parse(File.ReadAllText(path)) is not JsonObject json
                || json["name"]?.GetValue<string>() is not { } name || json["version"]?.GetValue<int>() is not { } version
                || json["hash"]?.GetValue<string>() is not { } hash || json["definition"] is not JsonObject definition
                || json["createdAt"]?.GetValue<string>() is not { } created)
                return null;
            return new StoredEnvironment(name, version, hash, Canonical(definition),
                (json["images"] as JsonArray)?.Select(i => i!.GetValue<string>()).ToList() ?? [],
                DateTime.Parse(created, null, System.Globalization.DateTimeStyles.AdjustToUniversal),
                json["baseDockerfile"]?.GetValue<string>(), json["sdkVersion"]?.GetValue<string>());
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    // The record stores the definition as a nested object; its canonical text is the compact, ordered form.
    private static string Canonical(JsonNode definition) =>
        definition.ToJsonString(JsonFormats.Canonical);
}
