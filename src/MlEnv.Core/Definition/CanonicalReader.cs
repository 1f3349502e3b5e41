using System.Text.Json.Nodes;

namespace MlEnv.Definition;

/// <summary>
/// Reads a canonical definition back (from a store record or an image label). Wheel source paths and a base
/// Dockerfile's text are not in the canonical form: the caller supplies where the wheels are and the Dockerfile text.
/// </summary>
public static class CanonicalReader
{
    public static EnvironmentDefinition Read(string canonical, string name, Func<string, string, string> wheelPath, string? baseDockerfile = null)
    {
        var root = JsonNode.Parse(canonical)!.AsObject();
        static string? S(JsonNode? n) => n?.GetValue<string>();
        static IReadOnlyList<string> Strings(JsonNode? n) => (n as JsonArray)?.Select(x => x!.GetValue<string>()).ToList() ?? [];
        static IReadOnlyDictionary<string, string> Map(JsonNode? n) =>
            new SortedDictionary<string, string>((n as JsonObject)?.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()) ?? [], StringComparer.Ordinal);
        var pip = root["pip"]!;
        var conda = root["conda"]!;
        var image = S(root["base"]?["image"]);
        return new EnvironmentDefinition
        {
            Name = name,
            FormatVersion = root["formatVersion"]!.GetValue<int>(),
            PythonVersion = S(root["python"]),
            Base = image is not null ? BaseSpec.FromImage(image) : new BaseSpec(null, baseDockerfile, S(root["base"]?["dockerfileSha256"])),
            Manager = Enum.Parse<EnvironmentManager>(S(root["manager"])!, ignoreCase: true),
            UserManagedDependencies = root["userManagedDependencies"]!.GetValue<bool>(),
            Gpu = root["gpu"]!.GetValue<bool>(),
            AptPackages = (root["apt"] as JsonArray)!.Select(a => new AptPackage(S(a!["name"])!, S(a["version"]))).ToList(),
            CondaChannels = Strings(conda["channels"]),
            CondaPackages = (conda["packages"] as JsonArray)!.Select(p => new CondaPackage(S(p!["name"])!, S(p["spec"])!)).ToList(),
            CondaExecutable = S(conda["executable"]) ?? "micromamba",
            PipIndex = new PipIndex(S(pip["indexUrl"]), Strings(pip["extraIndexUrls"]), Strings(pip["findLinks"]), pip["pre"]!.GetValue<bool>()),
            PipPackages = (pip["packages"] as JsonArray)!.Select(p => new PipPackage(S(p!["name"])!, S(p["requirement"])!, Strings(p["hashes"]))).ToList(),
            PipConstraints = Strings(pip["constraints"]),
            Wheels = (root["wheels"] as JsonArray)!.Select(w =>
            {
                var file = S(w!["fileName"])!;
                var sha = S(w["sha256"])!;
                return new WheelFile(file, sha, w["size"]!.GetValue<long>(), wheelPath(file, sha));
            }).ToList(),
            Variables = Map(root["variables"]),
            Labels = Map(root["labels"]),
            Parent = root["parent"] is JsonObject parent ? new ParentEnvironment(S(parent["name"])!, S(parent["hash"])!, S(parent["image"])!) : null,
        };
    }
}
