using System.Text.Json;
using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

/// <summary>Real `dotnet build` runs of real projects against a real Docker engine.</summary>
public sealed class BuildTests(SdkPackage sdk) : EndToEndTest(sdk)
{


    private static void Succeeded(DotnetResult r) => Assert.True(r.ExitCode == 0, r.Output);

    [DockerFact]
    [Trait("Engine", "Podman")]
    public async Task FirstBuildBuildsSecondIsANoOpAndTheImageRunsThePackages()
    {
        var p = New("first").Wheel("greet-lib", "1.0", "def hello():\n    return 'hello from greet-lib'\n")
            .Item("MlEnvVariable", "GREETING", ("Value", "hi there"));
        var first = p.Build();
        Succeeded(first);
        Assert.Contains("Step 1/", first.Output, StringComparison.OrdinalIgnoreCase);

        var hash = HashOf(p);
        var image = await Images.InspectAsync($"mlenv/first:{hash[..12]}");
        Assert.NotNull(image);
        var labels = image!.Config!.Labels!;
        Assert.Equal(hash, labels["org.mlenv.definition-hash"]);
        Assert.Equal("first", labels["org.mlenv.name"]);
        Assert.Equal(Sdk.Version, labels["org.mlenv.sdk-version"]);
        Assert.Equal(File.ReadAllText(p.Obj("definition.json")), labels["org.mlenv.definition"]);
        Assert.Contains("GREETING=hi there", image.Config.Env!);

        var manifest = JsonDocument.Parse(File.ReadAllText(p.OutputManifest)).RootElement;
        Assert.Equal(hash, manifest.GetProperty("hash").GetString());
        Assert.Equal(image.ID, manifest.GetProperty("imageId").GetString());
        Assert.Equal($"mlenv/first:{hash[..12]}", manifest.GetProperty("image").GetString());
        Assert.False(manifest.GetProperty("reused").GetBoolean());
        Assert.Contains("Step 1/", File.ReadAllText(p.Obj("build.log")), StringComparison.OrdinalIgnoreCase);

        var built = File.GetLastWriteTimeUtc(p.Obj("build.log"));
        var (second, upToDate) = p.BuildImage("--no-restore");
        Succeeded(second);
        Assert.Equal(("true", image.ID), (upToDate!["UpToDate"], upToDate["ImageId"]));
        Assert.Equal(built, File.GetLastWriteTimeUtc(p.Obj("build.log")));   // nothing was built

        var run = Docker("run", "--rm", $"mlenv/first:{hash[..12]}", "python", "-c", "import greet_lib, os; print(greet_lib.hello(), os.environ['GREETING'])");
        Assert.Equal("hello from greet-lib hi there", run.Trim());
    }

    [DockerFact]
    [Trait("Engine", "Podman")]
    public async Task ASecondProjectWithTheSameDefinitionReusesTheImageAndOrderDoesNotMatter()
    {
        var a = New("reuse-a").Wheel("alpha", "1.0").Wheel("beta", "1.0").Item("MlEnvVariable", "A", ("Value", "1")).Item("MlEnvVariable", "B", ("Value", "2"));
        Succeeded(a.Build());
        var b = New("reuse-b").Item("MlEnvVariable", "B", ("Value", "2")).Item("MlEnvVariable", "A", ("Value", "1"))
            .Wheel("beta", "1.0").Wheel("alpha", "1.0");
        var second = b.Build();
        Succeeded(second);
        Assert.Equal(HashOf(a), HashOf(b));
        Assert.DoesNotContain("Step 1/", second.Output, StringComparison.OrdinalIgnoreCase);
        var tag = HashOf(a)[..12];
        Assert.Equal((await Images.InspectAsync($"mlenv/reuse-a:{tag}"))!.ID, (await Images.InspectAsync($"mlenv/reuse-b:{tag}"))!.ID);
        Assert.True(JsonDocument.Parse(File.ReadAllText(b.OutputManifest)).RootElement.GetProperty("reused").GetBoolean());
    }

