using System.Text.Json;

namespace MlEnv.Engine;

/// <summary>
/// Where the docker CLI's settings live and how to read them: the environment variables, the home folder and which
/// sockets exist. Injectable so tests can resolve an engine or credentials against a temporary folder in-process.
/// </summary>
public sealed class DockerSettings
{
    public static DockerSettings Process { get; } = new();

    public Func<string, string?> Variable { get; init; } = Environment.GetEnvironmentVariable;

    public string Home { get; init; } = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    /// <summary>Whether a Unix socket (or any non-directory) is at the path.</summary>
    public Func<string, bool> SocketExists { get; init; } = File.Exists;

    /// <summary>The folder credential helpers are found in (PATH when null).</summary>
    public string? HelperPath { get; init; }

    /// <summary>$DOCKER_CONFIG, else ~/.docker, as the docker CLI finds its config.json and contexts.</summary>
    public string ConfigDirectory => Variable("DOCKER_CONFIG") is { Length: > 0 } d ? d : Path.Combine(Home, ".docker");

    public string ConfigFile => Path.Combine(ConfigDirectory, "config.json");
}

/// <summary>A Docker configuration file (config.json or a context's meta.json) that exists but cannot be read.</summary>
public sealed class DockerConfigException(string file, string reason) : Exception($"{file}: {reason}")
{
    public string File { get; } = file;
    public string Reason { get; } = reason;
}

/// <summary>Reads the docker CLI's JSON files: bounded in size and depth, since they are the user's but not MlEnv's.</summary>
public static class DockerConfig
{
    private const long MaxBytes = 4 * 1024 * 1024;
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32, AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>The parsed file, or null when it does not exist; a file that exists but is not JSON throws <see cref="DockerConfigException"/>.</summary>
    public static JsonDocument? Read(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (stream.Length > MaxBytes) throw new DockerConfigException(path, $"larger than {MaxBytes / (1024 * 1024)} MiB");
            return JsonDocument.Parse(stream, Options);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException e)
        {
            throw new DockerConfigException(path, $"not valid JSON (line {e.LineNumber + 1})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DockerConfigException(path, e.Message);
        }
    }

    /// <summary>A string property of an object, or null when absent or not a string.</summary>
    public static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() : null;
}
