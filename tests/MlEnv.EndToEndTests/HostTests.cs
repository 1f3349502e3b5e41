using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

/// <summary>
/// Where .NET developers build: MSBuild on .NET Framework (Visual Studio), design-time builds and the IDE's fast
/// up-to-date check. No Visual Studio runs here: the Framework branches are taken under `dotnet build` through the
/// targets' _MlEnvMSBuildRuntimeType / _MlEnvMSBuildVersion copies of the reserved properties.
/// </summary>
public sealed class HostTests(SdkPackage sdk) : EngineFreeTest(sdk)
{
    private const string NoEngine = "unix:///tmp/mlenv-no-such-engine.sock";

    private static readonly string[] TaskNames =
    [
        "ValidateMlEnvProperties", "ResolveMlEnvDefinition", "BuildMlEnvImage", "CheckMlEnvImage", "BuildMlEnvServiceImage",
        "PushMlEnvImage", "SaveMlEnvBundle", "WriteMlEnvPublishManifest", "RegisterMlEnvEnvironment", "ListMlEnvEnvironments",
        "ShowMlEnvEnvironment", "DownloadMlEnvEnvironment", "ScaffoldMlEnvProject", "RunMlEnvScript",
    ];

    [Fact]
    public void ThePackedTargetsDeclareEveryTaskInProcessForCoreAndInTheNetTaskHostForFramework18()
    {
        using var zip = ZipFile.OpenRead(Sdk.Nupkg);
        using var stream = zip.GetEntry("build/MlEnv.Sdk.targets")!.Open();
        var targets = XDocument.Load(stream);
        var usingTasks = targets.Root!.Elements("UsingTask").ToList();
        // Every task of the assembly is declared, exactly once per branch.
        var declared = typeof(MlEnv.Tasks.MlEnvTask).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(Microsoft.Build.Utilities.Task)) && !t.IsAbstract).Select(t => t.Name).Order().ToList();
        Assert.Equal(TaskNames.Order(), declared);
        foreach (var name in TaskNames)
        {
            var forTask = usingTasks.Where(u => (string?)u.Attribute("TaskName") == "MlEnv.Tasks." + name).ToList();
            Assert.Equal(2, forTask.Count);
            var core = Assert.Single(forTask, u => u.Attribute("Runtime") is null);
            Assert.Equal("'$(_MlEnvMSBuildRuntimeType)' == 'Core'", (string?)core.Attribute("Condition"));
            Assert.Null(core.Attribute("TaskFactory"));
            var host = Assert.Single(forTask, u => u.Attribute("Runtime") is not null);
            Assert.Equal("NET", (string?)host.Attribute("Runtime"));
            Assert.Equal("TaskHostFactory", (string?)host.Attribute("TaskFactory"));
            Assert.Equal("'$(_MlEnvTasksInTaskHost)' == 'true'", (string?)host.Attribute("Condition"));
            Assert.All(forTask, u => Assert.Equal("$(MlEnvTasksAssembly)", (string?)u.Attribute("AssemblyFile")));
        }
        // The branch properties: the reserved MSBuildRuntimeType / MSBuildVersion, MSBuild 18 as the line.
        var properties = targets.Root.Elements("PropertyGroup").Elements().ToList();
        string Condition(string name) => (string?)properties.Single(p => p.Name.LocalName == name).Attribute("Condition") ?? "";
        Assert.Equal("$(MSBuildRuntimeType)", properties.Single(p => p.Name.LocalName == "_MlEnvMSBuildRuntimeType").Value);
        Assert.Equal("$(MSBuildVersion)", properties.Single(p => p.Name.LocalName == "_MlEnvMSBuildVersion").Value);
        Assert.Equal("'$(_MlEnvMSBuildRuntimeType)' != 'Core' and $([MSBuild]::VersionGreaterThanOrEquals('$(_MlEnvMSBuildVersion)', '18.0'))", Condition("_MlEnvTasksInTaskHost"));
        Assert.Equal("'$(_MlEnvMSBuildRuntimeType)' != 'Core' and '$(_MlEnvTasksInTaskHost)' != 'true'", Condition("_MlEnvUnsupportedMSBuild"));
        // The old-Framework check runs before any other target, and raises the one coded error.
        Assert.Contains("_MlEnvCheckMSBuildRuntime", ((string?)targets.Root.Attribute("InitialTargets") ?? "").Split(';'));
        var check = targets.Root.Elements("Target").Single(t => (string?)t.Attribute("Name") == "_MlEnvCheckMSBuildRuntime");
        Assert.Equal("'$(_MlEnvUnsupportedMSBuild)' == 'true'", (string?)check.Attribute("Condition"));
        Assert.Equal("MLENV1065", (string?)Assert.Single(check.Elements("Error")).Attribute("Code"));
    }

    [Fact]
    public void UnderDotnetBuildTheTasksRunInProcess()
    {
        var p = New("coreprocess").Wheel("w", "1.0");
        var result = p.Build("-v:d");
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("Task \"ResolveMlEnvDefinition\"", result.Output);
        Assert.DoesNotContain("external task host", result.Output);
    }

    [Theory]
    [InlineData("17.14.8.25101")]
    [InlineData("16.11.2")]
    public void AnOlderFrameworkMSBuildStopsFirstWithOneCodedErrorNotMSB4062(string version)
    {
        var p = New("oldvs").Wheel("w", "1.0");
        var result = p.Build($"-p:_MlEnvMSBuildRuntimeType=Full", $"-p:_MlEnvMSBuildVersion={version}");
        Assert.NotEqual(0, result.ExitCode);
        var error = Assert.Single(BuildDiagnostic.Errors(result));
        Assert.Equal(("MLENV1065", p.ProjectFile), (error.Code, error.File));
        Assert.Contains($"this is MSBuild {version} on .NET Framework", result.Output);
        Assert.Contains("dotnet build", result.Output);
        Assert.DoesNotContain("MSB4062", result.Output);
        Assert.DoesNotContain("MSB4036", result.Output);
        // Nothing ran before it: not even the property validation wrote its cache.
        Assert.False(File.Exists(p.Obj("properties.cache")));
    }

    [Fact]
    public void MSBuild18OnFrameworkRunsEveryTaskInTheNetTaskHost()
    {
        // Honest about what this is: the .NET SDK's MSBuild 18 taking the Framework-18 branch, so the very
        // Runtime="NET" TaskFactory="TaskHostFactory" declarations Visual Studio 2026 gets launch the tasks out of process.
        var p = New("vs18").Wheel("w", "1.0");
        var result = p.Build("-v:d", "-p:_MlEnvMSBuildRuntimeType=Full", "-p:_MlEnvMSBuildVersion=18.0.5");
        Assert.True(result.ExitCode == 0, result.Output);
        foreach (var task in new[] { "ValidateMlEnvProperties", "ResolveMlEnvDefinition", "RegisterMlEnvEnvironment" })
            Assert.Contains($"Launching task \"{task}\" from assembly \"{Path.Combine(Sdk.PackagesFolder, "mlenv.sdk", Sdk.Version.ToLowerInvariant(), "build")}", result.Output);
        Assert.Contains("in an external task host with a runtime of \"NET\"", result.Output);
        Assert.Matches("^[0-9a-f]{64}$", HashOf(p));
    }

    [Fact]
    public void ADesignTimeBuildContactsNoEngineEvenWhenOneIsRequired()
    {
        var p = New("designtime").Property("MlEnvBuildImage", "true").Property("MlEnvRequireDocker", "true")
            .Property("MlEnvDockerHost", NoEngine).Wheel("w", "1.0");
        var env = new Dictionary<string, string> { ["DOCKER_HOST"] = NoEngine };
        var designTime = p.Run(["build", p.ProjectFile, "-nologo", "-v:n", "-p:DesignTimeBuild=true", "-p:BuildingProject=false"], environment: env);
        Assert.True(designTime.ExitCode == 0, designTime.Output);
        Assert.DoesNotContain("MLENV2001", designTime.Output);
        Assert.DoesNotContain(NoEngine, designTime.Output);
        Assert.Empty(BuildDiagnostic.Parse(designTime.Output));
        // The same project, built for real: the engine is really unreachable, and required.
        var real = p.Run(["build", p.ProjectFile, "-nologo", "-v:n"], environment: env);
        Assert.NotEqual(0, real.ExitCode);
        Assert.Contains(BuildDiagnostic.Errors(real), d => d.Code == "MLENV2001");
    }

    [Fact]
    public void TheStandaloneFormAnswersTheDesignTimeTargetsTheProjectSystemCalls()
    {
        // <Project Sdk="MlEnv.Sdk/…"> alone is a Microsoft.NET.Sdk project that compiles nothing (as NoTargets is):
        // the design-time targets the .NET SDK defines exist (the bare targets of before made each one MSB4057), and
        // a design-time pass over them reaches no engine. Visual Studio's Managed.DesignTime.targets adds the rest.
        var p = New("standaloneide").Property("MlEnvBuildImage", "true").Property("MlEnvRequireDocker", "true")
            .Property("MlEnvDockerHost", NoEngine).Wheel("w", "1.0");
        var result = p.Run(["msbuild", p.ProjectFile, "-nologo", "-restore", "-p:DesignTimeBuild=true", "-p:BuildingProject=false",
            "-p:SkipCompilerExecution=true", "-p:ProvideCommandLineArgs=true",
            "-t:ResolveAssemblyReferencesDesignTime;ResolveProjectReferencesDesignTime;ResolvePackageDependenciesDesignTime;CollectPackageReferences;CollectFrameworkReferences;CompileDesignTime;BuiltProjectOutputGroup;GetTargetFrameworks;Build",
            "-getProperty:UsingMicrosoftNETSdk", "-getProperty:TargetFramework", "-getProperty:UsingMlEnvSdk"],
            environment: new Dictionary<string, string> { ["DOCKER_HOST"] = NoEngine });
        Assert.True(result.ExitCode == 0, result.Output);
        var properties = Terminal.Json(result.Output).GetProperty("Properties");
        Assert.Equal("true", properties.GetProperty("UsingMicrosoftNETSdk").GetString());
        Assert.Equal("net10.0", properties.GetProperty("TargetFramework").GetString());
        Assert.Equal("true", properties.GetProperty("UsingMlEnvSdk").GetString());
        Assert.False(File.Exists(p.Obj("image.json")));
    }

    [Fact]
    public void TheUpToDateCheckInputsNameEveryFileResolutionReads()
    {
        var p = New("futdc")
            .File("requirements.txt", "six==1.16.0\n").Item("MlEnvPipRequirements", "requirements.txt")
            .File("environment.yml", "dependencies:\n  - pip\n").Item("MlEnvCondaSpecification", "environment.yml")
            .File("base.Dockerfile", "FROM mlenv-test/bookworm-python:1\n").Property("MlEnvBaseDockerfile", "base.Dockerfile")
            .File("score.py", "def run(x):\n    return x\n").Property("MlEnvScoringScript", "score.py")
            .File("model.onnx", "m").Item("MlEnvModel", "model.onnx")
            .File("models/a.bin", "a").File("models/sub/b.bin", "b").Item("MlEnvModel", "models")
            .File("prefix/conda-meta/history", "==> 2024 <==\n").Item("MlEnvExistingCondaEnvironment", "prefix")
            .Wheel("w", "1.0");
        var evaluated = Inputs(p.Run(["msbuild", p.ProjectFile, "-nologo", "-getItem:UpToDateCheckInput"]));
        foreach (var file in new[] { "requirements.txt", "environment.yml", "base.Dockerfile", "score.py", "model.onnx", "wheels/" + Path.GetFileName(Directory.GetFiles(Path.Combine(p.Directory, "wheels"))[0]), "prefix/conda-meta/history" })
            Assert.Contains(Path.Combine(p.Directory, file), evaluated);
        // A model folder's files, as the IDE collects them (CollectUpToDateCheckInputDesignTime runs this first).
        var collected = Inputs(p.Run(["msbuild", p.ProjectFile, "-nologo", "-t:_MlEnvCollectUpToDateCheckInputs", "-getItem:UpToDateCheckInput"]));
        Assert.Contains(Path.Combine(p.Directory, "models", "a.bin"), collected);
        Assert.Contains(Path.Combine(p.Directory, "models", "sub", "b.bin"), collected);
    }

    private static HashSet<string> Inputs(DotnetResult result)
    {
        Assert.True(result.ExitCode == 0, result.Output);
        using var json = JsonDocument.Parse(result.Output[result.Output.IndexOf('{')..]);
        return json.RootElement.GetProperty("Items").GetProperty("UpToDateCheckInput").EnumerateArray()
            .Select(i => i.GetProperty("FullPath").GetString()!).ToHashSet();
    }
}

