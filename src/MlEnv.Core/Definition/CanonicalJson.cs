using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Encodings.Web;
using System.Text.Json.Nodes;

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
            ["formatVersion"] = d.FormatVersion,
            ["python"] = d.PythonVersion,
            ["base"] = d.Base.Image is not null
                ? new SortedJson { ["image"] = d.Base.Image }
                : new SortedJson { ["dockerfileSha256"] = d.Base.DockerfileSha256 },
            ["userManagedDependencies"] = d.UserManagedDependencies,
            ["manager"] = d.Manager.ToString().ToLowerInvariant(),
            ["gpu"] = d.Gpu,
            ["apt"] = Array(d.AptPackages.Select(a => new SortedJson { ["name"] = a.Name, ["version"] = a.Version })),
            ["conda"] = new SortedJson
            {
                ["channels"] = Array(d.CondaChannels.Select(c => (JsonNode?)c)),
                ["packages"] = Array(d.CondaPackages.Select(p => new SortedJson { ["name"] = p.Name, ["spec"] = p.Spec })),
                ["executable"] = d.UsesConda ? d.CondaExecutable : null,
            },
            ["pip"] = new SortedJson
            {
                ["indexUrl"] = d.PipIndex.IndexUrl,
                ["extraIndexUrls"] = Array(d.PipIndex.ExtraIndexUrls.Select(u => (JsonNode?)u)),
                ["findLinks"] = Array(d.PipIndex.FindLinks.Select(u => (JsonNode?)u)),
                ["pre"] = d.PipIndex.Pre,
                ["packages"] = Array(d.PipPackages.Select(p => new SortedJson
                {
                    ["name"] = p.Name,
                    ["requirement"] = p.Requirement,
                    ["hashes"] = p.Hashes.Count == 0 ? null : Array(p.Hashes.Select(h => (JsonNode?)h)),
                })),
                ["constraints"] = Array(d.PipConstraints.Select(c => (JsonNode?)c)),
            },
            ["wheels"] = Array(d.Wheels.Select(w => new SortedJson { ["fileName"] = w.FileName, ["sha256"] = w.Sha256, ["size"] = w.Size })),
            ["variables"] = Map(d.Variables),
            ["labels"] = Map(d.Labels),
            // Absent (not null) without a parent, so that definitions without one keep their hashes.
            ["parent"] = d.Parent is { } parent ? new SortedJson { ["name"] = parent.Name, ["hash"] = parent.Hash, ["image"] = parent.Image } : null,
        };
        return root.ToNode();
    }

    // Relaxed escaping keeps specifiers readable (">=1.0", not "\u003E=1.0"); the text is never embedded in HTML.
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

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
