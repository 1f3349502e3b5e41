using System.Net;
using System.Text;
using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

/// <summary>`dotnet publish`: the scoring service, the registry as a shared cache, the offline bundle.</summary>
public sealed class PublishTests(SdkPackage sdk) : EndToEndTest(sdk)
{
    private readonly List<string> containers = [];


    private TestProject ScoringProject(string name) =>
        New(name).CopyFromRepo("samples/ScoringService/score.py").CopyFromRepo("samples/ScoringService/model")
            .Property("MlEnvScoringScript", "score.py").Item("MlEnvModel", "model")
            .Label("org.mlenv-test.service", "1");

    private string Serve(string image) => ScoringContainer.Serve(image, Sdk.RunId, containers);

    [DockerFact]
    [Trait("Engine", "Podman")]
    public async Task PublishBuildsAScoringServiceThatAnswersAndSurvivesErrors()
    {
        var p = ScoringProject("scoring");
        var result = p.Publish();
        Assert.True(result.ExitCode == 0, result.Output);
        var manifest = p.PublishManifest();
        var service = manifest.GetProperty("serviceImage").GetString()!;
        Assert.StartsWith("mlenv/scoring-service:", service);
        Assert.Equal(File.ReadAllText(p.Obj("definition.sha256")).Trim(), manifest.GetProperty("hash").GetString());

        var url = Serve(service);
        using var http = new HttpClient();
        var ok = await http.PostAsync($"{url}/score", new StringContent("{\"data\": [[1, 2], [3, 4]]}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("{\"predictions\": [0.5, 2.5]}", await ok.Content.ReadAsStringAsync());

        var badJson = await http.PostAsync($"{url}/score", new StringContent("{not json", Encoding.UTF8));
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
        var raises = await http.PostAsync($"{url}/score", new StringContent("{\"rows\": []}", Encoding.UTF8));
        Assert.Equal(HttpStatusCode.InternalServerError, raises.StatusCode);
        Assert.Contains("\"type\": \"KeyError\"", await raises.Content.ReadAsStringAsync());
        // Still serving after the failures, on kept-alive connections too (a bounded loop on 127.0.0.1).
        for (int i = 0; i < 30; i++)
        {
            var (body, status) = (i % 3) switch
            {
                0 => ("{\"data\": [[0, 0]]}", HttpStatusCode.OK),
                1 => ("{\"rows\": 1}", HttpStatusCode.InternalServerError),
                _ => ("[not json", HttpStatusCode.BadRequest),
            };
            var answer = await http.PostAsync($"{url}/score", new StringContent(body, Encoding.UTF8));
            Assert.Equal(status, answer.StatusCode);
        }
        var again = await http.PostAsync($"{url}/score", new StringContent("{\"data\": [[0, 0]]}", Encoding.UTF8));
        Assert.Equal("{\"predictions\": [0.5]}", await again.Content.ReadAsStringAsync());
        Assert.Equal("{\"status\": \"healthy\"}", await http.GetStringAsync($"{url}/health"));
    }

    [DockerFact]
    public async Task ANewModelRebuildsOnlyTheModelLayerAndNeverTheEnvironment()
    {
        var p = ScoringProject("scoring-model");
        Assert.Equal(0, p.Publish().ExitCode);
        var first = p.PublishManifest();
        var before = await Images.InspectAsync(first.GetProperty("serviceImage").GetString()!);

        File.WriteAllText(Path.Combine(p.Directory, "model", "linear.json"), "{\"coef\": [1.0, 1.0], \"intercept\": 0.0}\n");
        var republish = p.Publish();
        Assert.True(republish.ExitCode == 0, republish.Output);
        Assert.DoesNotContain("Building environment image", republish.Output);
        var second = p.PublishManifest();
        Assert.Equal(first.GetProperty("imageId").GetString(), second.GetProperty("imageId").GetString());
        var after = await Images.InspectAsync(second.GetProperty("serviceImage").GetString()!);
        Assert.NotEqual(before!.ID, after!.ID);

        var (x, y) = (before.RootFS!.Layers!, after.RootFS!.Layers!);
        Assert.Equal(x.Count, y.Count);
        var differing = Enumerable.Range(0, x.Count).Where(i => x[i] != y[i]).ToList();
        Assert.Single(differing);
        Assert.Equal(x.Count - 1, differing[0]);

        var url = Serve(second.GetProperty("serviceImage").GetString()!);
        using var http = new HttpClient();
        var answer = await http.PostAsync($"{url}/score", new StringContent("{\"data\": [[1, 2]]}", Encoding.UTF8));
        Assert.Equal("{\"predictions\": [3.0]}", await answer.Content.ReadAsStringAsync());
    }

    [DockerFact]
    public async Task AnOfflineBundleRestoresOnAnAirGappedMachineAndIsReusedByHash()
    {
        var p = New("bundle").Wheel("w", "1.0");
        var published = p.Publish("-p:MlEnvBundle=true");
        Assert.True(published.ExitCode == 0, published.Output);
        var tar = Path.Combine(p.PublishDirectory, "mlenv-image.tar");
        Assert.True(File.Exists(tar));
        Assert.True(File.Exists(Path.Combine(p.PublishDirectory, "definition.json")));
        Assert.Equal("mlenv-image.tar", p.PublishManifest().GetProperty("bundle").GetString());

        var hash = File.ReadAllText(p.Obj("definition.sha256")).Trim();
        foreach (var image in await Images.WithHashAsync(hash)) BuildTests.Docker("rmi", "-f", image.ID);
        Assert.Empty(await Images.WithHashAsync(hash));
        BuildTests.Docker("load", "-i", tar);

        var airGapped = New("bundle-elsewhere").Wheel("w", "1.0");
        var build = airGapped.Build();
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.True(System.Text.Json.JsonDocument.Parse(File.ReadAllText(airGapped.OutputManifest)).RootElement.GetProperty("reused").GetBoolean());
        Assert.DoesNotContain("Step 1/", build.Output, StringComparison.OrdinalIgnoreCase);
    }

    public override void Dispose()
    {
        foreach (var c in containers) { try { BuildTests.Docker("rm", "-f", c); } catch (Xunit.Sdk.XunitException) { } }
        base.Dispose();
    }
}
