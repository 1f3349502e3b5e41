using System.Text.Json.Nodes;
using Microsoft.Build.Framework;

namespace MlEnv.Tasks;

/// <summary>The publish directory's mlenv.json: which environment and service images were shipped, and where.</summary>
public sealed class WriteMlEnvPublishManifest : MlEnvTask
{
    [Required] public string OutputFile { get; set; } = "";
    [Required] public string Name { get; set; } = "";
    [Required] public ITaskItem Image { get; set; } = null!;
    public ITaskItem? ServiceImage { get; set; }
    public ITaskItem[] Pushed { get; set; } = [];
    public string? Registry { get; set; }
    public string? Bundle { get; set; }

    public override bool Execute()
    {
        var manifest = new JsonObject
        {
            ["name"] = Name,
            ["hash"] = Image.GetMetadata("Hash"),
            ["image"] = Image.ItemSpec,
            ["imageId"] = Image.GetMetadata("ImageId"),
            ["serviceImage"] = ServiceImage?.ItemSpec,
            ["serviceImageId"] = ServiceImage?.GetMetadata("ImageId"),
            ["registry"] = string.IsNullOrEmpty(Registry) ? null : Registry,
            ["pushed"] = new JsonArray(Pushed.Select(p => (JsonNode)new JsonObject
            {
                ["reference"] = p.ItemSpec,
                ["digest"] = p.GetMetadata("Digest"),
            }).ToArray()),
            ["bundle"] = string.IsNullOrEmpty(Bundle) ? null : Path.GetFileName(Bundle),
            ["publishedAt"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
        };
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(OutputFile))!);
            File.WriteAllText(OutputFile, manifest.ToJsonString(JsonFormats.Indented));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            // A publish directory that is a file or read-only: a coded error at the project, not a stack trace.
            Log.Log(Diagnostics.DiagnosticCatalog.OutputUnwritable.Create("PublishDir", OutputFile, e.Message), ProjectPath);
            return false;
        }
        return true;
    }
}
