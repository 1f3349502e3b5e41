using System.Text.RegularExpressions;

namespace MlEnv.EndToEndTests.Infrastructure;

/// <summary>
/// Base of the end-to-end tests that run a real `dotnet build` but need no engine (MlEnvBuildImage=false, or an engine
/// that is meant to be unreachable): plain facts, run everywhere, that touch no image. In the "docker" collection
/// only to share the packed SDK and to run one build at a time.
/// </summary>
[Collection("docker")]
public abstract class EngineFreeTest(SdkPackage sdk) : IDisposable
{
    private readonly List<TestProject> projects = [];
    protected SdkPackage Sdk { get; } = sdk;

    protected TestProject New(string name, TestProject.Style style = TestProject.Style.Standalone, string? root = null)
    {
        var p = TestProject.Create(Sdk, name, style, root).Property("MlEnvBuildImage", "false");
        projects.Add(p);
        return p;
    }

    protected static string HashOf(TestProject p) => File.ReadAllText(p.Obj("definition.sha256")).Trim();

    public virtual void Dispose()
    {
        foreach (var p in projects) p.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A diagnostic as MSBuild's console logger prints it: `file(line,col): error CODE: message`.</summary>
public sealed partial record BuildDiagnostic(string File, int Line, int Column, string Severity, string Code)
{
    [GeneratedRegex(@"^\s*(?:[0-9]+>)?(?<file>[^\s:(][^(]*?|MSBUILD|EXEC)(?:\((?<line>[0-9]+)(?:,(?<col>[0-9]+))?(?:,[0-9]+,[0-9]+)?\))?\s?:\s+(?<sev>error|warning|message) (?<code>[A-Z]+[0-9]+)\s?:")]
    private static partial Regex Pattern();

    /// <summary>Every distinct diagnostic in the output (the summary repeats them).</summary>
    public static IReadOnlyList<BuildDiagnostic> Parse(string output) =>
        output.Split('\n').Select(l => Pattern().Match(l)).Where(m => m.Success)
            .Select(m => new BuildDiagnostic(m.Groups["file"].Value.Trim(),
                m.Groups["line"].Success ? int.Parse(m.Groups["line"].Value) : 0,
                m.Groups["col"].Success ? int.Parse(m.Groups["col"].Value) : 0,
                m.Groups["sev"].Value, m.Groups["code"].Value))
            .Distinct().ToList();

    public static IReadOnlyList<BuildDiagnostic> Errors(DotnetResult result) => Parse(result.Output).Where(d => d.Severity == "error").ToList();
}
