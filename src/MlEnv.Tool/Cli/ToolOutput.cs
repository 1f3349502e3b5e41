using MlEnv.Diagnostics;
using MlEnv.Images;

namespace MlEnv.Tool.Cli;

/// <summary>Engine output of pulls and pushes: the latest line on the spinner, messages and warnings on stderr.</summary>
public sealed class StatusOutput(ToolContext context, Action<string> status) : IBuildOutput
{
    public void Step(string line) => status(line);
    public void Detail(string line) => status(line);
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
