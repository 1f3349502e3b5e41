using MlEnv.EndToEndTests.Infrastructure;
using MlEnv.Engine;

namespace MlEnv.EndToEndTests;

/// <summary>A GPU environment on the engine at hand: a warning at build, an error at run, when it has no NVIDIA runtime.</summary>
public sealed class GpuTests(SdkPackage sdk) : EndToEndTest(sdk)
{
    [DockerFact]
    public void AGpuEnvironmentWarnsAtBuildAndFailsAtRunWithoutTheNvidiaRuntime()
    {
        using var engine = new DockerEngine(DockerEngine.ResolveEndpoint(null));
        bool nvidia = engine.HasNvidiaRuntimeAsync(CancellationToken.None).GetAwaiter().GetResult();
        var p = New("gpu-env").Property("MlEnvGpu", "true").Property("MlEnvGpuBaseImage", TestEnvironment.BaseImage)
            .File("train.py", "print('ran')\n");
        var build = p.Build();
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Contains("\"gpu\":true", File.ReadAllText(p.Obj("definition.json")));
        var run = p.Run(["build", p.ProjectFile, "-nologo", "-v:n", "--no-restore", "-t:MlEnvRun", "-p:MlEnvRunScript=train.py"]);
        if (nvidia)
        {
            Assert.DoesNotContain("MLENV2011", build.Output);
            Assert.True(run.ExitCode == 0, run.Output);
            return;
        }
        Assert.Contains("warning MLENV2011", build.Output);
        Assert.Contains("Built environment image", build.Output);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("error MLENV2008", run.Output);
        Assert.DoesNotContain(run.Output.Split('\n'), l => l.Trim() == "ran");
    }
}
