using System.Text.RegularExpressions;

namespace MlEnv.Definition;

/// <summary>Decides whether a definition needs a CUDA base: packages that only make sense with CUDA imply it.</summary>
public static partial class GpuDetection
{
    [GeneratedRegex(@"^(cudatoolkit|cudnn|nccl|pytorch-cuda|cuda-.+|libcublas.*|tensorflow-gpu)\z")]
    private static partial Regex CondaCudaName();

    [GeneratedRegex(@"^(nvidia-.+-cu[0-9]+|cupy-cuda.+|tensorflow-gpu|jax-cuda[0-9]+-.+)\z")]
    private static partial Regex PipCudaName();

    [GeneratedRegex(@"\+cu\d+")]
    private static partial Regex CudaLocalVersion();

    /// <summary>The packages that imply a GPU, for the explanation in logs; empty when none does.</summary>
    public static IReadOnlyList<string> Reasons(EnvironmentDefinition d)
    {
        var reasons = new List<string>();
        foreach (var p in d.CondaPackages)
            if (CondaCudaName().IsMatch(p.Name) || p.Spec.Split(' ').Skip(2).Any(b => b.Contains("cuda", StringComparison.OrdinalIgnoreCase)))
                reasons.Add($"conda {p.Spec}");
        foreach (var p in d.PipPackages)
        {
            var extras = p.Requirement.IndexOf('[') is var i and >= 0 ? p.Requirement[i..(p.Requirement.IndexOf(']') + 1)] : "";
            if (PipCudaName().IsMatch(p.Name) || CudaLocalVersion().IsMatch(p.Requirement.Split(';')[0])
                || (p.Name is "tensorflow" && extras.Contains("and-cuda", StringComparison.Ordinal))
                || (p.Name is "jax" && extras.Contains("cuda", StringComparison.Ordinal)))
                reasons.Add($"pip {p.Requirement}");
        }
        foreach (var w in d.Wheels)
            if (CudaLocalVersion().IsMatch(w.FileName)) reasons.Add($"wheel {w.FileName}");
        return reasons;
    }
}
