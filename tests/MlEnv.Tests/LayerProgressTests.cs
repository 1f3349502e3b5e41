using MlEnv.Engine;

namespace MlEnv.Tests;

public class LayerProgressTests
{
    private sealed class Clock
    {
        public DateTime Now = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    }

    [Fact]
    public void LayersAreSummedIntoOneLineAndAFinishedLayerIsReportedAtOnce()
    {
        var clock = new Clock();
        var lines = new List<string>();
        var progress = new LayerProgress("Pulling r/x:1", lines.Add, () => clock.Now);
        progress.Update(null, "Pulling from r/x", null, null);
        progress.Update("1:latest", "Pulling from r/x", null, null);
        Assert.Empty(lines); // about the image, not a layer
        progress.Update("aaa", "Downloading", 1048576, 4194304);
        progress.Update("bbb", "Downloading", 0, 2097152);
        Assert.Equal(["Pulling r/x:1: 0/1 layers, 1.0/4.0 MiB"], lines); // the second came within the interval
        progress.Update("bbb", "Pull complete", null, null);
        Assert.Equal("Pulling r/x:1: 1/2 layers, 3.0/6.0 MiB", lines[^1]); // a finished layer counts as whole
        clock.Now += LayerProgress.Interval;
        progress.Update("aaa", "Downloading", 4194304, 4194304);
        Assert.Equal("Pulling r/x:1: 1/2 layers, 6.0/6.0 MiB", lines[^1]);
        progress.Update("aaa", "Pull complete", null, null);
        progress.Update("aaa", "Pull complete", null, null);
        Assert.Equal("Pulling r/x:1: 2/2 layers, 6.0/6.0 MiB", lines[^1]);
        Assert.Equal(4, lines.Count); // a layer finishing twice is reported once
    }

    [Fact]
    public void APushCountsLayersTheRegistryAlreadyHasAsDone()
    {
        var lines = new List<string>();
        var progress = new LayerProgress("Pushing reg/x:1", lines.Add, () => DateTime.UnixEpoch);
        progress.Update("aaa", "Preparing", null, null);
        progress.Update("bbb", "Layer already exists", null, null);
        progress.Update("ccc", "Mounted from mlenv/other", null, null);
        Assert.Equal("Pushing reg/x:1: 2/3 layers", lines[^1]);
        progress.Update("aaa", "Pushing", 10, 0); // no total: no bytes to show
        progress.Update("aaa", "Pushed", null, null);
        Assert.Equal("Pushing reg/x:1: 3/3 layers", lines[^1]);
    }
}
