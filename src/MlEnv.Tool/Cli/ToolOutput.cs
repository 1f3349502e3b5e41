using System.Text.RegularExpressions;
using MlEnv.Diagnostics;
using MlEnv.Images;

namespace MlEnv.Tool.Cli;

/// <summary>Engine output of pulls and pushes: the latest line on the spinner, messages and warnings on stderr.</summary>
public sealed class StatusOutput(ToolContext context, Action<string> status) : IBuildOutput
{
    public void Step(string line) => status(line);
    public void Detail(string line) => status(line);
    public void Progress(string message) => status(message);
    public void Info(string message) => context.Error.WriteLine(message);
    public void Warn(Diagnostic diagnostic) => context.Report(diagnostic);
}

/// <summary>A training run: the script's own output on stdout, MlEnv's messages on stderr.</summary>
public sealed class RunOutput(ToolContext context) : IBuildOutput
{
    public void Step(string line) => context.Out.WriteLine(line);
    public void Detail(string line) { }
    public void Info(string message) => context.Error.WriteLine(message);
    public void Warn(Diagnostic diagnostic) => context.Report(diagnostic);
}

/// <summary>An image build: "Step n/m" lines move the progress bar; messages and warnings go to stderr.</summary>
public sealed partial class BuildProgressOutput(ToolContext context, Action<int, int, string> progress) : IBuildOutput
{
    [GeneratedRegex(@"(?:Step|STEP) ([0-9]{1,4})/([0-9]{1,4}) ?: ?(.*)\z")]
    private static partial Regex StepPattern();

    private (int Step, int Steps) last = (0, 1);

    public void Step(string line)
    {
        if (StepPattern().Match(line) is not { Success: true } m) return;
        last = (int.Parse(m.Groups[1].Value) - 1, int.Parse(m.Groups[2].Value));
        progress(last.Step, last.Steps, m.Groups[3].Value);
    }

    /// <summary>A phase without steps (a pull before the build): the bar stays, the text says what runs.</summary>
    public void Progress(string message) => progress(last.Step, last.Steps, message);

    public void Detail(string line) { }
    public void Info(string message) => context.Error.WriteLine(message);
    public void Warn(Diagnostic diagnostic) => context.Report(diagnostic);
}
