using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

/// <summary>What the engine prints reaches MSBuild's log and build.log as text, without terminal control sequences.</summary>
public sealed class EngineOutputTests(SdkPackage sdk) : EndToEndTest(sdk)
{
    [DockerFact]
    public void AFailingStepsColouredOutputReachesTheErrorWithoutEscapes()
    {
        // The classic builder colours a RUN step's stderr itself (ESC[91m … ESC[0m); the step adds colours of its own.
        var p = New("colour-output")
            .File("base.Dockerfile", $"FROM {TestEnvironment.BaseImage}\nRUN printf '\\033[1;33mmlenv-colour-marker\\033[0m\\n' >&2; exit 3\n")
            .Property("MlEnvBaseImage", "")
            .Property("MlEnvBaseDockerfile", "base.Dockerfile")
            .Wheel("w", "1.0");
        var build = p.Build();
        Assert.NotEqual(0, build.ExitCode);
        var error = build.Output.Split('\n').First(l => l.Contains("error MLENV2002", StringComparison.Ordinal));
        Assert.Contains("mlenv-colour-marker", build.Output);
        Assert.DoesNotContain('\u001b', build.Output);
        Assert.DoesNotContain('\u001b', error);
        var log = File.ReadAllText(p.Obj("build.log"));
        Assert.Contains("mlenv-colour-marker", log);
        Assert.DoesNotContain('\u001b', log);
    }
}
