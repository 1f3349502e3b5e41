using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MlEnv.Engine;

namespace MlEnv.Registry;

/// <summary>What a credential helper said: credentials, "not found" (try the next source), or a failure to report.</summary>
public sealed record HelperAnswer(string? Username, string? Secret, string? Failure, bool Missing = false)
{
    public bool Found => Username is not null && Secret is not null;
}

/// <summary>
/// The docker-credential-helpers protocol, as the docker CLI runs it: `docker-credential-&lt;name&gt; get`, the server
/// address on stdin, {"ServerURL","Username","Secret"} on stdout; "credentials not found" (exit non-zero) means this
/// helper has none. The secret is never logged, nor put in a failure message.
/// </summary>
public static class CredentialHelpers
{
    private const int MaxOutput = 64 * 1024;
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>How long a helper that has exited may still take to close its output.</summary>
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(2);

    /// <summary>The helper's executable on the settings' PATH, or null.</summary>
    public static string? Locate(string name, DockerSettings settings)
    {
        var file = "docker-credential-" + name;
        foreach (var dir in (settings.HelperPath ?? settings.Variable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, file);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public static HelperAnswer Get(string name, string serverAddress, DockerSettings settings)
    {
        // A helper name is a suffix, never a path: config.json is not a way to run an arbitrary program.
        if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            return new HelperAnswer(null, null, "the helper name is not a plain name");
        if (Locate(name, settings) is not { } executable) return new HelperAnswer(null, null, null, Missing: true);
        try
        {
            using var process = Start(executable, settings);
            process.StandardInput.Write(serverAddress);
            process.StandardInput.Close();
            StringBuilder stdoutText = new(), stderrText = new();
            var reading = Task.WhenAll(ReadBounded(process.StandardOutput, stdoutText), ReadBounded(process.StandardError, stderrText));
            if (!process.WaitForExit(Timeout))
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                return new HelperAnswer(null, null, $"no answer within {Timeout.TotalSeconds:0} s");
            }
            // The helper has exited, so its answer is written; a child it left behind (an agent it starts) may hold
            // the pipe open for as long as it lives: what has arrived within a moment is the answer.
            reading.Wait(OutputGrace);
            var output = Snapshot(stdoutText);
            if (process.ExitCode != 0)
            {
                var said = FirstLine(output.Length > 0 ? output : Snapshot(stderrText));
                return said.Contains("credentials not found", StringComparison.OrdinalIgnoreCase)
                    ? new HelperAnswer(null, null, null)
                    : new HelperAnswer(null, null, $"exit code {process.ExitCode}{(said.Length > 0 ? ": " + said : "")}");
            }
            return Parse(output);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            return new HelperAnswer(null, null, $"it could not be run ({EngineText.Clean(e.Message)})");
        }
    }

    /// <summary>The helper's JSON answer. Only the shape is described on failure: the text may hold the secret.</summary>
    public static HelperAnswer Parse(string output)
    {
        try
        {
            using var json = JsonDocument.Parse(output, new JsonDocumentOptions { MaxDepth = 8 });
            var username = DockerConfig.String(json.RootElement, "Username");
            var secret = DockerConfig.String(json.RootElement, "Secret");
            return username is null || secret is null
                ? new HelperAnswer(null, null, "its answer has no Username and Secret")
                : new HelperAnswer(username, secret, null);
        }
        catch (JsonException)
        {
            return new HelperAnswer(null, null, "its answer is not JSON");
        }
    }

    private static Process Start(string executable, DockerSettings settings)
    {
        var info = new ProcessStartInfo(executable, ["get"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        if (settings.Variable("PATH") is { } path) info.Environment["PATH"] = path;
        return Process.Start(info) ?? throw new InvalidOperationException("the process did not start");
    }

    /// <summary>Reads up to <see cref="MaxOutput"/> characters into <paramref name="text"/> (locked: read while it fills) until the stream ends.</summary>
    private static async Task ReadBounded(StreamReader reader, StringBuilder text)
    {
        var buffer = new char[8192];
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            lock (text)
                if (text.Length < MaxOutput) text.Append(buffer, 0, Math.Min(read, MaxOutput - text.Length));
    }

    private static string Snapshot(StringBuilder text)
    {
        lock (text) return text.ToString();
    }

    private static string FirstLine(string text)
    {
        var line = EngineText.Clean(text.Split('\n', 2)[0].Trim());
        return line.Length > 160 ? line[..160] + "…" : line;
    }
}
