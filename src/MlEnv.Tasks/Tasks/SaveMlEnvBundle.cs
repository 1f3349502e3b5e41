using Microsoft.Build.Framework;
using MlEnv.Diagnostics;
using MlEnv.Engine;
using MlEnv.Images;

namespace MlEnv.Tasks;

/// <summary>Images in; a `docker save` tarball out, for air-gapped machines (`docker load`, then MlEnv reuses by hash).</summary>
public sealed class SaveMlEnvBundle : EngineTask
{
    [Required] public ITaskItem[] Images { get; set; } = [];
    [Required] public string OutputFile { get; set; } = "";

    protected override async System.Threading.Tasks.Task RunAsync(DockerEngine engine, IBuildOutput output, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(OutputFile))!);
        var temporary = OutputFile + ".partial";
        try
        {
            output.Progress($"Saving {Images.Length} image(s) to {OutputFile}");
            await engine.SaveAsync(Images.Select(i => i.ItemSpec).ToList(), temporary, ct);
            File.Move(temporary, OutputFile, overwrite: true); // never leave a half-written bundle under the real name
            output.Info($"Wrote offline bundle {OutputFile} ({new FileInfo(OutputFile).Length / 1048576.0:F1} MiB).");
        }
        catch (IOException e)
        {
            Report(DiagnosticCatalog.BundleFailed.Create(OutputFile, e.Message));
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
