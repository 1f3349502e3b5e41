using System.Security.Cryptography;
using MlEnv.Diagnostics;
using MlEnv.Specs;

namespace MlEnv.Definition;

/// <summary>
/// The base section: a base image, a GPU base image or a base Dockerfile (never an image and a Dockerfile both), a
/// referenced project's environment to build FROM, GPU, and the choice of base and environment manager.
/// </summary>
public static partial class DefinitionBuilder
{
    /// <summary>What the project asks for as its base, each value checked.</summary>
    private sealed record BaseChoice(string? Image, string? GpuImage, string? Dockerfile, string? DockerfileSha256);

    private static BaseChoice BaseInputs(Context c)
    {
        var inputs = c.Inputs;
        var image = string.IsNullOrWhiteSpace(inputs.BaseImage) ? null : inputs.BaseImage.Trim();
        var gpuImage = string.IsNullOrWhiteSpace(inputs.GpuBaseImage) ? null : inputs.GpuBaseImage.Trim();
        foreach (var reference in new[] { image, gpuImage, inputs.BaseImageRegistry?.Trim() is { Length: > 0 } r ? r + "/x" : null })
            if (reference is not null) CheckImage(reference, d => c.Report(d));
        var (dockerfile, sha) = ReadBaseDockerfile(c, inputs.BaseDockerfile, image);
        return new BaseChoice(image, gpuImage, dockerfile, sha);
    }

