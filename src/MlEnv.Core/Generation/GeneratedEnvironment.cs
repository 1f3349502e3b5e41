using System.Text;
using MlEnv.Definition;

namespace MlEnv.Generation;

/// <summary>
/// The files a resolved definition leaves in obj/mlenv/: definition.json (the canonical bytes whose SHA-256 is the
/// hash), definition.sha256, the Dockerfile and generated spec files, and context.txt, which lists the context
/// entries that come from elsewhere (wheels). Files are rewritten only when their content changes, so
/// incremental builds see stable timestamps.
/// </summary>
public static class GeneratedEnvironment
{
    public const string DefinitionFile = "definition.json";
    public const string HashFile = "definition.sha256";
    public const string ContextListFile = "context.txt";
    public const string InputListFile = "inputs.txt";
    /// <summary>The Dockerfile used when index credentials are given at build time (see DockerfileGenerator); it holds none.</summary>
    public const string CredentialsDockerfile = "Dockerfile.credentials";
    private static readonly string[] Generated = ["Dockerfile", CredentialsDockerfile, "requirements.txt", "constraints.txt", "environment.yml"];

    public sealed record Output(string Hash, IReadOnlyList<string> Written);

    /// <summary>Writes the generated files and, when given, the list of what was read to resolve the definition.</summary>
    /// <param name="inputFiles">Every file read (includes and conda metadata too): the next build resolves again when one changes.</param>
    public static Output Write(EnvironmentDefinition definition, string directory, IEnumerable<string>? inputFiles = null)
    {
        Directory.CreateDirectory(directory);
        var canonical = CanonicalJson.Serialize(definition);
        var hash = CanonicalJson.HashOf(canonical);
        var build = DockerfileGenerator.Generate(definition);
        var written = new List<string>
        {
            FileWriter.WriteIfChanged(Path.Combine(directory, DefinitionFile), canonical),
            FileWriter.WriteIfChanged(Path.Combine(directory, HashFile), hash + "\n"),
        };

        var manifest = new StringBuilder();
        foreach (var file in build.Files)
        {
            if (file.Content is not null)
                written.Add(FileWriter.WriteIfChanged(Path.Combine(directory, file.Path), Encoding.UTF8.GetString(file.Content)));
            else
                manifest.Append(file.Path).Append('\t').Append(file.SourcePath).Append('\n');
        }
        written.Add(FileWriter.WriteIfChanged(Path.Combine(directory, ContextListFile), manifest.ToString()));
        var staged = DockerfileGenerator.Generate(definition, indexCredentials: true).Dockerfile;
        bool hasStaged = staged != build.Dockerfile;
        if (hasStaged) written.Add(FileWriter.WriteIfChanged(Path.Combine(directory, CredentialsDockerfile), staged));
        foreach (var stale in Generated.Where(g => build.Files.All(f => f.Path != g) && !(hasStaged && g == CredentialsDockerfile)))
            File.Delete(Path.Combine(directory, stale));
        if (inputFiles is not null)
            written.Add(FileWriter.WriteIfChanged(Path.Combine(directory, InputListFile), string.Join("\n", inputFiles) + "\n"));
        return new Output(hash, written);
    }

    /// <summary>The context as written by <see cref="Write"/>: generated files from the directory, wheels from their sources.</summary>
    /// <param name="withCredentials">Use the credentials Dockerfile (as "Dockerfile"); it exists when the definition has an index.</param>
    public static IReadOnlyList<ContextFile> ReadContext(string directory, bool withCredentials = false)
    {
        var files = Generated.Where(g => g != CredentialsDockerfile && File.Exists(Path.Combine(directory, g)))
            .Select(g => new ContextFile(g, File.ReadAllBytes(Path.Combine(directory,
                g == "Dockerfile" && withCredentials && File.Exists(Path.Combine(directory, CredentialsDockerfile)) ? CredentialsDockerfile : g)), null)).ToList();
        foreach (var line in File.ReadAllLines(Path.Combine(directory, ContextListFile)).Where(l => l.Length > 0))
        {
            var parts = line.Split('\t', 2);
            files.Add(ContextFile.FromDisk(parts[0], parts[1]));
        }
        return files;
    }
}
