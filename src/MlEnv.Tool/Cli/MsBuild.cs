using System.Diagnostics;
using System.Text.Json;
using MlEnv.Diagnostics;

namespace MlEnv.Tool.Cli;

/// <summary>
/// `dotnet build` of a project, for what only the MSBuild pass knows (its items, properties and references): the
/// target's result comes back as JSON through -getTargetResult. The dotnet that runs the tool runs the build.
/// </summary>
public static class MsBuild
{
    public sealed record Result(int ExitCode, string Output);

    /// <summary>A project file, or the one project file in a folder; null when there is none (or several).</summary>
    public static string? FindProject(string path)
    {
        if (File.Exists(path) && Path.GetExtension(path).EndsWith("proj", StringComparison.OrdinalIgnoreCase)) return Path.GetFullPath(path);
        if (!Directory.Exists(path)) return null;
        var projects = Directory.GetFiles(path, "*.*proj");
        return projects.Length == 1 ? Path.GetFullPath(projects[0]) : null;
    }

    /// <summary>Properties for the build from the tool's common options (only those given: the project's own apply otherwise).</summary>
    public static IEnumerable<string> Properties(System.CommandLine.ParseResult parse)
    {
        if (parse.GetValue(CommonOptions.Store) is { Length: > 0 } store) yield return $"-p:MlEnvStore={Escape(Path.GetFullPath(store))}";
        if (parse.GetValue(CommonOptions.Registry) is { Length: > 0 } registry) yield return $"-p:MlEnvRegistry={Escape(registry)}";
        if (parse.GetValue(CommonOptions.DockerHost) is { Length: > 0 } host) yield return $"-p:MlEnvDockerHost={Escape(host)}";
    }

    /// <summary>
    /// A value MSBuild reads literally: on its command line ';' separates properties and '$', '@', '%' expand, so
    /// each is written as MSBuild's %XX escape (which it undoes) — a path with ';' stays one value.
    /// </summary>
    public static string Escape(string value)
    {
        var text = new System.Text.StringBuilder(value.Length);
        foreach (var c in value)
            text.Append(c is '%' or ';' or '$' or '@' or '\'' or '*' or '?' or ',' or '"' ? $"%{(int)c:X2}" : c.ToString());
        return text.ToString();
    }

    public static async Task<Result> RunAsync(IEnumerable<string> arguments, Action<string>? onLine, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add("build");
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        var output = new System.Text.StringBuilder();
        using var process = new Process { StartInfo = psi };
        void Handle(string? line)
        {
            if (line is null) return;
            lock (output) output.AppendLine(line);
            onLine?.Invoke(line);
        }
        process.OutputDataReceived += (_, e) => Handle(e.Data);
        process.ErrorDataReceived += (_, e) => Handle(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        lock (output) return new Result(process.ExitCode, output.ToString());
    }

    /// <summary>The items a target returned (MSBuild's -getTargetResult JSON), each as its metadata.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>>? TargetItems(string output, string target, out Diagnostic? problem)
    {
        problem = null;
        var start = output.IndexOf("{", StringComparison.Ordinal);
        try
        {
            if (start < 0) throw new JsonException("no JSON in MSBuild's output");
            using var json = JsonDocument.Parse(output[start..]);
            var items = json.RootElement.GetProperty("TargetResults").GetProperty(target).GetProperty("Items");
            return items.EnumerateArray().Select(i => (IReadOnlyDictionary<string, string>)i.EnumerateObject()
                .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? "" : p.Value.ToString())).ToList();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            problem = DiagnosticCatalog.ToolMsBuildOutputUnreadable.Create(target, e.Message);
            return null;
        }
    }
}
