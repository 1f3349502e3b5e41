using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

public sealed class CuratedEnvironmentTests(SdkPackage sdk) : EndToEndTest(sdk)
{
    [DockerFact]
    public async Task AProjectStartsFromACuratedEnvironmentAndAddsToIt()
    {
        var p = New("from-curated").Property("MlEnvCurated", "mlenv-minimal").Wheel("extra-lib", "1.0");
        var result = p.Build();
        Assert.True(result.ExitCode == 0, result.Output);
        var definition = File.ReadAllText(p.Obj("definition.json"));
        Assert.Contains("\"python\":\"3.11\"", definition);
        Assert.Contains("\"PYTHONUNBUFFERED\":\"1\"", definition);
        var image = await Images.InspectAsync($"mlenv/from-curated:{HashOf(p)[..12]}");
        Assert.Contains("PYTHONUNBUFFERED=1", image!.Config!.Env!);

        var unknown = New("bad-curated").Property("MlEnvCurated", "mlenv-everything");
        var failed = unknown.Build();
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("error MLENV1033", failed.Output);
        Assert.Contains("mlenv-minimal, mlenv-tutorial", failed.Output);
    }
}
