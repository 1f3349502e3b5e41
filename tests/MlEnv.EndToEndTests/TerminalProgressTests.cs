using System.Text.RegularExpressions;
using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

/// <summary>
/// MlEnvTerminalProgress: the image build's steps on the terminal logger's live line, in a pseudo-terminal, and the
/// classic console output as it was.
/// </summary>
public sealed class TerminalProgressTests(SdkPackage sdk) : EndToEndTest(sdk)
{
    [DockerFact]
    public void TheLiveLineShowsEachStepOfTheImageBuildAndTheClassicOutputKeepsItsShape()
    {
        // RUN steps of a second each, so that the live line (redrawn every few tens of milliseconds) surely shows them;
        // the second longer than any line, to be shortened.
        var padding = string.Concat(Enumerable.Repeat(" mlenv-padding", 20));
        var p = New("tlprogress")
            .File("base.Dockerfile", $"FROM {TestEnvironment.BaseImage}\nRUN sleep 1 && echo mlenv-progress-a\nRUN sleep 1 && echo mlenv-progress-b{padding}\n")
            .Property("MlEnvBaseImage", "")
            .Property("MlEnvBaseDockerfile", "base.Dockerfile")
            .Property("MlEnvTerminalProgress", "true")
            .Wheel("tlp-lib", "1.0", "X = 1\n");

        var live = Terminal.Run(Sdk, p);
        Assert.True(live.ExitCode == 0, live.Output);
        var hash = HashOf(p);
        // The live line: "  tlprogress net10.0 Step 2/7 : RUN sleep 1 && echo mlenv-progress-a (3.1s)".
        var steps = StepsOf(live.Output);
        var a = Assert.Single(steps, s => s.Value.Text == "RUN sleep 1 && echo mlenv-progress-a");
        // The next, shortened to fit the line: its head and "…" (the logger drops a text that does not fit).
        var b = steps[a.Key + 1].Text;
        Assert.EndsWith("\u2026", b);
        Assert.StartsWith(b.TrimEnd('\u2026'), "RUN sleep 1 && echo mlenv-progress-b" + padding, StringComparison.Ordinal);
        Assert.True(b.Length > 20 && b.Length < 100, b);
        var total = a.Value.Total;
        Assert.All(steps.Values, s => Assert.Equal(total, s.Total));
        // Before the first step: what the task is doing (the reuse check, a registry pull).
        Assert.Matches($@"tlprogress (net10\.0 )?Looking for image {hash[..12]} \([0-9.]+s\)", live.Output);
        // The route's measured side effect: the terminal logger calls the project a test project; no test summary.
        Assert.Matches(@"tlprogress test (net10\.0 )?succeeded", live.Output);
        Assert.Contains($"\u2192 mlenv/tlprogress:{hash[..12]}", live.Output);
        Assert.DoesNotContain("Test summary", live.Output);

        // Without the property: the terminal logger as before, the target's name on the live line.
        var plain = Terminal.Run(Sdk, p, "-p:MlEnvTerminalProgress=false", "-p:MlEnvRefresh=true");
        Assert.True(plain.ExitCode == 0, plain.Output);
        Assert.Empty(StepsOf(plain.Output));
        Assert.Matches(Terminal.Succeeded("tlprogress"), plain.Output);
        Assert.Matches(@"tlprogress (net10\.0 )?ComputeMlEnvImage \([0-9.]+s\)", plain.Output);

        // The classic logger (redirected output): each step once, as before, and nothing of the live line's own text.
        var classic = p.Build("-p:MlEnvRefresh=true");
        Assert.True(classic.ExitCode == 0, classic.Output);
        var lines = classic.Output.Split('\n').Select(l => l.TrimEnd('\r').Trim()).ToList();
        for (var n = 1; n <= total; n++)
            Assert.Single(lines, l => l.StartsWith($"Step {n}/{total} : ", StringComparison.Ordinal));
        Assert.Single(lines, l => l == $"Step {a.Key}/{total} : RUN sleep 1 && echo mlenv-progress-a");
        Assert.Single(lines, l => l == $"MlEnv: Building environment image mlenv/tlprogress:{hash[..12]}");
        Assert.DoesNotContain("Looking for image", classic.Output);
        Assert.DoesNotContain(lines, l => l.Contains("tlprogress test", StringComparison.Ordinal));
    }

    /// <summary>The steps the live line showed, by number: "tlprogress [net10.0] Step n/m : text (1.2s)".</summary>
    private static Dictionary<int, (int Total, string Text)> StepsOf(string terminal) =>
        LiveStep().Matches(terminal).GroupBy(m => int.Parse(m.Groups[1].Value))
            .ToDictionary(g => g.Key, g => (int.Parse(g.First().Groups[2].Value), g.First().Groups[3].Value));

    private static Regex LiveStep() => new(@"tlprogress (?:net10\.0 )?Step ([0-9]+)/([0-9]+) : (.+?) \([0-9.]+s\)");
}
