using System.Text.Json;
using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

/// <summary>The versioned store through real `dotnet build` runs: register, version, list, show, download, scaffold, reference.</summary>
public sealed class StoreTests(SdkPackage sdk) : EndToEndTest(sdk)
{
    private static DotnetResult Target(TestProject p, string target, params string[] properties) =>
        p.Run(["build", p.ProjectFile, "-nologo", "-v:n", $"-t:{target}", .. properties.Select(x => "-p:" + x)]);

    [DockerFact]
    public async Task BuildsRegisterVersionsThatListShowAndDownloadAndTheDownloadRebuildsWithPlainDocker()
    {
        var name = $"store-{Sdk.RunId}".ToLowerInvariant().Replace('.', '-');
        var p = New("store-project").Property("MlEnvName", name).Wheel("store-lib", "1.0", "VALUE = 1\n");
        var first = p.Build();
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains($"registered {name} version 1", first.Output);
        var version1 = await Images.InspectAsync($"mlenv/{name}:{HashOf(p)[..12]}");
        Assert.NotNull(version1);

        // Unchanged: still 1, and a no-op build does not even ask the store.
        var unchanged = Target(p, "MlEnvRegister");
        Assert.Contains($"{name} is registered as version 1", unchanged.Output);

        Wheels.Write(Path.Combine(p.Directory, "wheels", Wheels.FileName("store-lib", "1.0")), "store-lib", "1.0", "VALUE = 2\n");
        var second = p.Build();
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains($"registered {name} version 2", second.Output);
        Assert.Contains($"{name} is registered as version 2", Target(p, "MlEnvRegister").Output);

        var listFile = Path.Combine(p.Directory, "list.json");
        var list = Target(p, "MlEnvList", "MlEnvOutputFormat=json", $"MlEnvOutputFile={listFile}");
        Assert.True(list.ExitCode == 0, list.Output);
        var entries = JsonDocument.Parse(File.ReadAllText(listFile)).RootElement.EnumerateArray().Where(e => e.GetProperty("name").GetString() == name).ToList();
        Assert.Equal([1, 2], entries.Select(e => e.GetProperty("version").GetInt32()));
        var table = Target(p, "MlEnvList");
        Assert.Contains("NAME", table.Output);
        // The NAME column is as wide as the longest name in the run's store, which other tests register into too.
        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(name)} +v2 ", table.Output);

        var show = Target(p, "MlEnvShow", "MlEnvVersion=1");
        Assert.True(show.ExitCode == 0, show.Output);
        Assert.True(show.Output.Contains($"{name} v1"), show.Output);
        Assert.Contains("\"fileName\": \"store_lib-1.0-py3-none-any.whl\"", show.Output);

        var download = Path.Combine(p.Directory, "downloaded");
        var downloaded = Target(p, "MlEnvDownload", "MlEnvVersion=1", $"MlEnvDownloadDir={download}");
        Assert.True(downloaded.ExitCode == 0, downloaded.Output);
        foreach (var file in new[] { "Dockerfile", "definition.json", "environment.yml", "wheels/store_lib-1.0-py3-none-any.whl" })
            Assert.True(File.Exists(Path.Combine(download, file)), file);
        // Version 1's wheel bytes came back from the store, not the project's current (version 2) wheel.
        var tag = $"mlenv-test/downloaded:{Sdk.RunId.ToLowerInvariant()}";
        try
        {
            // The very same image: every step, the LABEL step included, comes from the engine's cache of version 1.
            var rebuilt = BuildTests.Docker("build", "-t", tag, download);
            Assert.True(version1.ID == (await Images.InspectAsync(tag))?.ID, rebuilt);
            Assert.Equal("1", BuildTests.Docker("run", "--rm", tag, "python", "-c", "import store_lib; print(store_lib.VALUE)").Trim());
        }
        finally
        {
            BuildTests.Docker("rmi", "-f", tag);
        }

        var missing = Target(p, "MlEnvShow", "MlEnvVersion=7");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("error MLENV1034", missing.Output);
    }
}

/// <summary>Engine-free store targets: references by version range, and scaffolding.</summary>
public sealed class StoreDefinitionTests(SdkPackage sdk) : EngineFreeTest(sdk)
{
    private static DotnetResult Target(TestProject p, string target, params string[] properties) =>
        p.Run(["build", p.ProjectFile, "-nologo", "-v:n", $"-t:{target}", .. properties.Select(x => "-p:" + x)]);

    [Fact]
    public void AProjectBuildsOnARegisteredEnvironmentChosenByVersionRange()
    {
        var name = $"base-{Sdk.RunId}".ToLowerInvariant().Replace('.', '-');
        var registered = New("registered-base").Property("MlEnvName", name)
            .Item("MlEnvVariable", "FROM_BASE", ("Value", "v1"));
        Assert.Equal(0, registered.Build().ExitCode);
        registered.Item("MlEnvVariable", "EXTRA", ("Value", "1"));
        Assert.Equal(0, registered.Build().ExitCode);   // version 2

        var app = New("uses-base").Item("MlEnvReference", name, ("Version", "[1,2)")).Wheel("app-lib", "1.0")
            .Item("MlEnvVariable", "APP", ("Value", "yes"));
        var built = app.Build();
        Assert.True(built.ExitCode == 0, built.Output);
        var definition = File.ReadAllText(app.Obj("definition.json"));
        Assert.Contains("\"FROM_BASE\":\"v1\"", definition);
        Assert.DoesNotContain("EXTRA", definition);                 // version 2 is outside [1,2)
        Assert.Contains("\"APP\":\"yes\"", definition);

        var newest = New("uses-newest").Item("MlEnvReference", name, ("Version", "*"));
        Assert.Equal(0, newest.Build().ExitCode);
        Assert.Contains("EXTRA", File.ReadAllText(newest.Obj("definition.json")));

        var unknown = New("uses-unknown").Item("MlEnvReference", "no-such-env", ("Version", "1"));
        var failed = unknown.Build();
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("error MLENV1034", failed.Output);
        Assert.Contains(name, failed.Output);
    }

    [Fact]
    public void ScaffoldWritesANewEnvironmentProjectThatBuilds()
    {
        var p = New("scaffolder");
        var target = Path.Combine(p.Directory, "scaffolded");
        var result = Target(p, "MlEnvScaffold", $"MlEnvScaffoldDir={target}");
        Assert.True(result.ExitCode == 0, result.Output);
        var project = Path.Combine(target, "scaffolded.csproj");
        var text = File.ReadAllText(project);
        Assert.Contains($"<Project Sdk=\"MlEnv.Sdk/{Sdk.Version}\">", text);
        foreach (var item in new[] { "MlEnvPipPackage", "MlEnvCondaPackage", "MlEnvAptPackage", "MlEnvPipWheel", "MlEnvReference", "MlEnvModel" })
            Assert.Contains(item, text);
        File.Copy(Path.Combine(p.Directory, "nuget.config"), Path.Combine(target, "nuget.config"));
        var build = Dotnet.Run(target, ["build", "-nologo", $"-p:MlEnvBaseImage={TestEnvironment.BaseImage}", "-p:MlEnvBuildImage=false", $"-p:MlEnvStore={Sdk.Store}"],
            new Dictionary<string, string> { ["NUGET_PACKAGES"] = Sdk.PackagesFolder });
        Assert.True(build.ExitCode == 0, build.Output);

        var again = Target(p, "MlEnvScaffold", $"MlEnvScaffoldDir={target}");
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("error MLENV1035", again.Output);
    }
}