    /// <summary>The base Dockerfile's text and the SHA-256 of its bytes, when it is a readable, acceptable file.</summary>
    private static (string? Text, string? Sha256) ReadBaseDockerfile(Context c, string? path, string? customImage)
    {
        if (string.IsNullOrWhiteSpace(path)) return (null, null);
        if (customImage is not null) c.Report(DiagnosticCatalog.ConflictingBase.Create(customImage, path));
        if (InputFiles.Problem(path) is { } notAFile) { c.Report(notAFile); return (null, null); }
        c.ReadFiles.Add(Path.GetFullPath(path));
        if (InputFiles.ReadBytesCapped(path, MaxBaseDockerfileBytes) is not { } bytes)
        {
            c.Report(DiagnosticCatalog.InputLimitExceeded.Create(path, $"a base Dockerfile may have at most {MaxBaseDockerfileBytes} bytes"));
            return (null, null);
        }
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        var problems = 0;
        void Count(Diagnostic d, SourceLocation at) { problems++; c.Report(d, at); }
        BaseDockerfileRules.Check(text, path, Count);
        return problems > 0 ? (null, null) : (text, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    /// <summary>What this project may add to a referenced project's environment; the python version it inherits.</summary>
    private static string? CheckParent(Context c, ParentInput parent, string? python, bool addsConda, bool addsPip)
    {
        var from = parent.Definition;
        // The referenced project's repository becomes this Dockerfile's FROM line: it is a value like any other.
        CheckImage(parent.Environment.Image, d => c.Report(d));
        // Its python version and conda executable are written into this Dockerfile too; they come from a file.
        if (from.PythonVersion is { } parentPython && !PythonVersionRegex().IsMatch(parentPython)) c.Report(DiagnosticCatalog.InvalidPythonVersion.Create(Shorten(TextRules.Visible(parentPython))));
        CheckExecutable(c, from.CondaExecutable);
        void Conflict(string why) => c.Report(DiagnosticCatalog.ParentConflict.Create(parent.Environment.Name, why));
        if (python is not null && from.PythonVersion is { } inherited && !(inherited + ".").StartsWith(python + ".", StringComparison.Ordinal) && !(python + ".").StartsWith(inherited + ".", StringComparison.Ordinal))
            Conflict($"it has Python {inherited} and this project asks for Python {python}");
        if (addsConda && from.Manager != EnvironmentManager.Conda)
            Conflict("it is not a conda environment, so this project cannot add conda packages to it");
        if (from.Manager == EnvironmentManager.UserManaged && addsPip)
            Conflict("its dependencies are user-managed, so this project cannot add pip packages or wheels to it");
        return from.PythonVersion ?? python;
    }

    /// <summary>An explicit setting wins; "auto" follows the packages. Null for a setting that is none of these.</summary>
    private static bool? Gpu(Context c, EnvironmentDefinition draft)
    {
        switch (string.IsNullOrWhiteSpace(c.Inputs.Gpu) ? "auto" : c.Inputs.Gpu.Trim().ToLowerInvariant())
        {
            case "auto": return GpuDetection.Reasons(draft).Count > 0;
            case "true": return true;
            case "false": return false;
            default: c.Report(DiagnosticCatalog.InvalidGpu.Create(c.Inputs.Gpu)); return null;
        }
    }

    /// <summary>Built FROM a referenced project's environment image, whose manager, executable and GPU it takes.</summary>
    private static EnvironmentDefinition? OnParent(Context c, ParentInput parent, EnvironmentDefinition draft, bool gpu, BaseChoice bases)
    {
        // A base equal to the parent's own (a Directory.Build.props shared by both projects) says nothing new;
        // the base this project would pick for itself is compared, as OnBase picks it.
        var own = bases.Dockerfile is not null ? "the base Dockerfile " + c.Inputs.BaseDockerfile
            : (gpu || parent.Definition.Gpu) && bases.GpuImage is not null ? bases.GpuImage : bases.Image;
        var same = bases.Dockerfile is not null ? bases.DockerfileSha256 == parent.Definition.Base.DockerfileSha256 : own == parent.Definition.Base.Image;
        if (own is not null && !same)
        {
            c.Report(DiagnosticCatalog.ParentConflict.Create(parent.Environment.Name,
                $"this project also sets a base ({own}) other than the one that environment is built on ({parent.Definition.Base.Image ?? "a base Dockerfile"}); remove MlEnvBaseImage, MlEnvGpuBaseImage or MlEnvBaseDockerfile"));
            return null;
        }
        return draft with
        {
            Base = BaseSpec.FromImage(parent.Environment.Image),
            Gpu = gpu || parent.Definition.Gpu,
            Manager = parent.Definition.Manager,
            CondaExecutable = parent.Definition.CondaExecutable,
            UserManagedDependencies = parent.Definition.UserManagedDependencies,
            Parent = parent.Environment,
        };
    }

    /// <summary>The project's own base: its Dockerfile, its (GPU) image, or the pinned default for the manager it needs.</summary>
    private static EnvironmentDefinition? OnBase(Context c, EnvironmentDefinition draft, bool gpu, BaseChoice bases)
    {
        var usesConda = draft.CondaPackages.Count > 0 || draft.CondaChannels.Count > 0;
        var manager = draft.UserManagedDependencies ? EnvironmentManager.UserManaged
            : BaseImages.ManagerFor(usesConda, gpu, bases.Image is not null || bases.Dockerfile is not null || (gpu && bases.GpuImage is not null)) == BaseImages.Kind.Conda
                ? EnvironmentManager.Conda : EnvironmentManager.Venv;

        BaseSpec baseSpec;
        if (bases.Dockerfile is not null) baseSpec = new BaseSpec(null, bases.Dockerfile, bases.DockerfileSha256);
        else if (gpu && bases.GpuImage is not null) baseSpec = BaseSpec.FromImage(bases.GpuImage);
        else if (bases.Image is not null) baseSpec = BaseSpec.FromImage(bases.Image);
        else
        {
            var kind = manager == EnvironmentManager.Conda ? BaseImages.Kind.Conda : BaseImages.Kind.PythonVenv;
            var image = BaseImages.Default(kind, gpu, draft.PythonVersion, c.Inputs.BaseImageRegistry?.Trim(), out var error);
            if (image is null)
            {
                c.Report(DiagnosticCatalog.PythonVersionUnavailable.Create(draft.PythonVersion, "python:<version>-slim", error));
                return null;
            }
            // A registry prefix that is valid alone can still make the whole reference too long for Docker.
            var problems = c.Diagnostics.Count;
            CheckImage(image, d => c.Report(d));
            if (c.Diagnostics.Count > problems) return null;
            baseSpec = BaseSpec.FromImage(image);
        }
        return draft with { Base = baseSpec, Gpu = gpu, Manager = manager };
    }
}
