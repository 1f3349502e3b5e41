using System.Diagnostics;
using System.Text;
using MlEnv.Definition;
using MlEnv.Diagnostics;
using MlEnv.Generation;
using MlEnv.Specs;

namespace MlEnv.Tests;

/// <summary>
/// The adversarial corpus through every way a requirement reaches MlEnv: the parser, an MlEnvPipPackage item, a
/// requirements file and an environment.yml pip: list. Each case asserts its outcome: the code, or the exact line.
/// </summary>
public class RequirementsAdversarialTests
{
    public static TheoryData<int> Cases() => [.. Enumerable.Range(0, AdversarialCorpus.Requirements.Length)];

    [Fact]
    public void TheCorpusIsLargeAndCoversEveryNewCode()
    {
        Assert.True(AdversarialCorpus.Requirements.Length >= 120, $"{AdversarialCorpus.Requirements.Length} cases");
        foreach (var code in new[] { "MLENV1001", "MLENV1037", "MLENV1038", "MLENV1039", "MLENV1042", "MLENV1044" })
            Assert.Contains(AdversarialCorpus.Requirements, c => c.Expected == code);
        Assert.True(AdversarialCorpus.Accepted.Count() >= 40);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ParserGivesTheExpectedOutcome(int index)
    {
        var (input, expected) = AdversarialCorpus.Requirements[index];
        var watch = Stopwatch.StartNew();
        bool ok = Pep508Requirement.TryParse(input, out var r, out var error, out _, out var kind);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        if (expected.StartsWith('='))
        {
            Assert.True(ok, $"refused: {error}");
            Assert.Equal(expected[1..], r.ToCanonicalString());
            Assert.Null(PipLine.LineProblem(r.ToCanonicalString()));
            // The canonical line is a fixed point: read again, it gives itself.
            Assert.True(Pep508Requirement.TryParse(r.ToCanonicalString(), out var again, out _, out _));
            Assert.Equal(r.ToCanonicalString(), again.ToCanonicalString());
        }
        else
        {
            Assert.False(ok, $"accepted as {(ok ? r.ToCanonicalString() : "")}");
            Assert.Equal(expected, RequirementsFile.Refusal(input, error, kind).Code);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AnItemGivesTheSameOutcomeAtTheProject(int index)
    {
        var (input, expected) = AdversarialCorpus.Requirements[index];
        var inputs = Defs.Inputs();
        inputs.PipPackages.Add(Defs.Pip(input));
        var result = DefinitionBuilder.Build(inputs);
        if (expected.StartsWith('='))
        {
            Assert.True(result.Success, string.Join("\n", result.Diagnostics));
            Assert.Equal(expected[1..], Assert.Single(result.Definition!.PipPackages).Requirement);
            var text = DockerfileGenerator.RequirementsText(result.Definition!);
            Assert.Equal(expected[1..], text.Split('\n').Single(l => l.Length > 0 && !l.StartsWith('#')));
        }
        else
        {
            var d = Assert.Single(result.Diagnostics, d => d.IsError);
            Assert.Equal(expected, d.Code);
            Assert.Equal("/proj/demo.csproj", d.File);
            AssertNoSecretOrBreak(d);
        }
    }

    // In a file, pip's own line rules come first: a line break makes two lines, " #" a comment, " -" an option and a
    // trailing '\' a continuation. Those cases are the file tests' business; the others must read as the item does.
    private static bool FileReadsAsWritten(string input) =>
        input.IndexOfAny(['\n', '\r']) < 0 && !input.EndsWith('\\') && !input.Contains(" -", StringComparison.Ordinal) &&
        !Enumerable.Range(1, Math.Max(0, input.Length - 1)).Any(i => input[i] == '#' && char.IsWhiteSpace(input[i - 1]));

    // pip reads a line without "name @" that ends like an archive as a local file, whatever PEP 508 says.
    private static string InAFile(string input, string expected) =>
        !input.Contains(" @", StringComparison.Ordinal) && new[] { ".zip", ".whl", ".tar.gz" }.Any(e => input.TrimEnd().EndsWith(e, StringComparison.Ordinal) || input.TrimEnd().EndsWith(e + "[x]", StringComparison.Ordinal))
            ? "MLENV1004" : expected;

    [Theory]
    [MemberData(nameof(Cases))]
    public void ARequirementsFileLineGivesTheSameOutcomeAtItsLine(int index)
    {
        var (input, expected) = AdversarialCorpus.Requirements[index];
        expected = InAFile(input, expected);
        if (!FileReadsAsWritten(input)) input = "numpy";
        using var dir = new TempDir();
        var path = dir.Write("requirements.txt", "six\n" + input + "\n");
        var diagnostics = new List<Diagnostic>();
        var result = RequirementsFile.Read(path, diagnostics);
        if (input == "numpy") { Assert.Empty(diagnostics); return; }
        if (expected.StartsWith('='))
        {
            Assert.Empty(diagnostics);
            Assert.Equal(["six", expected[1..]], result.Requirements.Select(r => r.Requirement.ToCanonicalString()));
        }
        else
        {
            var d = Assert.Single(diagnostics);
            Assert.Equal(expected, d.Code);
            Assert.Equal((path, 2), (d.File, d.Line));
            AssertNoSecretOrBreak(d);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AnEnvironmentFilePipEntryGivesTheSameOutcome(int index)
    {
        var (input, expected) = AdversarialCorpus.Requirements[index];
        expected = InAFile(input, expected);
        if (!FileReadsAsWritten(input.Replace("\n", "").Replace("\r", ""))) input = "numpy";
        var yaml = "dependencies:\n  - pip:\n    - " + YamlDoubleQuoted(input) + "\n";
        var diagnostics = new List<Diagnostic>();
        var env = CondaEnvironmentFile.Parse(yaml, "/proj/environment.yml", diagnostics);
        if (input == "numpy") { Assert.Empty(diagnostics); return; }
        if (expected.StartsWith('='))
        {
            Assert.Empty(diagnostics);
            Assert.Equal(expected[1..], Assert.Single(env.Pip.Requirements).Requirement.ToCanonicalString());
        }
        else
        {
            var d = Assert.Single(diagnostics);
            Assert.Equal(expected, d.Code);
            Assert.Equal(("/proj/environment.yml", 3), (d.File, d.Line));
            Assert.Empty(env.Pip.Requirements);
        }
    }

    internal static string YamlDoubleQuoted(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            if (c is '"' or '\\') sb.Append('\\').Append(c);
            else if (c < 0x20 || c is >= '\u007f' and <= '\u00a0' || c is '\u2028' or '\u2029' || c > '\u007e') sb.Append($"\\u{(int)c:X4}");
            else sb.Append(c);
        }
        return sb.Append('"').ToString();
    }

    /// <summary>A diagnostic never carries a password, nor a raw control character that would break the log line.</summary>
    internal static void AssertNoSecretOrBreak(Diagnostic d)
    {
        foreach (var secret in new[] { "pass@", "p%40ss", "pa/ss", "secret@", "ghp_token", "mail@" })
            Assert.DoesNotContain(secret, d.Message);
        Assert.True(PipLine.IndexOfForbidden(d.Message.Replace("\n", "")) < 0, d.Message);
    }
}
