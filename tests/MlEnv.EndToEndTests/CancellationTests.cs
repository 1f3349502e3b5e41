using System.Diagnostics;
using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

[Collection("docker")]
public sealed class CancellationTests(SdkPackage sdk) : IDisposable
{
    private readonly Images images = new(sdk.RunId);
    private TestProject? project;

    [DockerFact]
    public async Task CtrlCStopsTheDaemonsBuildTagsNothingAndTheNextBuildRecovers()
    {
        var marker = $"mlenv-cancel-{sdk.RunId}";
        project = TestProject.Create(sdk, "cancel")
            .File("base.Dockerfile", $"FROM {TestEnvironment.BaseImage}\nRUN echo {marker} && sleep 25\n")
            .Property("MlEnvBaseImage", "")
            .Property("MlEnvBaseDockerfile", "base.Dockerfile")
            .Wheel("w", "1.0");
        var cancelledAt = Stopwatch.StartNew();
        bool sent = false;
        var result = project.Run(["build", project.ProjectFile, "-nologo", "-v:n"], TimeSpan.FromMinutes(3), (process, line) =>
        {
            if (sent || !line.Contains("Step 2/", StringComparison.Ordinal)) return;
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
        Assert.Empty(await images.WithHashAsync(hash));
        // The daemon stopped the RUN step's container instead of finishing it.
        await Task.Delay(3000);
        Assert.DoesNotContain(marker, BuildTests.Docker("ps", "-a", "--no-trunc", "--format", "{{.Command}}"));

        var recovered = project.Build();
        Assert.True(recovered.ExitCode == 0, recovered.Output);
        Assert.Single(await images.WithHashAsync(hash));
    }

    public void Dispose()
    {
        project?.Dispose();
        images.Dispose();
    }
}
