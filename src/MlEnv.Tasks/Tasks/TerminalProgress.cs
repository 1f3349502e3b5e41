using System.Text;
using Microsoft.Build.Framework;

namespace MlEnv.Tasks;

/// <summary>
/// Puts a task's progress on the terminal logger's live line (MlEnvTerminalProgress=true). The terminal logger
/// (MSBuild 18, .NET SDK 10.0.401) takes a project's live line from the target that starts, and from one other source
/// only: the test runner's "TLTESTPASSED" extended messages, which it reads for a project once a target named
/// _TestRunStart (the .NET SDK's empty marker target) has started in it. So this runs that target, then sends each
/// line as such a message. The side effect cannot be undone: the terminal logger then calls the project a test project
/// in its result line ("name test net10.0 succeeded"), hence opt-in. The message text is what the plain message would
/// have been, at the same importance, so a file logger or binary log records the same line; only the terminal logger
/// reads the extended part, and it shows nothing else of such a message.
/// </summary>
internal sealed class TerminalProgress
{
    /// <summary>The terminal logger never draws a live line wider than this.</summary>
    public const int MaxWidth = 120;

    /// <summary>The width assumed when the task cannot see the terminal (a worker node): a common terminal's.</summary>
    public const int DefaultWidth = 80;

    private const string TestRunStart = "_TestRunStart";
    private const string PassedType = "TLTESTPASSED";

    private readonly IBuildEngine engine;
    private readonly string sender;
    private readonly int budget;
    private string? shown;

    private TerminalProgress(IBuildEngine engine, string sender, int budget) => (this.engine, this.sender, this.budget) = (engine, sender, budget);

    /// <summary>
    /// The live line of the task's project, or null (plain messages then) when not asked for, or when the task runs
    /// in MSBuild's task host: measured, the task host drops extended messages altogether, text included.
    /// </summary>
    public static TerminalProgress? Start(ITask task, string taskName, bool enabled, string projectFile, int? width = null)
    {
        if (!enabled || task.BuildEngine is not { } engine || InTaskHost(engine)) return null;
        // A null project is the calling project itself, as the CallTarget task builds it: the same project instance,
        // so the terminal logger marks the very project whose lines follow.
        if (!engine.BuildProjectFile(null, [TestRunStart], null, null)) return null;
        return new TerminalProgress(engine, taskName, Budget(Path.GetFileNameWithoutExtension(projectFile), width ?? TerminalWidth()));
    }

    private static bool InTaskHost(IBuildEngine engine) =>
        engine.GetType().FullName == "Microsoft.Build.CommandLine.OutOfProcTaskHostNode";

    /// <summary>
    /// Logs <paramref name="message"/> (high importance, as the plain message would be) and shows
    /// <paramref name="display"/>, shortened to fit, on the live line.
    /// </summary>
    public void Show(string message, string display)
    {
        var text = Shorten(display, budget);
        shown = text;
        engine.LogMessageEvent(new ExtendedBuildMessageEventArgs(PassedType, message, null, sender, MessageImportance.High)
        {
            ExtendedMetadata = new Dictionary<string, string?> { ["localizedResult"] = "", ["displayName"] = text },
        });
    }

    /// <summary>The text on the live line now (for tests).</summary>
    internal string? Shown => shown;

    /// <summary>
    /// What the live line leaves for the text: the logger draws "  project tfm text (12.3s)" and, when that does not
    /// fit, drops the text altogether. The target framework is not known here: room for one as long as "net10.0".
    /// </summary>
    public static int Budget(string projectName, int width)
    {
        const int indent = 2, framework = 1 + 8, separators = 2, duration = 10; // up to "(12345.6s)"
        var room = Math.Min(width, MaxWidth) - indent - projectName.Length - framework - separators - duration;
        return Math.Max(room, 12);
    }

    /// <summary>
    /// One line of at most <paramref name="max"/> characters: control characters and runs of white space become one
    /// space, and a longer text keeps its head with "…" (never half a surrogate pair). Only ever a prefix of the text
    /// the plain message carries, so it shows nothing that message does not.
    /// </summary>
    public static string Shorten(string text, int max)
    {
        if (max < 1) return "";
        var line = new StringBuilder(Math.Min(text.Length, max + 1));
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c)) { space = line.Length > 0; continue; }
            if (space) { line.Append(' '); space = false; }
            line.Append(c);
            if (line.Length > max) break;
        }
        if (line.Length <= max) return line.ToString();
        var cut = max - 1;
        if (cut > 0 && char.IsHighSurrogate(line[cut - 1])) cut--;
        return line.ToString(0, cut).TrimEnd() + "…";
    }

    /// <summary>
    /// The console's width where this process has one (the in-process node of `dotnet build`), as the terminal logger
    /// reads it: a terminal that reports no width (0) is unbounded to it, so the cap. In a worker node, whose output is
    /// a pipe, the terminal is not known: 80.
    /// </summary>
    private static int TerminalWidth()
    {
        try
        {
            if (!Console.IsOutputRedirected) return Console.BufferWidth is > 0 and var width ? width : MaxWidth;
        }
        catch (IOException) { }
        catch (PlatformNotSupportedException) { }
        return DefaultWidth;
    }
}
