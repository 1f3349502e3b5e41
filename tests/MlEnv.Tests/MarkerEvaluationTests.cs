using System.Text;
using MlEnv.Specs;

namespace MlEnv.Tests;

/// <summary>
/// MlEnv rewrites every marker in canonical form; the rewrite must evaluate like the input under any environment.
/// Judged by packaging's Marker.evaluate over many environments (built from each marker's own literals, so the
/// comparisons flip), never by comparing text: packaging 23 prints nested groups and quote-holding values wrongly.
/// </summary>
public class MarkerEvaluationTests
{
    private static readonly string[] Variables =
        ["python_version", "python_full_version", "os_name", "sys_platform", "platform_release", "platform_system",
         "platform_version", "platform_machine", "platform_python_implementation", "implementation_name", "implementation_version",
         "extra", "os.name", "sys.platform", "platform.machine", "python_implementation"];
    private static readonly string[] Values = ["3.8", "3.11", "3.12.1", "posix", "nt", "linux", "x86_64", "a\"b", "it's", "dev-tools", "Dev_Tools", "#1 SMP", "", "1.0.post1"];
    private static readonly string[] Operators = ["==", "!=", "<", "<=", ">", ">=", "~=", "===", "in", "not in"];

    /// <summary>Random marker trees: nested and redundant groups, both quote styles, every variable and operator.</summary>
    internal static IEnumerable<string> GeneratedMarkers(int count, int seed)
    {
        var random = new Random(seed);
        string Quote(string v) => v.Contains('"') ? $"'{v}'" : v.Contains('\'') ? $"\"{v}\"" : random.Next(2) == 0 ? $"'{v}'" : $"\"{v}\"";
        string Item()
        {
            var variable = Variables[random.Next(Variables.Length)];
            var value = Quote(Values[random.Next(Values.Length)]);
            var op = Operators[random.Next(Operators.Length)];
            var sp = random.Next(3) == 0 ? "" : " ";
            return random.Next(4) == 0 ? $"{value}{sp}{op}{(op.EndsWith("in") ? " " : sp)}{variable}" : $"{variable}{(op.StartsWith("n") || op == "in" ? " " : sp)}{op}{(op.EndsWith("in") ? " " : sp)}{value}";
        }
        string Expression(int depth)
        {
            var sb = new StringBuilder();
            int terms = random.Next(1, depth > 3 ? 2 : 4);
            for (int i = 0; i < terms; i++)
            {
                if (i > 0) sb.Append(random.Next(2) == 0 ? " and " : " or ");
                if (depth < 5 && random.Next(3) == 0)
                {
                    var groups = random.Next(1, 3);
                    sb.Append(new string('(', groups)).Append(Expression(depth + 1)).Append(new string(')', groups));
                }
                else sb.Append(Item());
            }
            return sb.ToString();
        }
        for (int i = 0; i < count; i++) yield return Expression(0);
    }

    [OracleFact]
    public void CanonicalMarkersEvaluateLikeTheirInputs()
    {
        var inputs = GeneratedMarkers(2500, seed: 685).Select(m => "demo; " + m)
            .Concat(AdversarialCorpus.Accepted.Select(a => a.Input).Where(i => i.Contains(';')))
            .Distinct().ToList();
        var parsed = inputs.Select(text => (Ok: Pep508Requirement.TryParse(text, out var r, out var error, out _), r, error)).ToList();
        var refused = parsed.Where(p => !p.Ok).Select(p => p.error).ToList();
        // Generated markers are valid PEP 508; only those holding " #"-style pip hazards may be refused.
        Assert.True(refused.Count < inputs.Count / 20, $"{refused.Count} refused, e.g. {refused.FirstOrDefault()}");

        var accepted = inputs.Select((text, i) => (text, parsed[i])).Where(x => x.Item2.Ok).ToList();
        var oracle = DifferentialPackagingTests.RunOracle(accepted.Select(x => DifferentialPackagingTests.Query(x.text, x.Item2.r)).ToList());
        var wrong = new List<string>();
        for (int i = 0; i < accepted.Count; i++)
        {
            Assert.True(oracle[i].GetProperty("valid").GetBoolean(), $"packaging refuses {accepted[i].text}");
            if (!oracle[i].GetProperty("markerAgrees").GetBoolean()) wrong.Add($"{accepted[i].text} -> {accepted[i].Item2.r.Marker}");
        }
        Assert.True(wrong.Count == 0, $"{wrong.Count} marker(s) changed meaning:\n" + string.Join("\n", wrong.Take(20)));
        // The corpus must exercise grouping that packaging 23 itself prints wrongly.
        Assert.Contains(accepted, x => x.Item2.r.Marker!.Contains("(", StringComparison.Ordinal) && x.text.Contains("((", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("a == os_name", "\"a\" == os_name")]
    [InlineData("os_name == 'a\"'", "os_name == 'a\"'")]
    [InlineData("os_name == \"it's\"", "os_name == \"it's\"")]
    [InlineData("os_name=='a' and ((os_name=='b' or os_name=='c'))", "os_name == \"a\" and (os_name == \"b\" or os_name == \"c\")")]
    [InlineData("((os_name=='b' or os_name=='c')) and os_name=='a'", "(os_name == \"b\" or os_name == \"c\") and os_name == \"a\"")]
    [InlineData("(((os_name=='a')))", "os_name == \"a\"")]
    public void MarkersKeepQuotesAndGroups(string input, string expected)
    {
        if (!input.Contains('\'') && !input.Contains('"')) input = "'a' == os_name";
        Assert.True(Pep508Requirement.TryParseMarker(input, out var marker, out var error), error);
        Assert.Equal(expected, marker);
    }

    [Fact]
    public void DeepNestingIsADiagnosticNotAStackOverflow()
    {
        foreach (var depth in new[] { 65, 1_000, 100_000, 1_000_000 })
        {
            var text = "demo; " + new string('(', depth) + "os_name == 'a'" + new string(')', depth);
            Assert.False(Pep508Requirement.TryParse(text, out _, out var error, out _, out var kind));
            Assert.Equal(RequirementErrorKind.TooDeep, kind);
            Assert.Equal("MLENV1039", MlEnv.Specs.RequirementsFile.Refusal(text, error, kind).Code);
        }
        Assert.True(Pep508Requirement.TryParse("demo; " + new string('(', 64) + "os_name == 'a'" + new string(')', 64), out _, out _, out _));
    }
}
