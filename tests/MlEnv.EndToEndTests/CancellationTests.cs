using System.Diagnostics;
using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

public sealed class CancellationTests(SdkPackage sdk) : EndToEndTest(sdk)
{
    [DockerFact]
    public async Task CtrlCStopsTheDaemonsBuildTagsNothingAndTheNextBuildRecovers()
    {
        var marker = $"mlenv-cancel-{Sdk.RunId}";
        var project = New("cancel")
            .File("base.Dockerfile", $"FROM {TestEnvironment.BaseImage}\nRUN echo {marker} && sleep 25\n")
            .Property("MlEnvBaseImage", "")
            .Property("MlEnvBaseDockerfile", "base.Dockerfile")
            .Wheel("w", "1.0");
        var cancelledAt = Stopwatch.StartNew();
        bool sent = false;
        var result = project.Run(["build", project.ProjectFile, "-nologo", "-v:n"], TimeSpan.FromMinutes(3), (process, line) =>
        {
            if (sent || !line.Contains("Step 2/", StringComparison.OrdinalIgnoreCase)) return;
            sent = true;
            Thread.Sleep(2000); // let the RUN container start
            cancelledAt.Restart();
            using var kill = Process.Start("kill", ["-INT", process.Id.ToString()]);
            kill.WaitForExit();
        });
        Assert.True(sent, result.Output);
        Assert.NotEqual(0, result.ExitCode);
        Assert.True(cancelledAt.Elapsed < TimeSpan.FromSeconds(20), $"the build took {cancelledAt.Elapsed} to stop after Ctrl+C");

        var hash = File.ReadAllText(project.Obj("definition.sha256")).Trim();
        Assert.Empty(await Images.WithHashAsync(hash));
        // The daemon stopped the RUN step's container instead of finishing it.
        await Task.Delay(3000);
        Assert.DoesNotContain(marker, BuildTests.Docker("ps", "-a", "--no-trunc", "--format", "{{.Command}}"));

        var recovered = project.Build();
        Assert.True(recovered.ExitCode == 0, recovered.Output);
        Assert.Single(await Images.WithHashAsync(hash));
    }
}
