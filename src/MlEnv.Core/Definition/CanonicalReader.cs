using System.Text.Json.Nodes;
using K = MlEnv.Definition.CanonicalKeys;

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
        var pip = root[K.Pip]!;
        var conda = root[K.Conda]!;
        var image = S(root[K.Base]?[K.Image]);
        return new EnvironmentDefinition
        {
            Name = name,
            FormatVersion = root[K.FormatVersion]!.GetValue<int>(),
            PythonVersion = S(root[K.Python]),
            Base = image is not null ? BaseSpec.FromImage(image) : new BaseSpec(null, baseDockerfile, S(root[K.Base]?[K.DockerfileSha256])),
            Manager = Enum.Parse<EnvironmentManager>(S(root[K.Manager])!, ignoreCase: true),
            UserManagedDependencies = root[K.UserManagedDependencies]!.GetValue<bool>(),
            Gpu = root[K.Gpu]!.GetValue<bool>(),
            AptPackages = (root[K.Apt] as JsonArray)!.Select(a => new AptPackage(S(a![K.Name])!, S(a[K.Version]))).ToList(),
            CondaChannels = Strings(conda[K.Channels]),
            CondaPackages = (conda[K.Packages] as JsonArray)!.Select(p => new CondaPackage(S(p![K.Name])!, S(p[K.Spec])!)).ToList(),
            CondaExecutable = S(conda[K.Executable]) ?? "micromamba",
            PipIndex = new PipIndex(S(pip[K.IndexUrl]), Strings(pip[K.ExtraIndexUrls]), Strings(pip[K.FindLinks]), pip[K.Pre]!.GetValue<bool>()),
            PipPackages = (pip[K.Packages] as JsonArray)!.Select(p => new PipPackage(S(p![K.Name])!, S(p[K.Requirement])!, Strings(p[K.Hashes]))).ToList(),
            PipConstraints = Strings(pip[K.Constraints]),
            Wheels = (root[K.Wheels] as JsonArray)!.Select(w =>
            {
                var file = S(w![K.FileName])!;
                var sha = S(w[K.Sha256])!;
                return new WheelFile(file, sha, w[K.Size]!.GetValue<long>(), wheelPath(file, sha));
            }).ToList(),
            Variables = Map(root[K.Variables]),
            Labels = Map(root[K.Labels]),
            Parent = root[K.Parent] is JsonObject parent ? new ParentEnvironment(S(parent[K.Name])!, S(parent[K.Hash])!, S(parent[K.Image])!) : null,
        };
    }
}
