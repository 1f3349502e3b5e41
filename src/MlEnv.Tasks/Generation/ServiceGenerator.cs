using System.Security.Cryptography;
using System.Text;
using MlEnv.Diagnostics;

namespace MlEnv.Generation;

/// <summary>A model file as it goes into the service image: its path under model/ and where to read it.</summary>
public sealed record ModelFile(string ContextPath, string SourcePath);

/// <summary>
/// The scoring service image: FROM the environment image, then the server, the scoring script and the model, each
/// in its own layer and in that order, so a new model rebuilds one layer and never the environment.
/// </summary>
public static class ServiceGenerator
{
    public const string ModelDirectory = "/opt/mlenv/model";
    public const string ServiceDirectory = "/opt/mlenv/service";

    /// <summary>Expands MlEnvModel items (files or folders) into context entries; clashes and missing paths are diagnostics.</summary>
    public static IReadOnlyList<ModelFile> ExpandModels(IEnumerable<string> paths, List<Diagnostic> diagnostics)
    {
        var files = new SortedDictionary<string, ModelFile>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            var full = Path.GetFullPath(path);
            IEnumerable<(string Relative, string Source)> entries;
            if (File.Exists(full)) entries = [(Path.GetFileName(full), full)];
            else if (Directory.Exists(full))
            {
                var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(full));
                entries = Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
                    .Select(f => (name + "/" + Path.GetRelativePath(full, f).Replace('\\', '/'), f));
            }
            else
            {
                diagnostics.Add(DiagnosticCatalog.InvalidScoringInput.Create(path, "no such file or folder"));
                continue;
            }
            foreach (var (relative, source) in entries)
            {
                var contextPath = "model/" + relative;
                if (relative.IndexOfAny(['\n', '\r', '"', '\\']) >= 0)
                    diagnostics.Add(DiagnosticCatalog.InvalidScoringInput.Create(source, "the file name has a character that cannot go into an image"));
                else if (!files.TryAdd(contextPath, new ModelFile(contextPath, source)))
                    diagnostics.Add(DiagnosticCatalog.InvalidScoringInput.Create(source, $"two model files map to {contextPath}"));
            }
        }
        return files.Values.ToList();
    }

    public static GeneratedBuild Generate(string environmentImage, int port, string serverScript, string scoringScript, IReadOnlyList<ModelFile> models)
    {
        var files = new List<ContextFile>
        {
            ContextFile.FromDisk("server/mlenv_score_server.py", serverScript),
            ContextFile.FromDisk("app/score.py", scoringScript),
        };
        files.AddRange(models.Select(m => ContextFile.FromDisk(m.ContextPath, m.SourcePath)));
        var df = new StringBuilder()
            .Append("FROM ").Append(environmentImage).Append('\n')
            .Append($"ENV MLENV_MODEL_DIR={ModelDirectory} MLENV_SERVICE_PORT={port} MLENV_SCORING_SCRIPT={ServiceDirectory}/app/score.py\n")
            .Append($"COPY server/mlenv_score_server.py {ServiceDirectory}/mlenv_score_server.py\n")
            .Append($"COPY app/ {ServiceDirectory}/app/\n");
        if (models.Count > 0) df.Append($"COPY model/ {ModelDirectory}/\n");
        df.Append($"WORKDIR {ServiceDirectory}/app\n")
          .Append($"EXPOSE {port}\n")
          .Append($"CMD [\"python\", \"{ServiceDirectory}/mlenv_score_server.py\"]\n");
        var dockerfile = df.ToString();
        files.Add(ContextFile.Text("Dockerfile", dockerfile));
        return new GeneratedBuild(dockerfile, files);
    }

    /// <summary>Names the service image by what is in it: the environment image, the Dockerfile and every file's bytes.</summary>
    public static string Hash(string environmentImageId, GeneratedBuild build)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes(environmentImageId + "\n"));
        foreach (var file in build.Files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            sha.AppendData(Encoding.UTF8.GetBytes(file.Path + "\n"));
            sha.AppendData(file.Content ?? File.ReadAllBytes(file.SourcePath!));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
