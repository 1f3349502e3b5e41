using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using K = MlEnv.Definition.CanonicalKeys;

namespace MlEnv.Definition;

/// <summary>
/// The canonical form of a definition: compact JSON, keys sorted ordinally, lists in canonical order, no name and no
/// paths. Its SHA-256 is the definition hash. Changing anything here changes hashes: bump the format version.
/// </summary>
public static class CanonicalJson
{
    public static JsonObject ToJson(EnvironmentDefinition d)
    {
        var root = new SortedJson
        {
            [K.FormatVersion] = d.FormatVersion,
            [K.Python] = d.PythonVersion,
            [K.Base] = d.Base.Image is not null
                ? new SortedJson { [K.Image] = d.Base.Image }
                : new SortedJson { [K.DockerfileSha256] = d.Base.DockerfileSha256 },
            [K.UserManagedDependencies] = d.UserManagedDependencies,
            [K.Manager] = d.Manager.ToString().ToLowerInvariant(),
            [K.Gpu] = d.Gpu,
            [K.Apt] = Array(d.AptPackages.Select(a => new SortedJson { [K.Name] = a.Name, [K.Version] = a.Version })),
            [K.Conda] = new SortedJson
            {
                [K.Channels] = Array(d.CondaChannels.Select(c => (JsonNode?)c)),
                [K.Packages] = Array(d.CondaPackages.Select(p => new SortedJson { [K.Name] = p.Name, [K.Spec] = p.Spec })),
                [K.Executable] = d.UsesConda ? d.CondaExecutable : null,
            },
            [K.Pip] = new SortedJson
            {
                [K.IndexUrl] = d.PipIndex.IndexUrl,
                [K.ExtraIndexUrls] = Array(d.PipIndex.ExtraIndexUrls.Select(u => (JsonNode?)u)),
                [K.FindLinks] = Array(d.PipIndex.FindLinks.Select(u => (JsonNode?)u)),
                [K.Pre] = d.PipIndex.Pre,
                [K.Packages] = Array(d.PipPackages.Select(p => new SortedJson
                {
                    [K.Name] = p.Name,
                    [K.Requirement] = p.Requirement,
                    [K.Hashes] = p.Hashes.Count == 0 ? null : Array(p.Hashes.Select(h => (JsonNode?)h)),
                })),
                [K.Constraints] = Array(d.PipConstraints.Select(c => (JsonNode?)c)),
            },
            [K.Wheels] = Array(d.Wheels.Select(w => new SortedJson { [K.FileName] = w.FileName, [K.Sha256] = w.Sha256, [K.Size] = w.Size })),
            [K.Variables] = Map(d.Variables),
            [K.Labels] = Map(d.Labels),
            // Absent (not null) without a parent, so that definitions without one keep their hashes.
            [K.Parent] = d.Parent is { } parent ? new SortedJson { [K.Name] = parent.Name, [K.Hash] = parent.Hash, [K.Image] = parent.Image } : null,
        };
        return root.ToNode();
    }

    // Relaxed escaping keeps specifiers readable (">=1.0", not "\u003E=1.0"); the text is never embedded in HTML.
    private static JsonSerializerOptions Options => JsonFormats.Canonical;

    public static string Serialize(EnvironmentDefinition d) => ToJson(d).ToJsonString(Options);

    public static string Hash(EnvironmentDefinition d) => HashOf(Serialize(d));

    public static string HashOf(string canonical) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));

    private static JsonArray Array(IEnumerable<SortedJson> items) => new(items.Select(i => (JsonNode?)i.ToNode()).ToArray());
    private static JsonArray Array(IEnumerable<JsonNode?> items) => new(items.ToArray());

    private static SortedJson Map(IReadOnlyDictionary<string, string> map)
    {
        var o = new SortedJson();
        foreach (var (k, v) in map) o[k] = v;
        return o;
    }

    /// <summary>An object whose keys come out sorted and whose null values are left out.</summary>
    private sealed class SortedJson : SortedDictionary<string, object?>
    {
        public SortedJson() : base(StringComparer.Ordinal) { }

        public JsonObject ToNode()
        {
            var o = new JsonObject();
            foreach (var (k, v) in this)
            {
                var node = v switch
                {
                    null => null,
                    SortedJson s => s.ToNode(),
                    JsonNode n => n,
                    string s => JsonValue.Create(s),
                    bool b => JsonValue.Create(b),
                    int i => JsonValue.Create(i),
                    long l => JsonValue.Create(l),
                    _ => throw new InvalidOperationException($"Unexpected value type {v.GetType()}"),
                };
                if (node is not null) o[k] = node;
            }
            return o;
        }
    }
}
