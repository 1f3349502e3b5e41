using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

/// <summary>
/// One project, one environment pass: a multi-targeted project resolves and registers once, in one folder that
/// `dotnet clean` removes; a no-op build without an image neither resolves nor registers again. Asserted on files
/// and their timestamps, not on log text.
/// </summary>
public sealed class OnePassTests(SdkPackage sdk) : EngineFreeTest(sdk)
{
    private static DateTime Written(string path) => File.GetLastWriteTimeUtc(path);

    [Fact]
    public void AMultiTargetedProjectHasOneEnvironmentThatCleanRemoves()
    {
        // Two target frameworks the installed SDK builds offline: net10.0 and an alias of it.
        var p = New("multi", TestProject.Style.Additive).RemoveProperty("TargetFramework")
            .Property("TargetFrameworks", "net10.0;alias10")
            .ConditionalProperties("'$(TargetFramework)' == 'alias10'", ("TargetFrameworkIdentifier", ".NETCoreApp"), ("TargetFrameworkVersion", "v10.0"))
            .Item("MlEnvPipPackage", "six", ("Version", "1.16.0"));
        var build = p.Build("-v:q");
        Assert.True(build.ExitCode == 0, build.Output);

        var obj = Path.Combine(p.Directory, "obj", "Debug");
        var environment = Path.Combine(obj, "mlenv");
        Assert.True(File.Exists(Path.Combine(environment, "definition.json")), build.Output);
        Assert.True(File.Exists(Path.Combine(environment, "register.stamp")));
        // Both inner builds ran (their assemblies exist) and neither made an environment of its own.
        Assert.True(File.Exists(Path.Combine(obj, "net10.0", "multi.dll")));
        Assert.True(File.Exists(Path.Combine(obj, "alias10", "multi.dll")));
        Assert.Equal([environment], Directory.GetDirectories(p.Directory, "mlenv", SearchOption.AllDirectories));
        var stored = Path.Combine(Sdk.Store, "multi");
        Assert.Equal(["v1.json"], Directory.GetFiles(stored, "v*.json").Select(Path.GetFileName));

        var resolved = Written(Path.Combine(environment, "resolve.stamp"));
        var registered = Written(Path.Combine(environment, "register.stamp"));
        var noop = p.Build("-v:q", "--no-restore");
        Assert.True(noop.ExitCode == 0, noop.Output);
        Assert.Equal(resolved, Written(Path.Combine(environment, "resolve.stamp")));
        Assert.Equal(registered, Written(Path.Combine(environment, "register.stamp")));

        var clean = p.Run(["clean", p.ProjectFile, "-nologo", "-v:q"]);
        Assert.True(clean.ExitCode == 0, clean.Output);
        Assert.False(Directory.Exists(environment), "dotnet clean left " + environment);
        Assert.Empty(Directory.GetDirectories(p.Directory, "mlenv", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("noop-no-image", "MlEnvBuildImage=false")]
    [InlineData("noop-no-engine", "MlEnvDockerHost=unix:///tmp/mlenv-no-such-engine.sock")]
    // A shared store in a registry takes images: without one there is nothing to register, and nothing to retry.
    [InlineData("noop-shared-store", "MlEnvBuildImage=false", "MlEnvRegistry=localhost:5999")]
    public void ANoOpBuildWithoutAnImageDoesNotRegisterAgain(string name, params string[] settings)
    {
        var p = New(name).Property("MlEnvBuildImage", "true").Property("MlEnvRequireDocker", "false")
            .Item("MlEnvVariable", "STAGE", ("Value", "one"));
        foreach (var setting in settings) p.Property(setting.Split('=')[0], setting.Split('=', 2)[1]);
        var shared = settings.Any(s => s.StartsWith("MlEnvRegistry=", StringComparison.Ordinal));
        var first = p.Build("-v:q");
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.False(File.Exists(p.Obj("image.json")));
        var stamp = p.Obj("register.stamp");
        Assert.True(File.Exists(stamp), first.Output);
        var registered = Written(stamp);
        var version = Path.Combine(Sdk.Store, name, "v1.json");
        Assert.Equal(!shared, File.Exists(version));
        var versionWritten = Written(version);

        var second = p.Build("-v:q", "--no-restore");
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Equal(registered, Written(stamp));
        Assert.Equal(versionWritten, Written(version));
        // Nothing ran, so nothing warned again either (the engine or registry warning of the first build).
        Assert.DoesNotContain(BuildDiagnostic.Parse(second.Output), d => d.Code is "MLENV3008");

        // A changed definition is registered again (locally as version 2).
        p.Item("MlEnvVariable", "MORE", ("Value", "two"));
        Assert.Equal(0, p.Build("-v:q", "--no-restore").ExitCode);
        Assert.NotEqual(registered, Written(stamp));
        Assert.Equal(!shared, File.Exists(Path.Combine(Sdk.Store, name, "v2.json")));
    }

    [Fact]
    public void AnIndexPasswordReachesNoCacheAndChangingItAloneResolvesNothing()
    {
        var p = New("index-password").Item("MlEnvPipPackage", "six", ("Version", "1.16.0"));
        DotnetResult Build(string url) => p.Run(["build", p.ProjectFile, "-nologo", "-v:q", $"-p:MlEnvPipIndexUrl={url}"]);
        Assert.Equal(0, Build("https://bob:first-secret@127.0.0.1:9/simple").ExitCode);
        var caches = new[] { "properties.cache", "inputs.cache" }.ToDictionary(f => f, f => File.ReadAllText(p.Obj(f)));
        var resolved = Written(p.Obj("resolve.stamp"));

        Assert.Equal(0, Build("https://bob:second-secret@127.0.0.1:9/simple").ExitCode);
        foreach (var (file, text) in caches) Assert.Equal(text, File.ReadAllText(p.Obj(file)));
        Assert.Equal(resolved, Written(p.Obj("resolve.stamp")));
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(p.Obj("x"))!))
            Assert.DoesNotContain("secret", File.ReadAllText(file));

        // The rest of the URL still counts, and a password with a space is refused again (MLENV1015 before MLENV1032).
        Assert.Equal(0, Build("https://bob:second-secret@127.0.0.2:9/simple").ExitCode);
        Assert.NotEqual(caches["inputs.cache"], File.ReadAllText(p.Obj("inputs.cache")));
        var spaced = Build("https://bob:second secret@127.0.0.2:9/simple");
        Assert.Equal(["MLENV1015"], BuildDiagnostic.Errors(spaced).Select(e => e.Code).Distinct());

        // A token in the query is refused, and no file under obj holds it, the caches included.
        var token = Build("https://127.0.0.2:9/simple?token=query-secret-42");
        Assert.Equal(["MLENV1051"], BuildDiagnostic.Errors(token).Select(e => e.Code).Distinct());
        Assert.DoesNotContain("query-secret-42", token.Output);
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(p.Obj("x"))!))
            Assert.DoesNotContain("query-secret-42", File.ReadAllText(file));
    }
}
