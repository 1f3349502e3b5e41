using MlEnv.Definition;
using MlEnv.Diagnostics;
using MlEnv.Generation;
using MlEnv.Images;

namespace MlEnv.Store;

/// <summary>
/// A registered version as a folder — environment.yml, requirements.txt, the Dockerfile, its wheels and
/// definition.json — so that `docker build` rebuilds it without .NET.
/// </summary>
public static class EnvironmentDownload
{
    /// <summary>Why this version cannot be written out here (a wheel or base Dockerfile this machine lacks), or null.</summary>
    public static Diagnostic? Problem(IEnvironmentCatalog store, StoredEnvironment entry, EnvironmentDefinition definition, string localStoreRoot)
    {
        // A store record or a registry label did not pass the builder; what it says reaches a Dockerfile here.
        if (DefinitionCheck.Problem(definition) is { } why)
            return DiagnosticCatalog.InvalidStoreRequest.Create($"{entry.Name} v{entry.Version} in {store.Location} is not written out: {why}.");
        if (definition.Wheels.FirstOrDefault(w => !File.Exists(w.SourcePath)) is { } missing)
            return DiagnosticCatalog.InvalidStoreRequest.Create($"{entry.Name} v{entry.Version} needs the wheel {missing.FileName} (sha256 {missing.Sha256[..12]}), and it is not in this machine's store ({localStoreRoot}): a registry holds images, not wheel files. Register the environment once on this machine, or copy the store's wheels/ folder.");
        if (definition.Base.Image is null && definition.Base.Dockerfile is null)
            return DiagnosticCatalog.InvalidStoreRequest.Create($"{entry.Name} v{entry.Version} starts from a base Dockerfile whose text is not in {store.Location}; download it from the store of a machine that registered it.");
        return null;
    }

    public static void Write(StoredEnvironment entry, EnvironmentDefinition definition, string directory)
    {
        Directory.CreateDirectory(directory);
        // The Dockerfile ends with the LABEL step MlEnv added to the registered image: `docker build` of this folder
        // makes the same image (on the engine that built it, the very same image ID, from its layer cache).
        var labels = EnvironmentImages.Labels(entry.Name, entry.Hash, entry.SdkVersion ?? SdkInfo.Version, entry.Definition, definition.Base.Image);
        foreach (var file in EnvironmentImages.WithLabels(DockerfileGenerator.Generate(definition).Files, labels))
        {
            var target = Path.Combine(directory, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (file.Content is not null) File.WriteAllBytes(target, file.Content);
            else File.Copy(file.SourcePath!, target, overwrite: true);
        }
        File.WriteAllText(Path.Combine(directory, GeneratedEnvironment.DefinitionFile), entry.Definition);
        if (!definition.UsesConda) File.WriteAllText(Path.Combine(directory, "environment.yml"), DockerfileGenerator.EnvironmentYaml(definition, includePip: true));
    }
}
