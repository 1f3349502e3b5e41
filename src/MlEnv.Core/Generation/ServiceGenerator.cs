using System.Security.Cryptography;
using System.Text;
using MlEnv.Diagnostics;
using MlEnv.Specs;

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
    /// <summary>Read by mlenv_score_server.py: "true" lets run() be called concurrently.</summary>
    public const string ConcurrentRunVariable = "MLENV_SCORING_CONCURRENT_RUN";

    /// <summary>Expands MlEnvModel items (files or folders) into context entries; clashes and missing paths are diagnostics.</summary>
    public static IReadOnlyList<ModelFile> ExpandModels(IEnumerable<string> paths, List<Diagnostic> diagnostics)
    {
        var files = new SortedDictionary<string, ModelFile>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            var full = Path.GetFullPath(path);
            IEnumerable<(string Relative, string Source)> entries;
            var kind = InputFiles.Inspect(full);
            if (kind == InputFiles.Kind.Regular) entries = [(Path.GetFileName(full), full)];
            else if (kind == InputFiles.Kind.Directory)
            {
                var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(full));
                entries = Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
                    .Select(f => (name + "/" + Path.GetRelativePath(full, f).Replace('\\', '/'), f));
            }
            else if (kind == InputFiles.Kind.Missing)
            {
                diagnostics.Add(DiagnosticCatalog.InvalidScoringInput.Create(path, "no such file or folder"));
                continue;
            }
            else
            {
                // A FIFO or a device such as /dev/zero would block or never end the build context.
                diagnostics.Add(InputFiles.Problem(full)!);
                continue;
            }
            foreach (var (relative, source) in entries)
            {
                var contextPath = "model/" + relative;
                if (InputFiles.Inspect(source) != InputFiles.Kind.Regular && InputFiles.Problem(source) is { } notAFile)
                    diagnostics.Add(notAFile);
                else if (relative.IndexOfAny(['\n', '\r', '"', '\\']) >= 0)
                    diagnostics.Add(DiagnosticCatalog.InvalidScoringInput.Create(source, "the file name has a character that cannot go into an image"));
                else if (!files.TryAdd(contextPath, new ModelFile(contextPath, source)))
                    diagnostics.Add(DiagnosticCatalog.InvalidScoringInput.Create(source, $"two model files map to {contextPath}"));
            }
        }
        return files.Values.ToList();
    }

    /// <param name="concurrentRun">Let the server call run() from several request threads at once (a thread-safe
    /// score.py); by default it calls run() one request at a time, as Azure ML does.</param>
    public static GeneratedBuild Generate(string environmentImage, int port, string serverScript, string scoringScript, IReadOnlyList<ModelFile> models, bool concurrentRun = false)
    {
        var files = new List<ContextFile>
        {
            ContextFile.FromDisk("server/mlenv_score_server.py", serverScript),
            ContextFile.FromDisk("app/score.py", scoringScript),
        };
        files.AddRange(models.Select(m => ContextFile.FromDisk(m.ContextPath, m.SourcePath)));
        var df = new StringBuilder()
            .Append("FROM ").Append(environmentImage).Append('\n')
            .Append($"ENV MLENV_MODEL_DIR={ModelDirectory} MLENV_SERVICE_PORT={port} MLENV_SCORING_SCRIPT={ServiceDirectory}/app/score.py")
            .Append($" {ConcurrentRunVariable}={(concurrentRun ? "true" : "false")}\n")
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
            if (file.Content is not null) sha.AppendData(file.Content);
            else AppendFile(sha, file.SourcePath!);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    // Streamed in chunks: a model can be far bigger than memory, or than the 2 GiB an array can hold.
    private static void AppendFile(IncrementalHash sha, string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0) sha.AppendData(buffer, 0, read);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