    [DockerFact]
    [Trait("Engine", "Podman")]
    public async Task ChangingOneWheelRebuildsOnlyTheLaterLayersAndExplainsWhy()
    {
        var p = New("layers2").Wheel("stable", "1.0").Wheel("changing", "1.0").Item("MlEnvVariable", "X", ("Value", "1"));
        Succeeded(p.Build());
        var before = await Images.InspectAsync($"mlenv/layers2:{HashOf(p)[..12]}");

        Wheels.Write(Path.Combine(p.Directory, "wheels", Wheels.FileName("changing", "1.0")), "changing", "1.0", "VALUE = 2\n");
        var rebuild = p.Build();
        Succeeded(rebuild);
        Assert.Contains("MLENV2007", rebuild.Output);
        Assert.Contains("wheels: changing-1.0-py3-none-any.whl", rebuild.Output.Replace("changing_1.0", "changing-1.0"));
        var after = await Images.InspectAsync($"mlenv/layers2:{HashOf(p)[..12]}");
        Assert.NotEqual(before!.ID, after!.ID);

        // base + venv layers are shared; the wheel layer (and what follows) differs.
        var (x, y) = (before.RootFS!.Layers!, after.RootFS!.Layers!);
        Assert.Equal(x.Count, y.Count);
        int firstDifferent = Enumerable.Range(0, x.Count).First(i => x[i] != y[i]);
        Assert.True(firstDifferent >= 2, $"layers differ from index {firstDifferent}");
        Assert.Contains(" Using cache", File.ReadAllText(p.Obj("build.log")));
    }

    [DockerFact]
    [Trait("Engine", "Podman")]
    public async Task AFailingStepIsACodedErrorAndNothingIsTagged()
    {
        var p = New("failing");
        Directory.CreateDirectory(Path.Combine(p.Directory, "wheels"));
        // A zip (so resolution accepts it) that is no wheel: pip refuses it during the build.
        using (var zip = System.IO.Compression.ZipFile.Open(Path.Combine(p.Directory, "wheels", "broken-1.0-py3-none-any.whl"), System.IO.Compression.ZipArchiveMode.Create))
        using (var writer = new StreamWriter(zip.CreateEntry("not-a-wheel.txt").Open()))
            writer.Write("this zip holds no .dist-info");
        p.Item("MlEnvPipWheel", "wheels/broken-1.0-py3-none-any.whl");
        var result = p.Build();
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("error MLENV2002", result.Output);
        Assert.Contains("RUN python -m pip install", result.Output);
        Assert.Empty(await Images.WithHashAsync(HashOf(p)));
        Assert.Null(await Images.InspectAsync($"mlenv/failing:{HashOf(p)[..12]}"));
    }

    [DockerFact]
    public void APythonVersionTheBaseCannotProvideIsACodedError()
    {
        var p = New("pyver").Property("MlEnvPythonVersion", "3.12");
        var result = p.Build();
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("error MLENV2005", result.Output);
        Assert.Contains("the base image has Python 3.11", result.Output);
    }