/// <summary>
/// The terminal logger (the default in an interactive terminal) shows, at its default verbosity, no message of any
/// importance: only warnings, errors, the running target of each project, and a project's "→ output" line. These
/// tests run `dotnet build -tl:on` in a pseudo-terminal (script(1)), as a developer's terminal would.
/// </summary>
public sealed class TerminalLoggerTests(SdkPackage sdk) : EngineFreeTest(sdk)
{
    [Fact]
    public void TheCommandTargetsShowTheirResultAndReturnItemsAsJson()
    {
        var p = New("tlcommands").Property("MlEnvStore", Path.Combine(Path.GetTempPath(), "mlenv-tl-" + Guid.NewGuid().ToString("N"))).Wheel("w", "1.0");
        var build = p.Build();
        Assert.True(build.ExitCode == 0, build.Output);
        var hash = HashOf(p);

        var list = Terminal.Run(Sdk, p, "-t:MlEnvList");
        Assert.True(list.ExitCode == 0, list.Output);
        Assert.Matches(Terminal.Succeeded("tlcommands"), list.Output);
        Assert.Contains("\u2192 1 version(s) of 1 environment(s)", list.Output);
        Assert.Contains("tlcommands v1", list.Output);

        var items = Terminal.Run(Sdk, p, "-t:MlEnvList", "-getItem:MlEnvEnvironment");
        Assert.True(items.ExitCode == 0, items.Output);
        var environment = Assert.Single(Terminal.Json(items.Output).GetProperty("Items").GetProperty("MlEnvEnvironment").EnumerateArray());
        Assert.Equal("tlcommands:v1", environment.GetProperty("Identity").GetString());
        Assert.Equal("1", environment.GetProperty("Version").GetString());
        Assert.Equal(hash, environment.GetProperty("Hash").GetString());

        var show = Terminal.Run(Sdk, p, "-t:MlEnvShow", "-getTargetResult:MlEnvShow");
        var shown = Assert.Single(Terminal.Json(show.Output).GetProperty("TargetResults").GetProperty("MlEnvShow").GetProperty("Items").EnumerateArray());
        Assert.Equal(hash, shown.GetProperty("Hash").GetString());
        Assert.Equal(File.ReadAllText(p.Obj("definition.json")).Trim(), shown.GetProperty("Definition").GetString()!.Trim());

        var folder = Path.Combine(p.Directory, "downloaded");
        var download = Terminal.Run(Sdk, p, "-t:MlEnvDownload", $"-p:MlEnvDownloadDir={folder}");
        Assert.True(download.ExitCode == 0, download.Output);
        // The terminal logger shows an output path relative to the working directory (the project's here).
        Assert.Matches(Terminal.Succeeded("tlcommands"), download.Output);
        Assert.Contains("\u2192 downloaded", download.Output);
        Assert.True(File.Exists(Path.Combine(folder, "Dockerfile")));

        var scaffold = Terminal.Run(Sdk, p, "-t:MlEnvScaffold", $"-p:MlEnvScaffoldDir={Path.Combine(p.Directory, "newenv")}", "-getTargetResult:MlEnvScaffold");
        var created = Assert.Single(Terminal.Json(scaffold.Output).GetProperty("TargetResults").GetProperty("MlEnvScaffold").GetProperty("Items").EnumerateArray());
        Assert.Equal(Path.Combine(p.Directory, "newenv", "newenv.csproj"), created.GetProperty("Identity").GetString());

        var register = Terminal.Run(Sdk, p, "-t:MlEnvRegister");
        Assert.True(register.ExitCode == 0, register.Output);
        Assert.Contains($"tlcommands v1 ({hash[..12]}), unchanged", register.Output);
    }

