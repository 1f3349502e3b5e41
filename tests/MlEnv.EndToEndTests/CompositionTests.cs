using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

/// <summary>A ProjectReference between MlEnv projects: the referencing environment is built FROM the referenced one.</summary>
public sealed class CompositionTests(SdkPackage sdk) : EndToEndTest(sdk)
{
    private readonly string root = Directory.CreateTempSubdirectory("mlenv-compose-").FullName;

    [DockerFact]
    [Trait("Engine", "Podman")]
    public async Task AReferencedEnvironmentIsTheBaseAndAChangeToItRebuildsBoth()
    {
        var baseEnv = New("env-base", root: root).Wheel("base-lib", "1.0", "VALUE = 'base1'\n");
        var app = New("env-app", root: root).RemoveProperty("MlEnvBaseImage").Wheel("app-lib", "1.0", "VALUE = 'app'\n")
            .Item("ProjectReference", "../env-base/env-base.csproj");
        baseEnv.Save();

        var first = app.Build();
        Assert.True(first.ExitCode == 0, first.Output);
        var baseHash = HashOf(baseEnv);
        var appHash = HashOf(app);
        var baseImage = Assert.IsType<Docker.DotNet.Models.ImageInspectResponse>(await Images.InspectAsync($"mlenv/env-base:{baseHash[..12]}"));
        var appImage = Assert.IsType<Docker.DotNet.Models.ImageInspectResponse>(await Images.InspectAsync($"mlenv/env-app:{appHash[..12]}"));
        // Built FROM it: the app image's layers start with every layer of the referenced environment's image.
        Assert.Equal(baseImage.RootFS!.Layers!, appImage.RootFS!.Layers!.Take(baseImage.RootFS!.Layers!.Count));
        Assert.True(appImage.RootFS!.Layers!.Count > baseImage.RootFS!.Layers!.Count);
        Assert.Equal("base1 app", Python(appHash, "import base_lib, app_lib; print(base_lib.VALUE, app_lib.VALUE)"));
        Assert.Contains($"\"hash\":\"{baseHash}\"", File.ReadAllText(app.Obj("definition.json")));

        var resolved = File.GetLastWriteTimeUtc(app.Obj("resolve.stamp"));
        var (noop, noopImage) = app.BuildImage("--no-restore");
        Assert.True(noop.ExitCode == 0, noop.Output);
        Assert.Equal(resolved, File.GetLastWriteTimeUtc(app.Obj("resolve.stamp")));   // not resolved again
        Assert.Equal(($"mlenv/env-app:{appHash[..12]}", "true"), (noopImage!["Identity"], noopImage["UpToDate"]));

        // A change to the referenced environment: building the app rebuilds both and says why.
        Wheels.Write(Path.Combine(baseEnv.Directory, "wheels", Wheels.FileName("base-lib", "1.0")), "base-lib", "1.0", "VALUE = 'base2'\n");
        var changed = app.Build("--no-restore");
        Assert.True(changed.ExitCode == 0, changed.Output);
        var newBaseHash = HashOf(baseEnv);
        var newAppHash = HashOf(app);
        Assert.NotEqual(baseHash, newBaseHash);
        Assert.NotEqual(appHash, newAppHash);
        Assert.Contains($"referenced environment env-base changed: {baseHash[..12]} → {newBaseHash[..12]}", changed.Output);
        Assert.Equal("base2 app", Python(newAppHash, "import base_lib, app_lib; print(base_lib.VALUE, app_lib.VALUE)"));
    }

    private string Python(string hash, string code) =>
        BuildTests.Docker("run", "--rm", "--label", $"org.mlenv-test.run={Sdk.RunId}", $"mlenv/env-app:{hash[..12]}", "python", "-c", code).Trim();

    public override void Dispose()
    {
        base.Dispose();
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Engine-free: what composition refuses, and which references it leaves out.</summary>
public sealed class CompositionConflictTests(SdkPackage sdk) : EngineFreeTest(sdk)
{
    private readonly string root = Directory.CreateTempSubdirectory("mlenv-compose-").FullName;

    [Fact]
    public void AConflictWithTheReferencedEnvironmentIsACodedErrorAndNonEnvironmentReferencesAreIgnored()
    {
        New("env-base", root: root).Save();
        New("plain-lib", root: root).Property("EnableMlEnv", "false").Save();
        var app = New("env-app", root: root)
            .Item("ProjectReference", "../env-base/env-base.csproj").Item("ProjectReference", "../plain-lib/plain-lib.csproj");
        // Both projects set the same base image (as a shared Directory.Build.props does): that is no conflict.
        var same = app.Build();
        Assert.True(same.ExitCode == 0, same.Output);

        app.Property("MlEnvBaseImage", "debian:bookworm-slim");
        var conflict = app.Build();
        Assert.NotEqual(0, conflict.ExitCode);
        var error = Assert.Single(BuildDiagnostic.Errors(conflict));
        Assert.Equal(("MLENV1036", app.ProjectFile), (error.Code, error.File));

        app.RemoveProperty("MlEnvBaseImage");
        var ok = app.Build();
        Assert.True(ok.ExitCode == 0, ok.Output);
        Assert.Contains("\"name\":\"env-base\"", File.ReadAllText(app.Obj("definition.json")));
    }

    public override void Dispose()
    {
        base.Dispose();
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
    }
}
