using System.Collections;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using MlEnv.Tasks;
using Xunit;

namespace MlEnv.Tests;

/// <summary>
/// The live line of MlEnvTerminalProgress: its text shortened to fit, the same logged text as the plain message, and
/// nothing different without it.
/// </summary>
public sealed class TerminalProgressTests
{
    [Theory]
    [InlineData("Step 3/7 : RUN pip install", 40, "Step 3/7 : RUN pip install")]
    [InlineData("Step 3/7 : RUN pip install -r requirements.txt", 20, "Step 3/7 : RUN pip…")]
    [InlineData("  Step 1/2 :\tFROM  x\n\n y  ", 40, "Step 1/2 : FROM x y")]
    [InlineData("a\u0007b\u001bc", 10, "a b c")]
    [InlineData("abcdef", 1, "…")]
    [InlineData("abcdef", 0, "")]
    [InlineData("   ", 10, "")]
    public void ShortensToOneLineThatFits(string text, int max, string expected) =>
        Assert.Equal(expected, TerminalProgress.Shorten(text, max));

    [Fact]
    public void ShortenedTextIsAPrefixOfTheCleanLineAndNeverSplitsASurrogatePair()
    {
        var line = "Step 9/9 : LABEL " + string.Concat(Enumerable.Repeat("😀", 40));
        for (var max = 1; max < 60; max++)
        {
            var shown = TerminalProgress.Shorten(line, max);
            Assert.True(shown.Length <= max, $"{max}: {shown}");
            var head = shown.TrimEnd('…');
            Assert.StartsWith(head, line, StringComparison.Ordinal);
            Assert.False(head.Length > 0 && char.IsHighSurrogate(head[^1]), $"{max}: {shown}");
        }
    }

    [Fact]
    public void ALongLineIsLinearToShorten()
    {
        var huge = new string('x', 5_000_000);
        Assert.Equal(new string('x', 59) + "…", TerminalProgress.Shorten(huge, 60));
    }

    [Theory]
    [InlineData("tlbuild", 80, 80 - 2 - 7 - 9 - 2 - 10)]
    [InlineData("tlbuild", 200, 120 - 2 - 7 - 9 - 2 - 10)]
    [InlineData("a-very-long-project-name-that-leaves-little-room-on-the-line-for-anything-else", 80, 12)]
    public void TheBudgetLeavesRoomForProjectFrameworkAndDuration(string project, int width, int expected) =>
        Assert.Equal(expected, TerminalProgress.Budget(project, width));

    [Fact]
    public void WithoutTheLiveLineTheOutputIsThePlainMessagesAsBefore()
    {
        var engine = new RecordingEngine();
        var task = new ProbeTask { BuildEngine = engine };
        var live = TerminalProgress.Start(task, "ProbeTask", enabled: false, "/p/tlbuild.csproj");
        Assert.Null(live);
        Assert.Empty(engine.Built);
        var output = new MsBuildOutput(task.Log, "/p/tlbuild.csproj", live);
        output.Step("Step 1/3 : FROM base");
        output.Info("Building environment image mlenv/x:0123456789ab");
        output.Progress("Looking for image 0123456789ab");
        Assert.Equal(["  Step 1/3 : FROM base", "MlEnv: Building environment image mlenv/x:0123456789ab"], engine.Messages.Select(m => m.Message));
        Assert.All(engine.Messages, m => Assert.IsNotType<ExtendedBuildMessageEventArgs>(m));
        Assert.All(engine.Messages, m => Assert.Equal(MessageImportance.High, m.Importance));
    }

    [Fact]
    public void WithTheLiveLineTheSameTextIsLoggedAndTheLineShowsItsHead()
    {
        var engine = new RecordingEngine();
        var task = new ProbeTask { BuildEngine = engine };
        var live = TerminalProgress.Start(task, "ProbeTask", enabled: true, "/p/tlbuild.csproj", width: 100);
        Assert.NotNull(live);
        // The test runner's marker target, run in this very project (a null project file is the calling one).
        var (file, targets) = Assert.Single(engine.Built);
        Assert.Null(file);
        Assert.Equal(["_TestRunStart"], targets);

        var output = new MsBuildOutput(task.Log, "/p/tlbuild.csproj", live);
        var label = "Step 7/7 : LABEL org.mlenv.definition=" + new string('d', 4000);
        output.Step(label);
        output.Info("Pushed r/x:1 (sha256:00).");
        output.Progress("Pushing r/x:1");
        output.Detail("Collecting numpy");

        var extended = engine.Messages.OfType<ExtendedBuildMessageEventArgs>().ToList();
        Assert.Equal(["  " + label[..160] + "…", "MlEnv: Pushed r/x:1 (sha256:00).", "MlEnv: Pushing r/x:1"], extended.Select(m => m.Message));
        Assert.All(extended, m => Assert.Equal("TLTESTPASSED", m.ExtendedType));
        Assert.All(extended, m => Assert.Equal(MessageImportance.High, m.Importance));
        Assert.All(extended, m => Assert.Equal("", m.ExtendedMetadata!["localizedResult"]));
        var budget = TerminalProgress.Budget("tlbuild", 100);
        Assert.Equal(TerminalProgress.Shorten(label, budget), extended[0].ExtendedMetadata!["displayName"]);
        Assert.True(extended[0].ExtendedMetadata!["displayName"]!.Length <= budget);
        Assert.Equal("Pushed r/x:1 (sha256:00).", extended[1].ExtendedMetadata!["displayName"]);
        Assert.Equal("Pushing r/x:1", live!.Shown);
        // Detail stays a plain low-importance message: the live line is for steps and phases.
        var detail = Assert.Single(engine.Messages, m => m is not ExtendedBuildMessageEventArgs);
        Assert.Equal((MessageImportance.Low, "  Collecting numpy"), (detail.Importance, detail.Message));
    }

    [Fact]
    public void WhenTheMarkerTargetCannotRunThereIsNoLiveLine()
    {
        var engine = new RecordingEngine { BuildSucceeds = false };
        Assert.Null(TerminalProgress.Start(new ProbeTask { BuildEngine = engine }, "ProbeTask", enabled: true, "/p/x.csproj"));
    }

    private sealed class ProbeTask : Microsoft.Build.Utilities.Task
    {
        public override bool Execute() => true;
    }

    private sealed class RecordingEngine : IBuildEngine
    {
        public List<BuildMessageEventArgs> Messages { get; } = [];
        public List<(string? File, string[] Targets)> Built { get; } = [];
        public bool BuildSucceeds { get; init; } = true;
        public bool ContinueOnError => false;
        public int LineNumberOfTaskNode => 1;
        public int ColumnNumberOfTaskNode => 1;
        public string ProjectFileOfTaskNode => "/p/x.csproj";
        public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs)
        {
            Built.Add((projectFileName, targetNames));
            return BuildSucceeds;
        }
        public void LogCustomEvent(CustomBuildEventArgs e) { }
        public void LogErrorEvent(BuildErrorEventArgs e) { }
        public void LogMessageEvent(BuildMessageEventArgs e) => Messages.Add(e);
        public void LogWarningEvent(BuildWarningEventArgs e) { }
    }
}
