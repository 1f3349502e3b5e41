using System.Globalization;
using System.Text.Json.Nodes;

namespace MlEnv.Store;

/// <summary>A store's versions as text: a plain table for logs, and the JSON scripts read (MlEnvList, `dotnet mlenv list --json`).</summary>
public static class StoreListing
{
    public static string Timestamp(DateTime at) => at.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public static JsonObject ToJson(StoredEnvironment e) => new()
    {
        ["name"] = e.Name,
        ["version"] = e.Version,
        ["hash"] = e.Hash,
        ["images"] = new JsonArray(e.Images.Select(i => (JsonNode)i).ToArray()),
        ["createdAt"] = Timestamp(e.CreatedAt),
    };

    public static string Json(IEnumerable<StoredEnvironment> entries) =>
        new JsonArray(entries.Select(e => (JsonNode)ToJson(e)).ToArray()).ToJsonString(JsonFormats.Indented);

    public static string Table(IReadOnlyList<StoredEnvironment> entries, string location)
    {
        var rows = entries.Select(e => new[] { e.Name, $"v{e.Version}", e.Hash[..12], e.Images.LastOrDefault() ?? "-", e.CreatedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) }).ToList();
        rows.Insert(0, ["NAME", "VERSION", "HASH", "IMAGE", "CREATED (UTC)"]);
        var widths = Enumerable.Range(0, 5).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var text = string.Join("\n", rows.Select(r => string.Join("  ", r.Select((c, i) => c.PadRight(widths[i]))).TrimEnd()));
        return entries.Count == 0 ? text + $"\n(no environments registered in {location})" : text;
    }

    /// <summary>One line: how many versions of how many environments, and the newest few.</summary>
    public static string Summary(IReadOnlyList<StoredEnvironment> entries, string location) =>
        entries.Count == 0 ? $"no environments registered in {location}"
            : $"{entries.Count} version(s) of {entries.Select(e => e.Name).Distinct().Count()} environment(s) in {location}: {string.Join(", ", entries.TakeLast(5).Select(e => $"{e.Name} v{e.Version}"))}";
}
