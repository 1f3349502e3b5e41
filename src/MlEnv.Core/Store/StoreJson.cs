using System.Text.Json.Nodes;

namespace MlEnv.Store;

/// <summary>A store version as JSON for scripts: one shape for `-t:MlEnvList -p:MlEnvOutputFormat=json` and `dotnet mlenv list --json`.</summary>
public static class StoreJson
{
    public static JsonObject ToJson(StoredEnvironment e, bool withDefinition = false)
    {
        var json = new JsonObject
        {
            ["name"] = e.Name,
            ["version"] = e.Version,
            ["hash"] = e.Hash,
            ["images"] = new JsonArray(e.Images.Select(i => (JsonNode)i).ToArray()),
            ["createdAt"] = e.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        };
        if (withDefinition)
        {
            json["sdkVersion"] = e.SdkVersion;
            json["definition"] = JsonNode.Parse(e.Definition);
        }
        return json;
    }
}