    [Fact]
    public void WithoutTheResultLineTheTerminalLoggerWouldShowNothingOfTheTable()
    {
        // The premise of the result line, measured: the table's header is a high-importance message, hidden by default
        // and shown at the terminal logger's detailed verbosity.
        var p = New("tlpremise").Property("MlEnvStore", Path.Combine(Path.GetTempPath(), "mlenv-tl-" + Guid.NewGuid().ToString("N"))).Wheel("w", "1.0");
        Assert.Equal(0, p.Build().ExitCode);
        Assert.DoesNotContain("CREATED (UTC)", Terminal.Run(Sdk, p, "-t:MlEnvList").Output);
        Assert.Contains("CREATED (UTC)", Terminal.Run(Sdk, p, "-t:MlEnvList", "-tlp:v=d").Output);
    }
}

/// <summary>`dotnet build -tl:on` in a pseudo-terminal: script(1) gives the build a terminal, as a developer's has.</summary>
internal static partial class Terminal
{
    public static DotnetResult Run(SdkPackage sdk, TestProject p, params string[] args)
    {
        p.Save();
        var command = string.Join(' ', new[] { "dotnet", "build", p.ProjectFile, "-nologo", "-tl:on" }.Concat(args).Select(Quote));
        var psi = new ProcessStartInfo("script") { WorkingDirectory = p.Directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-qec", command, "/dev/null" }) psi.ArgumentList.Add(a);
        psi.Environment["NUGET_PACKAGES"] = sdk.PackagesFolder;
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        psi.Environment["TERM"] = "xterm-256color";
        psi.Environment["COLUMNS"] = "200";
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10))) { process.Kill(entireProcessTree: true); throw new TimeoutException(command); }
        process.WaitForExit();
        return new DotnetResult(process.ExitCode, Plain(stdout.Result + stderr.Result), watch.Elapsed);
    }

    /// <summary>The terminal's text without its control sequences (colours, cursor moves, OSC progress).</summary>
    public static string Plain(string raw) => Ansi().Replace(raw, "").Replace("\r", "");

    /// <summary>
    /// A project's result line: "name succeeded", or "name net10.0 succeeded" when the terminal logger knows its target
    /// framework (the standalone form has one, as NoTargets projects do).
    /// </summary>
    public static string Succeeded(string project) => $@"{project} (net10\.0 )?succeeded";

    /// <summary>The JSON MSBuild prints for -getItem / -getTargetResult (it prints nothing else then).</summary>
    public static JsonElement Json(string output)
    {
        using var json = JsonDocument.Parse(output[output.IndexOf('{')..(output.LastIndexOf('}') + 1)]);
        return json.RootElement.Clone();
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";

    [GeneratedRegex(@"\x1b(\[[0-9;?]*[A-Za-z]|\][^\x07\x1b]*(\x07|\x1b\\)|[=>])")]
    private static partial Regex Ansi();
}

/// <summary>An image build under the terminal logger, in a pseudo-terminal.</summary>
public sealed class TerminalLoggerBuildTests(SdkPackage sdk) : EndToEndTest(sdk)
{
    [DockerFact]
    public void TheLiveLineNamesTheImageBuildAndTheResultLineNamesTheImage()
    {
        var p = New("tlbuild").Wheel("tl-lib", "1.0", "X = 1\n");
        var result = Terminal.Run(Sdk, p);
        Assert.True(result.ExitCode == 0, result.Output);
        var hash = HashOf(p);
        // The live line (redrawn while the target runs) shows the phase: the image build's target.
        Assert.Matches(@"tlbuild (net10\.0 )?ComputeMlEnvImage \([0-9.]+s\)", result.Output);
        // And the project's result line, the image it made.
        Assert.Matches(Terminal.Succeeded("tlbuild"), result.Output);
        Assert.Contains($"\u2192 mlenv/tlbuild:{hash[..12]}", result.Output);
    }
}
