using System.Text.Json;
using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

/// <summary>
/// Reuse and pull find the environment image itself, never an image built on it (which inherits its hash label),
/// and the registry cache is keyed by the definition, not by the project that pushed it.
/// </summary>
public sealed class EnvironmentReuseTests(SdkPackage sdk) : EndToEndTest(sdk)
{
    private static string ImageIdOf(TestProject p) =>
        JsonDocument.Parse(File.ReadAllText(p.OutputManifest)).RootElement.GetProperty("imageId").GetString()!;

    [DockerFact]
    public async Task AfterAPublishAnotherProjectWithTheSameDefinitionReusesTheEnvironmentNotTheService()
    {
        // The same definition twice: the run label, one wheel, one variable (the scoring script is not part of it).
        TestProject Same(string name) => New(name).Wheel("reuse-lib", "1.0").Item("MlEnvVariable", "REUSE", ("Value", "1"));
        var a = Same("reuse-service-a").File("score.py", "def init():\n    pass\n\ndef run(raw):\n    return {}\n")
            .Property("MlEnvScoringScript", "score.py");
        var published = a.Publish();
        Assert.True(published.ExitCode == 0, published.Output);
        var manifest = a.PublishManifest();
        var environment = manifest.GetProperty("imageId").GetString()!;
        var service = manifest.GetProperty("serviceImageId").GetString()!;
        Assert.NotEqual(environment, service);
        // The service image inherits the hash label: both carry it, so the label alone cannot tell them apart.
        var hash = HashOf(a);
        Assert.Equal(2, (await Images.WithHashAsync(hash)).Count);

        // An image a user builds FROM the environment without a new layer (an ENV only), newer than both.
        var derivedDir = Directory.CreateTempSubdirectory("mlenv-derived-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(derivedDir, "Dockerfile"), $"FROM {manifest.GetProperty("image").GetString()}\nENV DERIVED=1\n");
            BuildTests.Docker("build", "-q", "--label", $"org.mlenv-test.run={Sdk.RunId}", "-t", $"mlenv-test/derived:{Sdk.RunId}", derivedDir);
        }
        finally
        {
            Directory.Delete(derivedDir, recursive: true);
        }
        var derived = await Images.InspectAsync($"mlenv-test/derived:{Sdk.RunId}");
        Assert.Equal(hash, derived!.Config!.Labels!["org.mlenv.definition-hash"]);

        var b = Same("reuse-service-b");
        var build = b.Build();
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Equal(hash, HashOf(b));
        Assert.Contains("Reused environment image", build.Output);
        Assert.Equal(environment, ImageIdOf(b));
        Assert.Equal(environment, (await Images.InspectAsync($"mlenv/reuse-service-b:{hash[..12]}"))!.ID);

        // The environment image untagged (it stays as the others' parent, no longer a listed image): what carries the
        // hash now is only built on it, so a third project builds rather than reusing the service or the derived one.
        foreach (var tag in (await Images.InspectAsync(environment))!.RepoTags!) BuildTests.Docker("rmi", tag);
        Assert.NotNull(await Images.InspectAsync(service));
        var c = Same("reuse-service-c");
        var rebuilt = c.Build();
        Assert.True(rebuilt.ExitCode == 0, rebuilt.Output);
        Assert.Contains("Built environment image", rebuilt.Output);
        Assert.DoesNotContain(ImageIdOf(c), new[] { service, derived.ID });
    }

    [RegistryFact]
    public async Task AProjectWithAnotherNameFindsTheSameDefinitionInTheRegistry()
    {
        using var registry = new LocalRegistry(withAuth: false);
        TestProject Same(string name) => New(name).Wheel("shared-lib", "1.0").Item("MlEnvVariable", "SHARED", ("Value", "1"))
            .Property("MlEnvRegistry", registry.Address);
        var a = Same("shared-cache-a");
        var published = a.Publish();
        Assert.True(published.ExitCode == 0, published.Output);
        var hash = HashOf(a);
        var shared = $"{registry.Address}/mlenv/environments:{hash}";
        Assert.Contains(shared, a.PublishManifest().GetProperty("pushed").EnumerateArray().Select(p => p.GetProperty("reference").GetString()));

        // Machine B has none of it.
        foreach (var image in await Images.WithHashAsync(hash)) BuildTests.Docker("rmi", "-f", image.ID);
        Assert.Empty(await Images.WithHashAsync(hash));

        // Another project, its own repository (mlenv/shared-cache-b), the same definition.
        var b = Same("shared-cache-b");
        var build = b.Build();
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Equal(hash, HashOf(b));
        Assert.Contains("Pulled environment image", build.Output);
        Assert.DoesNotContain("Step 1/", build.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(shared, JsonDocument.Parse(File.ReadAllText(b.OutputManifest)).RootElement.GetProperty("pulledFrom").GetString());
        Assert.NotNull(await Images.InspectAsync($"mlenv/shared-cache-b:{hash[..12]}"));
    }
}
