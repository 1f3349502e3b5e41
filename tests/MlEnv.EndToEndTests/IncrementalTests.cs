using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

/// <summary>A no-op build skips resolution, but anything resolution reads or is told still counts.</summary>
public sealed class IncrementalTests(SdkPackage sdk) : EndToEndTest(sdk)
{


    [DockerFact]
    public async Task APrunedImageIsFoundMissingAndBuiltAgain()
    {
        var p = New("pruned").Wheel("w", "1.0");
        Assert.Equal(0, p.Build().ExitCode);
        var hash = File.ReadAllText(p.Obj("definition.sha256")).Trim();
        foreach (var pruned in await Images.WithHashAsync(hash)) BuildTests.Docker("rmi", "-f", pruned.ID);

        var (again, image) = p.BuildImage("--no-restore");
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Equal(("false", "false"), (image!["UpToDate"], image["Reused"]));   // built, neither up to date nor reused
        Assert.Single(await Images.WithHashAsync(hash));
    }

    [DockerFact]
    public async Task RefreshRebuildsWithoutTheLayerCache()
    {
        var p = New("refresh").Wheel("w", "1.0");
        Assert.Equal(0, p.Build().ExitCode);
        var hash = File.ReadAllText(p.Obj("definition.sha256")).Trim();
        var (refreshed, image) = p.BuildImage("--no-restore", "-p:MlEnvRefresh=true");
        Assert.True(refreshed.ExitCode == 0, refreshed.Output);
        Assert.Equal(("false", "false"), (image!["UpToDate"], image["Reused"]));
        Assert.DoesNotContain("Using cache", File.ReadAllText(p.Obj("build.log")));
        Assert.Equal(2, (await Images.WithHashAsync(hash)).Count);
    }

}

/// <summary>Engine-free: whether resolution runs again, seen from the files it writes.</summary>
public sealed class IncrementalResolutionTests(SdkPackage sdk) : EngineFreeTest(sdk)
{
    [Fact]
    public void AnEditedIncludeOrACommandLinePropertyResolvesAgain()
    {
        var p = New("incremental")
            .File("requirements.txt", "-r extra.txt\nrequests==2.31.0\n").File("extra.txt", "six==1.16.0\n")
            .Item("MlEnvPipRequirements", "requirements.txt");
        Assert.Equal(0, p.Build().ExitCode);
        var first = File.ReadAllText(p.Obj("definition.json"));
        Assert.Contains("six==1.16.0", first);

        var resolved = File.GetLastWriteTimeUtc(p.Obj("resolve.stamp"));
        var noop = p.Build("--no-restore");
        Assert.Equal(0, noop.ExitCode);
        Assert.Equal(resolved, File.GetLastWriteTimeUtc(p.Obj("resolve.stamp")));   // not resolved again

        File.WriteAllText(Path.Combine(p.Directory, "extra.txt"), "six==1.17.0\n");
        Assert.Equal(0, p.Build("--no-restore").ExitCode);
        Assert.Contains("six==1.17.0", File.ReadAllText(p.Obj("definition.json")));

        var property = p.Run(["build", p.ProjectFile, "--no-restore", "-nologo", "-p:MlEnvPythonVersion=3.11"]);
        Assert.Equal(0, property.ExitCode);
        Assert.Contains("\"python\":\"3.11\"", File.ReadAllText(p.Obj("definition.json")));
    }
}
