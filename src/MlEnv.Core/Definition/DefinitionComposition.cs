using MlEnv.Diagnostics;
using MlEnv.Images;
using MlEnv.Registry;
using MlEnv.Specs;
using MlEnv.Store;

namespace MlEnv.Definition;

/// <summary>A referenced project's environment, as its ComputeMlEnvDefinition returned it: this one builds FROM its image.</summary>
public sealed record ParentDefinitionFile(string DefinitionFile, string Name, string Hash, string Repository);

/// <summary>An MlEnvReference: a registered environment (a version, a NuGet range or *) this one builds on.</summary>
public sealed record RegisteredReference(string Name, string? Version, SourceLocation At);

/// <summary>Everything a definition is made of, least specific first.</summary>
public sealed record CompositionRequest
{
    public required DefinitionInputs Project { get; init; }
    public IReadOnlyList<ParentDefinitionFile> Parents { get; init; } = [];
    public string? Curated { get; init; }
    public string CuratedDirectory { get; init; } = "";
    public IReadOnlyList<RegisteredReference> References { get; init; } = [];
    /// <summary>The local store folder (null: the default), and the registry that is the shared store (null: none).</summary>
    public string? Store { get; init; }
    public string? SharedRegistry { get; init; }
}

/// <summary>The definition (null on failure), what was read to make it, the diagnostics and what a log may say.</summary>
public sealed record CompositionResult(EnvironmentDefinition? Definition, IReadOnlyCollection<string> InputFiles, IReadOnlyList<Diagnostic> Diagnostics, IReadOnlyList<string> Notes)
{
    public bool Success => Definition is not null && Diagnostics.All(d => d.Severity != DiagnosticSeverity.Error);
}

/// <summary>
/// Layers a definition: a referenced project's environment (the FROM image), then a curated environment, then the
/// registered environments it references, then the project's own items — each layer adds to and overrides by name
/// what lies below it (<see cref="DefinitionLayers"/>) — and validates the result (<see cref="DefinitionBuilder"/>).
/// </summary>
public static class DefinitionComposition
{
    public static CompositionResult Compose(CompositionRequest request)
    {
        var diagnostics = new List<Diagnostic>();
        var notes = new List<string>();
        CompositionResult Failed() => new(null, [], diagnostics, notes);
        var inputs = request.Project;
        var project = inputs.Project;

        if (request.Parents.Count > 1)
        {
            diagnostics.Add(DiagnosticCatalog.ParentConflict.Create(request.Parents[0].Name,
                "more than one referenced project has an environment (" + string.Join(", ", request.Parents.Select(p => p.Name)) + "); set MlEnvEnvironment=\"false\" on the ProjectReference items to leave out"));
            return Failed();
        }
        if (request.Parents.Count == 1)
        {
            var parent = request.Parents[0];
            var environment = new ParentEnvironment(parent.Name, parent.Hash, $"{parent.Repository}:{EnvironmentImages.HashTag(parent.Hash)}");
            var definition = CanonicalReader.Read(File.ReadAllText(parent.DefinitionFile), parent.Name, (file, _) => file);
            notes.Add($"{inputs.Name} is built FROM {parent.Name}'s environment ({environment.Image})");
            inputs = inputs with { Parent = new ParentInput(environment, definition) };
        }

        if (request.Curated is { Length: > 0 } curatedName)
        {
            var curated = CuratedEnvironments.Load(request.CuratedDirectory, curatedName.Trim(), project, diagnostics);
            if (curated is null) return Failed();
            inputs = CuratedEnvironments.Apply(curated, inputs);
        }

        if (request.References.Count > 0)
        {
            var registry = request.SharedRegistry;
            if (registry is not null && !Registries.IsValid(registry))
            {
                diagnostics.Add(DiagnosticCatalog.InvalidRegistry.Create(Registries.Display(registry)));
                return Failed();
            }
            var store = Catalogs.Open(request.Store, registry);
            foreach (var reference in request.References)
            {
                StoredEnvironment? entry;
                Diagnostic? error;
                try { entry = store.Find(reference.Name, reference.Version, out error); }
                catch (RegistryException e)
                {
                    diagnostics.Add(DiagnosticCatalog.SharedStoreUnavailable.Create(registry ?? "", e.Message));
                    return Failed();
                }
                if (entry is null)
                {
                    diagnostics.Add(error!.File is null ? error.At(reference.At.File, reference.At.Line, reference.At.Column) : error);
                    return Failed();
                }
                notes.Add($"{inputs.Name} builds on {entry.Name} v{entry.Version} ({entry.Hash[..12]}) from {store.Location}");
                inputs = DefinitionLayers.Layer(DefinitionLayers.FromDefinition(store.Definition(entry), new SourceLocation(project.File)), inputs);
            }
        }

        var result = DefinitionBuilder.Build(inputs);
        diagnostics.AddRange(result.Diagnostics);
        return new CompositionResult(result.Success ? result.Definition : null, result.InputFiles, diagnostics, notes);
    }
}
