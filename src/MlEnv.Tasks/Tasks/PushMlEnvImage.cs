using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using MlEnv.Diagnostics;
using MlEnv.Engine;
using MlEnv.Images;
using MlEnv.Registry;

namespace MlEnv.Tasks;

/// <summary>Images in (MlEnvImage / MlEnvServiceImage items); registry/repository:tag pushed, with digests, out.</summary>
public sealed class PushMlEnvImage : EngineTask
{
    [Required] public ITaskItem[] Images { get; set; } = [];
    [Required] public string Registry { get; set; } = "";
    public string[] ExtraTags { get; set; } = [];

    [Output] public ITaskItem[] Pushed { get; private set; } = [];

    protected override async System.Threading.Tasks.Task RunAsync(DockerEngine engine, IBuildOutput output, CancellationToken ct)
    {
        var registry = Registry.Trim().TrimEnd('/');
        if (!Registries.IsValid(registry)) { Report(DiagnosticCatalog.InvalidRegistry.Create(Registries.Display(registry))); return; }
        var badTag = ExtraTags.FirstOrDefault(t => !Registries.IsValidTag(t));
        if (badTag is not null) { Report(DiagnosticCatalog.InvalidImageTag.Create(badTag)); return; }

        var publish = new EnvironmentPublish(engine);
        var pushed = new List<ITaskItem>();
        foreach (var image in Images)
        {
            var tags = new[] { image.GetMetadata("Tag") }.Concat(ExtraTags).ToList();
            // The engine says nothing until a push ends: the live line names the one running.
            output.Progress($"Pushing {registry}/{image.GetMetadata("Repository")}:{string.Join(", ", tags)}");
            var (done, failure) = await publish.PushAsync(image.GetMetadata("ImageId"), registry, image.GetMetadata("Repository"), tags, output, ct);
            // An environment also goes under its whole hash to the shared repository, whatever this project's name:
            // that is where a build of the same definition in any project, on any machine, looks it up.
            if (failure is null && image.GetMetadata("Kind") is "" or DockerEngine.EnvironmentKind && image.GetMetadata("Hash") is { Length: 64 } hash)
            {
                output.Progress($"Pushing {registry}/{Registries.SharedRepository}:{Registries.SharedTag(hash)}");
                var (shared, sharedFailure) = await publish.PushAsync(image.GetMetadata("ImageId"), registry, Registries.SharedRepository, [Registries.SharedTag(hash)], output, ct);
                done = [.. done, .. shared];
                failure = sharedFailure;
            }
            foreach (var p in done)
            {
                var item = new TaskItem(p.Reference);
                item.SetMetadata("Digest", p.Digest);
                item.SetMetadata("Registry", registry);
                item.SetMetadata("Source", image.ItemSpec);
                pushed.Add(item);
            }
            if (failure is not null) { Report(failure); break; }
        }
        Pushed = pushed.ToArray();
    }
}
