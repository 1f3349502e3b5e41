using System.Text.Json;
using MlEnv.Diagnostics;
using MlEnv.Specs;

namespace MlEnv.Definition;

/// <summary>
/// A definition shipped in the SDK (build/curated/*.json), every package pinned. Its bases are MlEnv's pinned defaults
/// for its python version: python slim on CPU, the micromamba CUDA image on GPU (MlEnvGpu).
/// </summary>
public sealed record CuratedEnvironment(
    string Name, string Description, string? PythonVersion,
    IReadOnlyList<PipPackageItem> PipPackages, IReadOnlyList<AptPackageItem> AptPackages, IReadOnlyList<NamedValueItem> Variables);

/// <summary>
/// Curated environments: MlEnvCurated starts a project's environment from one; the project's own properties and
/// items add to it or override it (by package or variable name).
/// </summary>
public static class CuratedEnvironments
{
    public static IReadOnlyList<string> Names(string directory) =>
        Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal).ToList()
            : [];

    public static CuratedEnvironment? Load(string directory, string name, SourceLocation requestedAt, List<Diagnostic> diagnostics)
    {
        var known = Names(directory);
        if (!known.Contains(name))
        {
            diagnostics.Add(DiagnosticCatalog.UnknownCurated.Create(name, string.Join(", ", known)).At(requestedAt.File, requestedAt.Line, requestedAt.Column));
            return null;
        }
        var path = Path.Combine(directory, name + ".json");
        var at = new SourceLocation(path);
        using var json = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = json.RootElement;
        string? Str(JsonElement e, string key) => e.TryGetProperty(key, out var v) ? v.GetString() : null;
        IEnumerable<JsonElement> Array(string key) => root.TryGetProperty(key, out var v) ? v.EnumerateArray() : [];
        return new CuratedEnvironment(
            name,
            Str(root, "description") ?? "",
            Str(root, "pythonVersion"),
            Array("pipPackages").Select(p => new PipPackageItem(Str(p, "name")!, Str(p, "version"), Str(p, "extras"), Str(p, "markers"), at)).ToList(),
            Array("aptPackages").Select(p => new AptPackageItem(Str(p, "name")!, Str(p, "version"), at)).ToList(),
            root.TryGetProperty("variables", out var vars) ? vars.EnumerateObject().Select(v => new NamedValueItem(v.Name, v.Value.GetString()!, at)).ToList() : []);
    }

    /// <summary>The project's inputs on top of the curated ones: what the project names itself wins.</summary>
    public static DefinitionInputs Apply(CuratedEnvironment curated, DefinitionInputs project) =>
        DefinitionLayers.Layer(new DefinitionInputs
        {
            Name = curated.Name,
            PythonVersion = curated.PythonVersion,
            PipPackages = curated.PipPackages.ToList(),
            AptPackages = curated.AptPackages.ToList(),
            Variables = curated.Variables.ToList(),
        }, project);
}
