using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using MlEnv.Engine;
using MlEnv.Images;

namespace MlEnv.Tasks;

/// <summary>An image as the MlEnvImage / MlEnvServiceImage item the targets pass between tasks and return to callers.</summary>
internal static class ImageItems
{
    /// <param name="kind">"environment", or what the image is built on one for; a push of an environment also goes to
    /// the registry's shared repository.</param>
    public static ITaskItem Create(ImageResult image, string hash, bool upToDate, string kind = DockerEngine.EnvironmentKind)
    {
        var item = new TaskItem(image.Reference);
        item.SetMetadata("Hash", hash);
        item.SetMetadata("ImageId", image.ImageId);
        item.SetMetadata("Repository", image.Repository);
        item.SetMetadata("Tag", image.Tag);
        item.SetMetadata("Reused", image.Reused ? "true" : "false");
        item.SetMetadata("UpToDate", upToDate ? "true" : "false");
        item.SetMetadata("Kind", kind);
        return item;
    }
}
