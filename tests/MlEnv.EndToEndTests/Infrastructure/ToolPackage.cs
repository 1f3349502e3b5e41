namespace MlEnv.EndToEndTests.Infrastructure;

/// <summary>
/// Packs the dotnet-mlenv tool once per test run into the run's feed, under the run's SDK version (no earlier run used
/// it, so NuGet never serves a stale copy), and installs it as a local tool in a clean folder:
/// `dotnet new tool-manifest`, then `dotnet tool install dotnet-mlenv --version &lt;v&gt; --add-source &lt;feed&gt;`.
/// </summary>
public static class ToolPackage
{
    private static readonly object Gate = new();
    private static string? packedFor;

    public const string PackageId = "dotnet-mlenv";

    public static string Nupkg(SdkPackage sdk) => Path.Combine(sdk.Feed, $"{PackageId}.{sdk.Version}.nupkg");

    public static void EnsurePacked(SdkPackage sdk)
    {
        lock (Gate)
        {
            if (packedFor == sdk.Version) return;
            var repo = SdkPackage.RepoRoot();
            var result = Dotnet.Run(repo, ["pack", Path.Combine(repo, "src", "MlEnv.Tool", "MlEnv.Tool.csproj"), "-c", "Release", "-o", sdk.Feed, $"-p:Version={sdk.Version}", "-nologo"], null);
            if (result.ExitCode != 0 || !File.Exists(Nupkg(sdk))) throw new InvalidOperationException("dotnet pack of the tool failed:\n" + result.Output);
            packedFor = sdk.Version;
        }
    }

    /// <summary>A clean folder with a tool manifest and the tool installed from the feed; `dotnet mlenv` runs there.</summary>
    public static InstalledTool Install(SdkPackage sdk)
    {
        EnsurePacked(sdk);
        var folder = Directory.CreateTempSubdirectory("mlenv-tool-").FullName;
        File.WriteAllText(Path.Combine(folder, "nuget.config"), sdk.NuGetConfig);
        var tool = new InstalledTool(sdk, folder);
        var manifest = tool.Dotnet(["new", "tool-manifest"]);
        if (manifest.ExitCode != 0) throw new InvalidOperationException("dotnet new tool-manifest failed:\n" + manifest.Output);
        var install = tool.Dotnet(["tool", "install", PackageId, "--version", sdk.Version, "--add-source", sdk.Feed]);
        if (install.ExitCode != 0) throw new InvalidOperationException("dotnet tool install failed:\n" + install.Output);
        return tool;
    }
}

/// <summary>The tool installed in a folder of its own; runs keep stdout and stderr apart, as scripts read them.</summary>
public sealed class InstalledTool(SdkPackage sdk, string folder) : IDisposable
{
    public string Folder { get; } = folder;

    public sealed record ToolResult(int ExitCode, string Stdout, string Stderr)
    {
        public string All => Stdout + Stderr;
        public System.Text.Json.JsonElement Json() => System.Text.Json.JsonDocument.Parse(Stdout).RootElement;
    }

    public DotnetResult Dotnet(IEnumerable<string> args) =>
        Infrastructure.Dotnet.Run(Folder, args, new Dictionary<string, string> { ["NUGET_PACKAGES"] = sdk.PackagesFolder });

    /// <summary>`dotnet mlenv &lt;args&gt;` in the folder, stdout and stderr captured apart.</summary>
    public ToolResult Mlenv(IEnumerable<string> args, IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("mlenv");
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        psi.Environment["NUGET_PACKAGES"] = sdk.PackagesFolder;
        if (environment is not null) foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(10)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet mlenv {string.Join(' ', args)} did not finish");
        }
        p.WaitForExit();
        return new ToolResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// `dotnet mlenv &lt;args&gt;` in a process group of its own, interrupted as Ctrl+C in a terminal does (SIGINT to the
    /// whole group: the dotnet host and the tool) once stdout shows <paramref name="marker"/>.
    /// </summary>
    public ToolResult MlenvInterrupted(IEnumerable<string> args, string marker)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("setsid") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "dotnet", "mlenv" }.Concat(args)) psi.ArgumentList.Add(a);
        psi.Environment["NUGET_PACKAGES"] = sdk.PackagesFolder;
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = new System.Text.StringBuilder();
        var stderr = p.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (p.StandardOutput.ReadLine() is { } line)
        {
            stdout.AppendLine(line);
            if (line.Contains(marker, StringComparison.Ordinal)) break;
            if (DateTime.UtcNow > deadline) break;
        }
        // setsid runs the command as the leader of a new group: its pid is the group's id.
        using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", "--", "-" + p.Id])!) kill.WaitForExit();
        var rest = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2))) { p.Kill(entireProcessTree: true); throw new TimeoutException("the interrupted run did not stop"); }
        p.WaitForExit();
        return new ToolResult(p.ExitCode, stdout + rest.Result, stderr.Result);
    }

    /// <summary>`dotnet mlenv &lt;args&gt;` in a pseudo-terminal (script(1)), 200 columns wide: what a person sees, ANSI and all.</summary>
    public ToolResult MlenvInTerminal(string args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("script", ["-qec", $"stty cols 200 rows 50; dotnet mlenv {args}", "/dev/null"])
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        psi.Environment["NUGET_PACKAGES"] = sdk.PackagesFolder;
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["TERM"] = "xterm-256color";
        psi.Environment["LANG"] = "C.UTF-8";
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(entireProcessTree: true); throw new TimeoutException(args); }
        p.WaitForExit();
        return new ToolResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
