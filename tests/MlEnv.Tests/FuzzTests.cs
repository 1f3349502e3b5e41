using System.Text;
using MlEnv.Diagnostics;
using MlEnv.Specs;

namespace MlEnv.Tests;

/// <summary>Random and mutated inputs to every parser: each must answer with a value or diagnostics, never throw.</summary>
public class FuzzTests
{
    private const string Alphabet = "abcXYZ019 \t._-[](),;:@=<>!~*+'\"#\\/$`|&\n\r{}%^?";

    internal static IEnumerable<string> Inputs(int count, int seed)
    {
        var random = new Random(seed);
        var seeds = DifferentialPackagingTests.Generated(200, seed).Concat([
            "numpy=1.26=py311h*", "conda-forge::numpy[version='>=1']", "name: x\ndependencies:\n  - pip:\n    - a", "-r x.txt", "--hash=sha256:00",
        ]).ToArray();
        for (int i = 0; i < count; i++)
        {
            if (i % 2 == 0)
            {
                var sb = new StringBuilder();
                int length = random.Next(0, 40);
                for (int j = 0; j < length; j++) sb.Append(Alphabet[random.Next(Alphabet.Length)]);
                yield return sb.ToString();
            }
            else
            {
                var chars = seeds[random.Next(seeds.Length)].ToCharArray().ToList();
                for (int m = random.Next(1, 4); m > 0 && chars.Count > 0; m--)
                {
                    int at = random.Next(chars.Count);
                    switch (random.Next(3))
                    {
                        case 0: chars.RemoveAt(at); break;
                        case 1: chars.Insert(at, Alphabet[random.Next(Alphabet.Length)]); break;
                        default: chars[at] = Alphabet[random.Next(Alphabet.Length)]; break;
                    }
                }
                yield return new string(chars.ToArray());
            }
        }
    }

    /// <summary>
    /// Every parser answers every input with a value or diagnostics, and what it accepts has the properties the rest
    /// of MlEnv relies on: canonical requirements are fixed points pip reads as written, versions round-trip, every
    /// diagnostic of a file names that file, and a definition that builds writes only safe requirements.txt lines.
    /// </summary>
    [Fact]
    public void ParsersAnswerEveryInputAndWhatTheyAcceptIsSafe()
    {
        using var dir = new TempDir();
        int acceptedRequirements = 0, refusedRequirements = 0, builtDefinitions = 0;
        var violations = new List<string>();
        void Check(bool ok, string input, string what) { if (!ok) violations.Add($"{what}: {System.Text.Json.JsonSerializer.Serialize(input)}"); }

        foreach (var input in Inputs(3000, seed: 7))
        {
            if (Pep508Requirement.TryParse(input, out var requirement, out var error, out var column, out var kind))
            {
                acceptedRequirements++;
                var canonical = requirement.ToCanonicalString();
                Check(PipLine.LineProblem(canonical) is null, input, "accepted requirement is not a safe pip line");
                Check(Pep508Requirement.TryParse(canonical, out var again, out _, out _) && again.ToCanonicalString() == canonical, input, "canonical form is not a fixed point");
            }
            else
            {
                refusedRequirements++;
                Check(error is not null && kind != RequirementErrorKind.None && column >= 0 && column <= input.Length, input, "refusal without a message, kind or column");
            }
            if (Pep508Requirement.TryParseMarker(input, out var marker, out _))
                Check(PipLine.LineProblem(marker) is null, input, "accepted marker is not safe");
            if (Pep440Version.TryParse(input, out var version))
                Check(Pep440Version.TryParse(version.ToString(), out var v2) && v2.Equals(version) && v2.ToString() == version.ToString(), input, "version does not round-trip");
            Pep440SpecifierSet.TryParse(input, out _, out _);
            MatchSpec.TryParse(input, out _, out _);

            var diagnostics = new List<Diagnostic>();
            CondaEnvironmentFile.Parse(input, "env.yml", diagnostics);
            CondaEnvironmentFile.Parse("dependencies:\n  - " + input.Replace("\n", " ") + "\n  - pip:\n    - " + input.Replace("\n", " "), "env.yml", diagnostics);

            var path = dir.Write("requirements.txt", input);
            var fileDiagnostics = new List<Diagnostic>();
            var read = RequirementsFile.Read(path, fileDiagnostics);
            Check(fileDiagnostics.All(d => d.File is not null && d.Line >= 1 && d.Code.StartsWith("MLENV", StringComparison.Ordinal)), input, "file diagnostic without file and line");
            Check(read.Requirements.Concat(read.Constraints).All(r => PipLine.LineProblem(r.Requirement.ToCanonicalString()) is null), input, "file requirement is not a safe pip line");

            var inputs = Defs.Inputs();
            inputs.PipPackages.Add(Defs.Pip(input));
            inputs.AptPackages.Add(Defs.Apt(input));
            inputs.Variables.Add(new(input, input, default));
            var result = MlEnv.Definition.DefinitionBuilder.Build(inputs);
            Check(result.Success == !result.Diagnostics.Any(d => d.IsError), input, "success disagrees with the diagnostics");
            if (result.Definition is { } definition)
            {
                builtDefinitions++;
                var lines = MlEnv.Generation.DockerfileGenerator.RequirementsText(definition).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Check(lines.Length == definition.PipPackages.Count + 1, input, "requirements.txt has a line too many or too few");
                Check(lines.Skip(1).All(l => PipLine.LineProblem(l) is null), input, "requirements.txt line is not safe");
            }
        }

        Assert.True(violations.Count == 0, string.Join("\n", violations.Take(20)));
        // The inputs must reach both outcomes, or the properties above were never exercised.
        Assert.True(acceptedRequirements > 50, $"{acceptedRequirements} accepted");
        Assert.True(refusedRequirements > 100, $"{refusedRequirements} refused");
        Assert.True(builtDefinitions > 0, "no definition was built");
    }
}
