using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlEnv.Diagnostics;
using Spectre.Console;

namespace MlEnv.Tool.Cli;

/// <summary>
/// Where a command's output goes: people get Spectre tables and spinners on stdout (plain text when stdout is not a
/// terminal), scripts get JSON on stdout and nothing else, and every diagnostic goes to stderr as
/// "error MLENV1234: message".
/// </summary>
public sealed class ToolContext(IAnsiConsole console, TextWriter output, TextWriter error, bool interactive)
{
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public const int RedirectedWidth = 400;

    public static ToolContext ForProcess()
    {
        var interactive = !System.Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(System.Console.Out),
            // Redirected output is for files and pipes: no colours, no cursor movement, whatever TERM says.
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        // Without a terminal there is no width to fit: Spectre would wrap at 80 columns; files and pipes get whole lines.
        if (!interactive) console.Profile.Width = RedirectedWidth;
        return new ToolContext(console, System.Console.Out, System.Console.Error, interactive);
    }

    public IAnsiConsole Console { get; } = console;
    public TextWriter Out { get; } = output;
    public TextWriter Error { get; } = error;
    /// <summary>stdout is a terminal: spinners and progress are shown.</summary>
    public bool Interactive { get; } = interactive;

    /// <summary>Reports a diagnostic on stderr; returns the exit code it means (1 for an error, else 0).</summary>
    public int Report(Diagnostic diagnostic)
    {
        Error.WriteLine(diagnostic.ToString());
        return diagnostic.IsError ? ExitCodes.Failed : ExitCodes.Success;
    }

    public void WriteJson(JsonNode? node) => Out.WriteLine(node is null ? "null" : node.ToJsonString(Json));

    /// <summary>A line for people, printed as it is (no markup).</summary>
    public void Line(string text) => Out.WriteLine(text);

    /// <summary>Runs <paramref name="work"/> under a spinner whose text it updates; without a terminal, just runs it.</summary>
    public async Task<T> WithStatusAsync<T>(string text, Func<Action<string>, Task<T>> work)
    {
        if (!Interactive) return await work(_ => { });
        return await Console.Status().Spinner(Spinner.Known.Dots).StartAsync(Markup.Escape(text), async status =>
            await work(line => status.Status(Markup.Escape(Shorten(line)))));
    }

    /// <summary>
    /// Runs <paramref name="work"/> under a progress bar it moves (step n of m, and the step's text); without a
    /// terminal, just runs it.
    /// </summary>
    public async Task<T> WithProgressAsync<T>(string text, Func<Action<int, int, string>, Task<T>> work)
    {
        if (!Interactive) return await work((_, _, _) => { });
        return await Console.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask(Markup.Escape(text), maxValue: 1);
                var result = await work((step, steps, line) =>
                {
                    task.MaxValue = Math.Max(steps, 1);
                    task.Value = Math.Min(step, steps);
                    task.Description = Markup.Escape(Shorten($"{text}: {line}"));
                });
                task.Value = task.MaxValue;
                return result;
            });
    }

    private static string Shorten(string line) => line.Length > 100 ? line[..97] + "..." : line;
}
