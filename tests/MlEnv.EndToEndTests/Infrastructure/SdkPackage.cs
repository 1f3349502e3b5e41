using System.Diagnostics;

namespace MlEnv.EndToEndTests.Infrastructure;

/// <summary>
/// Packs MlEnv.Sdk once per test run under a version no earlier run used, into a feed of its own, with a private
/// NuGet packages folder: NuGet never re-extracts an id and version it has seen, so anything less runs stale code.
/// </summary>
public sealed class SdkPackage : IDisposable
{
    public string Version { get; }
    public string Feed { get; }
    public string PackagesFolder { get; }
    public string RunId { get; }
    /// <summary>The environment store of this test run, so tests never register into the user's own.</summary>
    public string Store { get; }
    public string Nupkg => Path.Combine(Feed, $"MlEnv.Sdk.{Version}.nupkg");
    private readonly string root;

    public SdkPackage()
    {
        RunId = DateTime.UtcNow.ToString("yyyyMMddHHmmss") + "-" + Environment.ProcessId;
        Version = $"0.1.0-e2e.{RunId.Replace("-", ".")}";
        root = Directory.CreateTempSubdirectory("mlenv-e2e-").FullName;
        Feed = Path.Combine(root, "feed");
        PackagesFolder = Path.Combine(root, "packages");
        Store = Path.Combine(root, "store");
        var repo = RepoRoot();
        var result = Dotnet.Run(repo, ["pack", Path.Combine(repo, "src", "MlEnv.Sdk", "MlEnv.Sdk.csproj"), "-c", "Release", "-o", Feed, $"-p:Version={Version}", "-nologo"], null);
        if (result.ExitCode != 0 || !File.Exists(Nupkg)) throw new InvalidOperationException("dotnet pack failed:\n" + result.Output);
    }

    /// <summary>A nuget.config whose only source is this run's feed.</summary>
    public string NuGetConfig => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <clear />
            <add key="mlenv-test" value="{Feed}" />
          </packageSources>
        </configuration>
        """;

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MlEnv.Build.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("MlEnv.Build.sln not found above the test directory.");
    }

    public void Dispose()
    {
        try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

[CollectionDefinition("docker")]
public sealed class DockerCollection : ICollectionFixture<SdkPackage>;

public sealed record DotnetResult(int ExitCode, string Output, TimeSpan Elapsed)
{
    public int Count(string text) => Output.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));
}

public static class Dotnet
{
    public static DotnetResult Run(string workingDirectory, IEnumerable<string> args, IDictionary<string, string>? environment, TimeSpan? timeout = null, Action<Process, string>? onLine = null)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["MSBUILDNOINPROCNODE"] = null;
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        psi.Environment["TERM"] = "dumb";
        if (environment is not null) foreach (var (k, v) in environment) psi.Environment[k] = v;
        var output = new System.Text.StringBuilder();
        var watch = Stopwatch.StartNew();
        using var p = new Process { StartInfo = psi };
        void Handle(string? line)
        {
            if (line is null) return;
            lock (output) output.AppendLine(line);
            onLine?.Invoke(p, line);
        }
        p.OutputDataReceived += (_, e) => Handle(e.Data);
        p.ErrorDataReceived += (_, e) => Handle(e.Data);
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(10)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} did not finish:\n{output}");
        }
        p.WaitForExit();
        lock (output) return new DotnetResult(p.ExitCode, output.ToString(), watch.Elapsed);
    }
}