    [DockerFact]
    public async Task FourProjectsWithOneDefinitionBuiltInParallelBuildTheImageOnce()
    {
        var root = Directory.CreateTempSubdirectory("mlenv-parallel-").FullName;
        var names = Enumerable.Range(1, 4).Select(i => $"par{i}").ToList();
        // One environment name too: the four register concurrently into one store entry.
        var shared = $"par-{Sdk.RunId}".ToLowerInvariant();
        foreach (var name in names)
            New(name, root: root).Wheel("shared", "1.0").Item("MlEnvVariable", "SLOW", ("Value", "1")).Property("MlEnvName", shared).Save();
        File.Copy(Path.Combine(root, "par1", "nuget.config"), Path.Combine(root, "nuget.config"));
        File.Copy(Path.Combine(root, "par1", "global.json"), Path.Combine(root, "global.json"));
        File.WriteAllText(Path.Combine(root, "all.proj"), $"""
            <Project>
              <Target Name="Build">
                <MSBuild Projects="{string.Join(";", names.Select(n => $"{n}/{n}.csproj"))}" Targets="Restore" Properties="_Restore=1" />
                <MSBuild Projects="{string.Join(";", names.Select(n => $"{n}/{n}.csproj"))}" Targets="Build" BuildInParallel="true" />
              </Target>
            </Project>
            """);
        var result = Dotnet.Run(root, ["build", "all.proj", "-m:4", "-nologo", "-v:n"], new Dictionary<string, string> { ["NUGET_PACKAGES"] = Sdk.PackagesFolder });
        try
        {
            Assert.True(result.ExitCode == 0, result.Output);
            Assert.Equal(1, result.Count("MlEnv: Building environment image"));
            Assert.Equal(3, result.Count("Reused environment image"));
            var hash = File.ReadAllText(Path.Combine(root, "par1", "obj", "Debug", "mlenv", "definition.sha256")).Trim();
            Assert.Single(await Images.WithHashAsync(hash));
            var versions = Directory.GetFiles(Path.Combine(Sdk.Store, shared), "v*.json");
            Assert.Equal("v1.json", Path.GetFileName(Assert.Single(versions)));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [DockerFact]
    public async Task AdditiveConsumptionAndGlobalJsonPinningWork()
    {
        var app = New("additive-app", TestProject.Style.Additive).Wheel("w", "1.0");
        var built = app.Build();
        Succeeded(built);
        Assert.True(File.Exists(app.OutputManifest));
        Assert.True(File.Exists(Path.Combine(app.Directory, "bin", "Debug", "net10.0", "additive-app.dll")));
        Assert.NotNull(await Images.InspectAsync($"mlenv/additive-app:{HashOf(app)[..12]}"));

        var pinned = New("pinned", TestProject.Style.PinnedInGlobalJson).Wheel("w", "1.0");
        var result = pinned.Build();
        Succeeded(result);
        Assert.True(JsonDocument.Parse(File.ReadAllText(pinned.OutputManifest)).RootElement.GetProperty("reused").GetBoolean());
    }

    [DockerFact]
    public async Task DotnetCleanRemovesGeneratedFilesButKeepsTheImage()
    {
        foreach (var style in new[] { TestProject.Style.Standalone, TestProject.Style.Additive })
        {
            var p = New($"clean-{style.ToString().ToLowerInvariant()}", style).Wheel("w", "1.0");
            Succeeded(p.Build());
            var hash = HashOf(p);
            var manifest = p.OutputManifest;
            Assert.True(File.Exists(manifest));
            Succeeded(p.Run(["clean", p.ProjectFile, "-nologo"]));
            Assert.False(File.Exists(p.Obj("definition.json")), style.ToString());
            Assert.False(File.Exists(p.Obj("Dockerfile")), style.ToString());
            Assert.False(File.Exists(manifest), style.ToString());
            Assert.NotEmpty(await Images.WithHashAsync(hash));
        }
    }

    [DockerFact]
    public void StandalonePublishBuildsTheEnvironment()
    {
        var p = New("publish-standalone").Wheel("w", "1.0");
        var result = p.Run(["publish", p.ProjectFile, "-nologo"]);
        Succeeded(result);
        Assert.True(File.Exists(p.Obj("mlenv.json")));
    }

    internal static string Docker(params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"docker {string.Join(' ', args)}: {error}");
        return output;
    }
}

/// <summary>Engine-free builds: input refused before any build, and an engine that is meant to be unreachable.</summary>
public sealed class EngineFreeBuildTests(SdkPackage sdk) : EngineFreeTest(sdk)
{
    [Fact]
    public void AnInjectionAttemptInAnItemIsRejectedBeforeAnyBuild()
    {
        var p = New("inject").Item("MlEnvAptPackage", "curl`touch /pwned`").Item("MlEnvPipPackage", "x", ("Version", "1.0`id`"));
        var result = p.Build();
        Assert.NotEqual(0, result.ExitCode);
        var errors = BuildDiagnostic.Errors(result);
        Assert.Equal(["MLENV1001", "MLENV1011"], errors.Select(e => e.Code).Order());
        Assert.All(errors, e => Assert.True(e.File == p.ProjectFile && e.Line > 0, e.ToString()));
        Assert.False(File.Exists(p.Obj("Dockerfile")));
        Assert.False(File.Exists(p.Obj("definition.json")));
    }

    [Fact]
    public void AnUnreachableEngineWarnsOrFailsAsAskedAndTheFilesAreStillGenerated()
    {
        var p = New("noengine").Property("MlEnvBuildImage", "true").Wheel("w", "1.0").Property("MlEnvDockerHost", "unix:///tmp/mlenv-no-such-engine.sock");
        var warned = p.Run(["build", p.ProjectFile, "-nologo", "-p:MlEnvRequireDocker=false"]);
        Assert.True(warned.ExitCode == 0, warned.Output);
        Assert.Contains(new BuildDiagnostic(p.ProjectFile, 0, 0, "warning", "MLENV2001"), BuildDiagnostic.Parse(warned.Output));
        Assert.True(File.Exists(p.Obj("Dockerfile")));
        Assert.True(File.Exists(p.Obj("definition.json")));

        var failed = p.Run(["build", p.ProjectFile, "-nologo", "-p:MlEnvRequireDocker=true"]);
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Equal(new BuildDiagnostic(p.ProjectFile, 0, 0, "error", "MLENV2001"), Assert.Single(BuildDiagnostic.Errors(failed)));
    }
}
