namespace MlEnv.Definition;

/// <summary>
/// The default base images, every one pinned to an exact tag so that the hash moves when a default moves.
/// A project that sets MlEnvBaseImage (or MlEnvGpuBaseImage) uses its own image instead.
/// </summary>
public static class BaseImages
{
    public const string DefaultPythonVersion = "3.12";
    public const string Micromamba = "mambaorg/micromamba:1.5.10-bookworm-slim";
    public const string MicromambaCuda = "mambaorg/micromamba:1.5.10-jammy-cuda-12.4.1";

    /// <summary>python:&lt;version&gt;-slim images by minor version, each pinned to a patch release.</summary>
    public static readonly IReadOnlyDictionary<string, string> PythonSlim = new Dictionary<string, string>
    {
        ["3.9"] = "python:3.9.20-slim-bookworm",
        ["3.10"] = "python:3.10.15-slim-bookworm",
        ["3.11"] = "python:3.11.10-slim-bookworm",
        ["3.12"] = "python:3.12.7-slim-bookworm",
        ["3.13"] = "python:3.13.0-slim-bookworm",
    };

    public enum Kind { PythonVenv, Conda }

    /// <summary>How the environment's python is provided, given what the definition holds.</summary>
    public static Kind ManagerFor(bool usesConda, bool gpu, bool customBase) =>
        usesConda || (gpu && !customBase) ? Kind.Conda : Kind.PythonVenv;

    /// <summary>Picks the default image; returns null with a reason when the python version cannot be provided.</summary>
    public static string? Default(Kind kind, bool gpu, string? pythonVersion, string? registry, out string? error)
    {
        error = null;
        string image;
        if (kind == Kind.Conda)
        {
            image = gpu ? MicromambaCuda : Micromamba;
        }
        else
        {
            var minor = MinorOf(pythonVersion ?? DefaultPythonVersion);
            if (!PythonSlim.TryGetValue(minor, out var slim))
            {
                error = $"the default images cover Python {string.Join(", ", PythonSlim.Keys)}; set MlEnvBaseImage to an image that has it";
                return null;
            }
            image = pythonVersion is not null && pythonVersion.Count(c => c == '.') == 2
                ? $"python:{pythonVersion}-slim-bookworm"
                : slim;
        }
        return string.IsNullOrEmpty(registry) ? image : $"{registry.TrimEnd('/')}/{image}";
    }

    public static string MinorOf(string version)
    {
        var parts = version.Split('.');
        return parts.Length >= 2 ? $"{parts[0]}.{parts[1]}" : version;
    }
}
