using System.Text.Json;
using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

/// <summary>Training runs (the seed's local ScriptRunConfig) through `dotnet build -t:MlEnvRun`.</summary>
public sealed class RunTests(SdkPackage sdk) : EndToEndTest(sdk)
{
    private const string Train = """
        import argparse, os, sys
        import trainlib
        parser = argparse.ArgumentParser()
        parser.add_argument("--regularization", type=float)
        args = parser.parse_args()
        print("training with", args.regularization, "and", os.environ["GREETING"], flush=True)
        with open(os.path.join(os.environ["MLENV_OUTPUTS"], "model.txt"), "w") as f:
            f.write(f"{trainlib.WEIGHT * args.regularization}\n")
        os.makedirs(os.path.join(os.environ["MLENV_OUTPUTS"], "metrics"), exist_ok=True)
        with open(os.path.join(os.environ["MLENV_OUTPUTS"], "metrics", "loss.txt"), "w") as f:
            f.write(open("/data/shared.txt").read())
        try:
            open("/mlenv/src/should-not-write.txt", "w")
            print("source is writable", flush=True)
        except OSError:
            print("source is read-only", flush=True)
        """;

    [DockerFact]
    [Trait("Engine", "Podman")]
    public void ARunWritesOutputsLogsAndRunJsonAndAFailingRunIsACodedError()
    {
        var shared = Directory.CreateTempSubdirectory("mlenv-shared-").FullName;
        File.WriteAllText(Path.Combine(shared, "shared.txt"), "0.125");
        try
        {
            var p = New("training").Wheel("trainlib", "1.0", "WEIGHT = 10\n")
                .Item("MlEnvVariable", "GREETING", ("Value", "hello"))
                .Item("MlEnvVolume", shared, ("ContainerPath", "/data"), ("ReadOnly", "true"))
                .File("train.py", Train)
                .File("fail.py", "import sys\nprint('about to fail', flush=True)\nsys.exit(3)\n");
            var run = p.Run(["build", p.ProjectFile, "-nologo", "-v:n", "-t:MlEnvRun", "-p:MlEnvRunScript=train.py", "-p:MlEnvRunArguments=--regularization 0.5", "-p:MlEnvShmSize=256m"]);
            Assert.True(run.ExitCode == 0, run.Output);
            Assert.Contains("training with 0.5 and hello", run.Output);
            Assert.Contains("source is read-only", run.Output);

            var runs = Directory.GetDirectories(Path.Combine(p.Directory, "bin", "Debug", "mlenv-runs"));
            var dir = Assert.Single(runs);
            Assert.Equal("5.0", File.ReadAllText(Path.Combine(dir, "outputs", "model.txt")).Trim());
            Assert.Equal("0.125", File.ReadAllText(Path.Combine(dir, "outputs", "metrics", "loss.txt")));
            Assert.Contains("training with 0.5", File.ReadAllText(Path.Combine(dir, "run.log")));
            var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "run.json"))).RootElement;
            Assert.Equal(Path.GetFileName(dir), record.GetProperty("runId").GetString());
            Assert.Equal(0, record.GetProperty("exitCode").GetInt32());
            Assert.Equal("train.py", record.GetProperty("script").GetString());
            Assert.Equal(["--regularization", "0.5"], record.GetProperty("arguments").EnumerateArray().Select(a => a.GetString()));
            var environment = record.GetProperty("environment");
            Assert.Equal(HashOf(p), environment.GetProperty("hash").GetString());
            Assert.Equal("training", environment.GetProperty("name").GetString());
            Assert.Equal(1, environment.GetProperty("version").GetInt32());
            Assert.StartsWith("sha256:", environment.GetProperty("imageId").GetString());
            Assert.DoesNotContain("org.mlenv.run-id", BuildTests.Docker("ps", "-a", "--format", "{{.Labels}}"));

            var failed = p.Run(["build", p.ProjectFile, "-nologo", "-t:MlEnvRun", "-p:MlEnvRunScript=fail.py"]);
            Assert.NotEqual(0, failed.ExitCode);
            Assert.Contains("error MLENV2009", failed.Output);
            Assert.Contains("exited with code 3", failed.Output);
            Assert.Contains("about to fail", failed.Output);
            var failedRun = Directory.GetDirectories(Path.Combine(p.Directory, "bin", "Debug", "mlenv-runs")).Single(d => d != dir);
            Assert.Equal(3, JsonDocument.Parse(File.ReadAllText(Path.Combine(failedRun, "run.json"))).RootElement.GetProperty("exitCode").GetInt32());

            var outside = p.Run(["build", p.ProjectFile, "-nologo", "-t:MlEnvRun", "-p:MlEnvRunScript=../escape.py"]);
            Assert.NotEqual(0, outside.ExitCode);
            Assert.Contains("error MLENV2010", outside.Output);
        }
        finally
        {
            Directory.Delete(shared, recursive: true);
        }
    }

    [DockerFact]
    public void CtrlCStopsAndRemovesTheRunsContainer()
    {
        var p = New("run-cancel").File("slow.py", "import time\nprint('run started', flush=True)\ntime.sleep(120)\n");
        Assert.Equal(0, p.Build().ExitCode);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        bool sent = false;
        var result = p.Run(["build", p.ProjectFile, "-nologo", "-v:n", "-t:MlEnvRun", "-p:MlEnvRunScript=slow.py"], TimeSpan.FromMinutes(3), (process, line) =>
        {
            if (sent || !line.Contains("run started", StringComparison.Ordinal)) return;
            sent = true;
            watch.Restart();
            using var kill = System.Diagnostics.Process.Start("kill", ["-INT", process.Id.ToString()]);
            kill.WaitForExit();
        });
        Assert.True(sent, result.Output);
        Assert.NotEqual(0, result.ExitCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"the run took {watch.Elapsed} to stop after Ctrl+C");
        // The script's first line arrived while it ran (it sleeps 120 s), not when it ended.
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(90), $"the run's output arrived late: {result.Elapsed}");
        Assert.DoesNotContain("org.mlenv.run-id", BuildTests.Docker("ps", "-a", "--format", "{{.Labels}}"));
    }
}
