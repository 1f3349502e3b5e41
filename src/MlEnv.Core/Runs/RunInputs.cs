using MlEnv.Definition;
using MlEnv.Diagnostics;

namespace MlEnv.Runs;

/// <summary>A volume as declared: the host folder, and the item text a diagnostic shows.</summary>
public sealed record VolumeInput(string Declared, string HostPath, string ContainerPath, bool ReadOnly);

/// <summary>A run's inputs, checked before any container exists: the script, the shm size, the arguments, the volumes.</summary>
public static class RunInputs
{
    public sealed record Checked(string Script, long ShmSize, IReadOnlyList<string> Arguments, IReadOnlyList<VolumeMount> Volumes);

    public static Checked? Check(string projectDirectory, string script, string? shmSize, string? arguments, IEnumerable<VolumeInput> volumes, out Diagnostic? problem)
    {
        problem = null;
        script = script.Trim();
        if (Path.IsPathRooted(script) || script.Split('/', '\\').Contains("..") || !File.Exists(Path.Combine(projectDirectory, script)))
            problem = DiagnosticCatalog.InvalidRunInput.Create(script, "MlEnvRunScript must be a file inside the project directory");
        else if (PropertyValidation.ParseSize(shmSize) is not { } shm)
            problem = DiagnosticCatalog.InvalidRunInput.Create(PropertyValidation.Visible(shmSize ?? ""), PropertyValidation.ShmSizeHint);
        else if (arguments is { Length: > 0 } && PropertyValidation.ArgumentsProblem(arguments) is { } argumentsProblem)
            problem = DiagnosticCatalog.InvalidRunInput.Create(PropertyValidation.Visible(arguments), argumentsProblem);
        else
        {
            var mounts = new List<VolumeMount>();
            foreach (var v in volumes)
            {
                if (!v.ContainerPath.StartsWith('/') || v.ContainerPath.Contains(':'))
                {
                    problem = DiagnosticCatalog.InvalidRunInput.Create(v.Declared, "MlEnvVolume needs ContainerPath metadata, an absolute path in the container");
                    return null;
                }
                mounts.Add(new VolumeMount(v.HostPath, v.ContainerPath, v.ReadOnly));
            }
            return new Checked(script, shm, TrainingRun.SplitArguments(arguments), mounts);
        }
        return null;
    }
}
