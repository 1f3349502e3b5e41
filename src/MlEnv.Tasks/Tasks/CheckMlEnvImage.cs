using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using MlEnv.Engine;
using MlEnv.Images;

namespace MlEnv.Tasks;

/// <summary>
/// The no-op check: the last image built for this hash is still on the engine under its tag. One probe, no Docker
/// client; when it cannot say yes, BuildMlEnvImage runs and does the real work.
/// </summary>
public sealed class CheckMlEnvImage : Microsoft.Build.Utilities.Task
{
    [Required] public string Hash { get; set; } = "";
    [Required] public string OutputDirectory { get; set; } = "";
    [Required] public string Repository { get; set; } = "";
    public string? DockerHost { get; set; }
    public bool Refresh { get; set; }

    [Output] public bool UpToDate { get; private set; }
    [Output] public ITaskItem? Image { get; private set; }

    public override bool Execute()
    {
        var endpoint = DockerEngine.ResolveEndpoint(DockerHost);
        Log.LogMessage(MessageImportance.Normal, "{0}", EngineEndpoints.ForHost(endpoint).Describe());
        if (Refresh || ImageState.Read(OutputDirectory) is not { } state || state.Hash != Hash || state.ImageId is null) return true;
        var reference = $"{Repository}:{EnvironmentImages.HashTag(Hash)}";
        if (EngineProbe.ImageId(endpoint, reference, TimeSpan.FromSeconds(5)) != state.ImageId) return true;
        UpToDate = true;
        Image = ImageItems.Create(new ImageResult(state.ImageId, Repository, EnvironmentImages.HashTag(Hash), state.Reused, []), Hash, upToDate: true);
        Log.LogMessage(MessageImportance.High, $"MlEnv: environment image {reference} is up to date.");
        return true;
    }
}
