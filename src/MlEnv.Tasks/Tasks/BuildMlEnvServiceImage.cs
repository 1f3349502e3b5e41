using Microsoft.Build.Framework;
using MlEnv.Definition;
using MlEnv.Diagnostics;
using MlEnv.Engine;
using MlEnv.Generation;
using MlEnv.Images;
using MlEnv.Specs;

namespace MlEnv.Tasks;

/// <summary>The environment image, score.py and model items in; the scoring service image out.</summary>
public sealed class BuildMlEnvServiceImage : EngineTask
{
    [Required] public ITaskItem EnvironmentImage { get; set; } = null!;
    [Required] public string ScoringScript { get; set; } = "";
    [Required] public string ServerScript { get; set; } = "";
    [Required] public string Repository { get; set; } = "";
    public ITaskItem[] Models { get; set; } = [];
    public int Port { get; set; } = 5001;
    /// <summary>MlEnvScoringConcurrentRun: "true" for a thread-safe score.py; empty or "false" serialises run().</summary>
    public string? ConcurrentRun { get; set; }

    [Output] public ITaskItem? ServiceImage { get; private set; }

    protected override async System.Threading.Tasks.Task RunAsync(DockerEngine engine, IBuildOutput output, CancellationToken ct)
    {
        var diagnostics = new List<Diagnostic>();
        if (!File.Exists(ScoringScript)) diagnostics.Add(DiagnosticCatalog.InvalidScoringInput.Create(ScoringScript, "the scoring script does not exist"));
        else if (InputFiles.Problem(ScoringScript) is { } notAFile) diagnostics.Add(notAFile);
        if (Port is < 1 or > 65535) diagnostics.Add(DiagnosticCatalog.InvalidScoringInput.Create(Port, "MlEnvServicePort must be between 1 and 65535"));
        // The targets validated it with the other booleans; this guards a task called from elsewhere, by the same rule.
        var concurrent = false;
        if (ConcurrentRun is { Length: > 0 } given && !PropertyValidation.TryParseBool(given, out concurrent))
            diagnostics.Add(PropertyValidation.InvalidBoolean("MlEnvScoringConcurrentRun", given));
        var models = ServiceGenerator.ExpandModels(Models.Select(m => m.GetMetadata("FullPath")), diagnostics);
        foreach (var d in diagnostics) Report(d);
        if (diagnostics.Any(d => d.IsError)) return;

        output.Progress($"Looking for service image {Repository}");
        var (image, failure) = await new EnvironmentPublish(engine).ServiceImageAsync(
            EnvironmentImage.GetMetadata("ImageId"), EnvironmentImage.ItemSpec, EnvironmentImage.GetMetadata("Hash"),
            Repository, Port, ServerScript, Path.GetFullPath(ScoringScript), models, output, ct,
            concurrentRun: concurrent);
        if (failure is not null) { Report(failure); return; }
        ServiceImage = ImageItems.Create(image!, EnvironmentImage.GetMetadata("Hash"), upToDate: image!.Reused, EnvironmentPublish.ServiceKind);
    }
}
