using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

/// <summary>A real registry on 127.0.0.1 as the shared cache of a CI fleet: publish on machine A, build on machine B.</summary>
public sealed class RegistryTests(SdkPackage sdk) : EndToEndTest(sdk)
{

    private TestProject Fleet(string name) =>
        New(name).Wheel("fleet-lib", "1.0").Item("MlEnvVariable", "FLEET", ("Value", name.Split('-')[0]));

    /// <summary>Machine A publishes; its local images are removed (machine B has none); B builds and pulls instead.</summary>
    private async Task PublishThenBuildElsewhere(LocalRegistry registry, Dictionary<string, string>? credentials)
    {
        var prefix = registry.Username is null ? "open" : "auth";
        var a = Fleet($"{prefix}-machine-a").Property("MlEnvRegistry", registry.Address).Property("MlEnvImageTags", "latest");
        var published = a.Run(["publish", a.ProjectFile, "-nologo", "-v:n"], environment: credentials);
        Assert.True(published.ExitCode == 0, published.Output);
        var manifest = a.PublishManifest();
        Assert.Equal(registry.Address, manifest.GetProperty("registry").GetString());
        var pushed = manifest.GetProperty("pushed").EnumerateArray().ToList();
        var hash = File.ReadAllText(a.Obj("definition.sha256")).Trim();
        Assert.Equal(
            [$"{registry.Address}/mlenv/{prefix}-machine-a:{hash[..12]}", $"{registry.Address}/mlenv/{prefix}-machine-a:latest",
             $"{registry.Address}/mlenv/environments:{hash}"],
            pushed.Select(p => p.GetProperty("reference").GetString()));
        Assert.All(pushed, p => Assert.StartsWith("sha256:", p.GetProperty("digest").GetString()));

        foreach (var image in await Images.WithHashAsync(hash)) BuildTests.Docker("rmi", "-f", image.ID);
        Assert.Empty(await Images.WithHashAsync(hash));

        // Machine B: the same definition under another project name, repository pointed at A's.
        var b = Fleet($"{prefix}-machine-b").Property("MlEnvRegistry", registry.Address).Property("MlEnvImageRepository", $"mlenv/{prefix}-machine-a");
        var build = b.Run(["build", b.ProjectFile, "-nologo", "-v:n"], environment: credentials);
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Contains("Pulled environment image", build.Output);
        Assert.DoesNotContain("Step 1/", build.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Single(await Images.WithHashAsync(hash));
        Assert.Equal($"{registry.Address}/mlenv/{prefix}-machine-a:{hash[..12]}",
            System.Text.Json.JsonDocument.Parse(File.ReadAllText(b.OutputManifest)).RootElement.GetProperty("pulledFrom").GetString());
    }

    [RegistryFact]
    public async Task AnOpenRegistryServesAsTheFleetsCache()
    {
        using var registry = new LocalRegistry(withAuth: false);
        await PublishThenBuildElsewhere(registry, null);
    }

    [RegistryFact]
    public async Task ARegistryWithBasicAuthTakesCredentialsFromTheEnvironmentOrTheDockerConfig()
    {
        using var registry = new LocalRegistry(withAuth: true);
        var credentials = new Dictionary<string, string> { ["MLENV_REGISTRY_USERNAME"] = registry.Username!, ["MLENV_REGISTRY_PASSWORD"] = registry.Password! };
        await PublishThenBuildElsewhere(registry, credentials);

        // The standard Docker config file works too, and the password never reaches the log.
        var config = Directory.CreateTempSubdirectory("mlenv-docker-config-").FullName;
        try
        {
            var auth = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{registry.Username}:{registry.Password}"));
            File.WriteAllText(Path.Combine(config, "config.json"), $"{{\"auths\": {{\"{registry.Address}\": {{\"auth\": \"{auth}\"}}}}}}");
            var p = Fleet("auth-config").Property("MlEnvRegistry", registry.Address);
            var published = p.Run(["publish", p.ProjectFile, "-nologo", "-v:diag"], environment: new Dictionary<string, string> { ["DOCKER_CONFIG"] = config });
            Assert.True(published.ExitCode == 0, published.Output);
            Assert.Equal(2, p.PublishManifest().GetProperty("pushed").GetArrayLength()); // its own tag and the shared one
            Assert.DoesNotContain(registry.Password!, published.Output);
            Assert.DoesNotContain(auth, published.Output);
        }
        finally
        {
            Directory.Delete(config, recursive: true);
        }
    }

    [RegistryFact]
    public void ARefusedPushIsAnErrorAndAnUnreachableCacheIsAWarning()
    {
        using var registry = new LocalRegistry(withAuth: true);
        var refused = Fleet("refused").Property("MlEnvRegistry", registry.Address);
        var result = refused.Run(["publish", refused.ProjectFile, "-nologo"], environment: new Dictionary<string, string> { ["DOCKER_CONFIG"] = refused.Directory });
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("error MLENV3002", result.Output);

        var unreachable = Fleet("unreachable").Property("MlEnvRegistry", $"127.0.0.1:{LocalRegistry.FreePort()}");
        var build = unreachable.Build();
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Contains("warning MLENV3001", build.Output);
        Assert.Contains("Built environment image", build.Output);
    }

}

/// <summary>Needs a Docker engine and Debian's docker-registry; in CI (MLENV_REQUIRE_DOCKER=1) it runs and fails without them.</summary>
public sealed class RegistryFactAttribute : FactAttribute
{
    public RegistryFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("MLENV_REQUIRE_DOCKER") == "1") return;
        if (new DockerFactAttribute().Skip is { } reason) Skip = reason;
        else if (!File.Exists(LocalRegistry.Binary)) Skip = "Debian's docker-registry is not installed (eng/prepare-engine.sh installs it).";
    }
}
