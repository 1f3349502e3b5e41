using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MlEnv.Specs;

namespace MlEnv.Tests;

/// <summary>
/// MlEnv's PEP 508 parser against `packaging` 23 (the library pip uses): for every string of a corpus of hand-written
/// edge cases and generated combinations, both must agree on validity, normalised name, extras and URL; MlEnv's
/// canonical specifier set must equal packaging's (as SpecifierSet compares) and its canonical marker must evaluate
/// like the input's under many environments. Markers are not compared as text: packaging 23 prints some wrongly.
/// MlEnv refuses, on purpose, valid PEP 508 that pip's requirements-file reader would misread or that cannot work in an
/// image (MLENV1037/1038/1042/1044).
/// </summary>
public class DifferentialPackagingTests
{
    [OracleFact]
    public void AgreesWithPackagingOnOverAThousandRequirements()
    {
        var corpus = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "TestData", "requirements-corpus.txt"))
            .Where(l => !l.StartsWith('#') && l.Length > 0).Concat(Generated(1200, seed: 508)).Distinct().ToList();
        Assert.True(corpus.Count >= 1000, $"corpus has {corpus.Count} strings");

        var parsed = corpus.Select(text => (Ok: Pep508Requirement.TryParse(text, out var r, out var error, out _, out var kind), r, error, kind)).ToList();
        var oracle = RunOracle(corpus.Select((text, i) => parsed[i].Ok ? Query(text, parsed[i].r) : (object)text).ToList());
        var disagreements = new List<string>();
        int valid = 0, deliberate = 0;
        for (int i = 0; i < corpus.Count; i++)
        {
            var expected = oracle[i];
            var (ours, r, error, kind) = parsed[i];
            bool theirs = expected.GetProperty("valid").GetBoolean();
            if (!ours && theirs && kind is RequirementErrorKind.PipMisreads or RequirementErrorKind.ControlCharacter or RequirementErrorKind.Credentials or RequirementErrorKind.LocalFile)
            {
                deliberate++;
                continue;
            }
            if (ours != theirs)
            {
                disagreements.Add($"{corpus[i]!}: MlEnv {(ours ? "valid" : "invalid: " + error)}, packaging {(theirs ? "valid" : "invalid")}");
                continue;
            }
            if (!ours) continue;
            valid++;
            Compare(corpus[i], "name", r.NormalizedName, expected.GetProperty("name").GetString());
            Compare(corpus[i], "extras", string.Join(",", r.NormalizedExtras), string.Join(",", expected.GetProperty("extras").EnumerateArray().Select(e => e.GetString())));
            Compare(corpus[i], "url", r.Url, expected.GetProperty("url").GetString());
            if (!expected.GetProperty("specifierEqual").GetBoolean())
                disagreements.Add($"{corpus[i]}: specifier MlEnv '{r.Specifier.ToCanonicalString()}' vs packaging '{expected.GetProperty("specifier").GetString()}'");
            if (!expected.GetProperty("markerAgrees").GetBoolean())
                disagreements.Add($"{corpus[i]}: marker MlEnv '{r.Marker}' evaluates unlike the input's (packaging prints '{expected.GetProperty("marker").GetString()}')");
        }
        Assert.True(disagreements.Count == 0, $"{disagreements.Count} disagreement(s):\n" + string.Join("\n", disagreements.Take(40)));
        // Refusing what packaging accepts is for lines pip would misread; it must stay the exception.
        Assert.InRange(deliberate, 0, corpus.Count / 10);
        // Both halves of the corpus matter: it must exercise valid and invalid strings alike.
        Assert.InRange(valid, corpus.Count / 5, corpus.Count * 4 / 5);

        void Compare(string input, string what, string? ours, string? theirs)
        {
            if (ours != theirs) disagreements.Add($"{input}: {what} MlEnv '{ours}' vs packaging '{theirs}'");
        }
    }

    internal static IEnumerable<string> Generated(int count, int seed)
    {
        string[] names = ["numpy", "Scikit_Learn", "a", "A.B-c", "x_", "-bad", "1abc", "foo..bar", "zope.interface", "b-", "ruamel.yaml"];
        string[] extras = ["", "[a]", "[A_b, c]", "[ ]", "[a b]", "[a,]", "[security,Socks]", "[x", "[dev-tools]"];
        string[] specs = ["", ">=1.0", "==1.2.*", "~=1", "~=1.0", "<1.0+local", "==1.0+local", "!=1.0", "=== x", "(>=1,<2)", ">= 1.0 , < 2",
            "==1.0.post1.dev2", ">1a", "==v1", ">=1.*", "===a;b", "==1.0-RC1", "<=2!1.0", "(==1.0", "==", ">=1.0,", ",>=1", "~= 2.2.post3", "!=1.2.*,>=1"];
        string[] urls = ["@ https://x.org/a.whl", "@ file:///tmp/a.whl", "@ notaurl", "@https://h/p", "@ git+https://github.com/o/r.git@v1"];
        string[] markers = ["; python_version < '3.12'", ";os_name=='posix'", "; extra == 'dev-tools'",
            "; (python_version>='3' and os_name == \"nt\") or sys_platform=='linux'", "; python_version <", "; foo == 'x'",
            "; 'a' in platform_release", "; platform_machine not in 'x86_64'", "; platform_machine notin 'x'", ";", "; os_name == 'a' and",
            "; (os_name == 'a'", "; implementation_version >= '3.8'", "; python_full_version ~= '3.8.1'"];
        string[] spaces = ["", " ", "  ", "\t"];
        var random = new Random(seed);
        T Pick<T>(T[] items) => items[random.Next(items.Length)];
        for (int i = 0; i < count; i++)
        {
            var sb = new StringBuilder();
            sb.Append(Pick(spaces)).Append(Pick(names)).Append(Pick(spaces)).Append(Pick(extras)).Append(Pick(spaces));
            bool url = random.Next(6) == 0;
            sb.Append(url ? Pick(urls) : Pick(specs));
            if (random.Next(3) == 0) sb.Append(url ? " " : Pick(spaces)).Append(Pick(markers));
            sb.Append(random.Next(8) == 0 ? Pick(spaces) : "");
            yield return sb.ToString();
        }
    }

    /// <summary>An oracle query that also has packaging judge MlEnv's canonical specifier and marker.</summary>
    internal static object Query(string text, Pep508Requirement r) =>
        new { text, ours = new { specifier = r.Specifier.ToCanonicalString(), marker = r.Marker } };

    internal static List<JsonElement> RunOracle(IReadOnlyList<object> inputs)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "TestData", "packaging_oracle.py");
        var psi = new ProcessStartInfo(OracleFactAttribute.Python, [script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        foreach (var s in inputs) p.StandardInput.WriteLine(JsonSerializer.Serialize(s, s.GetType()));
        p.StandardInput.Close();
        p.WaitForExit(120_000);
        Assert.True(p.ExitCode == 0, stderr.Result);
        return JsonDocument.Parse(stdout.Result).RootElement.EnumerateArray().ToList();
    }
}
