using System.Text.Json.Nodes;
using Microsoft.Build.Framework;

namespace MlEnv.Tasks;

/// <summary>-t:MlEnvShow: one registered definition.</summary>
public sealed class ShowMlEnvEnvironment : StoreTask
{
    [Required] public string Name { get; set; } = "";
    public string? Version { get; set; }

    /// <summary>The version shown, with its canonical definition as the Definition metadata.</summary>
    [Output] public ITaskItem? Environment { get; private set; }

    protected override bool Run()
    {
        var store = OpenCatalog();
        if (Find(store, Name, Version) is not { } entry) return false;
        Environment = ToItem(entry, store.Location);
        Environment.SetMetadata("Definition", entry.Definition);
        Log.LogMessage(MessageImportance.High, $"{entry.Name} v{entry.Version}  hash {entry.Hash}  created {entry.CreatedAt:yyyy-MM-dd HH:mm} UTC");
        foreach (var image in entry.Images) Log.LogMessage(MessageImportance.High, $"image {image}");
        var pretty = JsonNode.Parse(entry.Definition)!.ToJsonString(JsonFormats.IndentedVerbatim);
        foreach (var line in pretty.Split('\n')) Log.LogMessage(MessageImportance.High, line);
        LogResultLine($"{entry.Name} v{entry.Version} {entry.Hash[..12]} {entry.Images.LastOrDefault() ?? "(no image)"}");
        return true;
    }
}
