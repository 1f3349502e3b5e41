using System.Text;
using MlEnv.Diagnostics;
using MlEnv.Specs;

namespace MlEnv.Tests;

/// <summary>Random and mutated inputs to every parser: each must answer with a value or diagnostics, never throw.</summary>
public class FuzzTests
{
    private const string Alphabet = "abcXYZ019 \t._-[](),;:@=<>!~*+'\"#\\/$`|&\n\r{}%^?";

    private static IEnumerable<string> Inputs(int count, int seed)
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

    [Fact]
    public void NoParserThrows()
    {
        using var dir = new TempDir();
        int n = 0;
        foreach (var input in Inputs(3000, seed: 7))
        {
            n++;
            Pep508Requirement.TryParse(input, out _, out _, out _);
            Pep508Requirement.TryParseMarker(input, out _, out _);
            Pep440Version.TryParse(input, out _);
            Pep440SpecifierSet.TryParse(input, out _, out _);
            MatchSpec.TryParse(input, out _, out _);
            var diagnostics = new List<Diagnostic>();
            CondaEnvironmentFile.Parse(input, "env.yml", diagnostics);
            CondaEnvironmentFile.Parse("dependencies:\n  - " + input.Replace("\n", " ") + "\n  - pip:\n    - " + input.Replace("\n", " "), "env.yml", diagnostics);
            var path = dir.Write("requirements.txt", input);
            RequirementsFile.Read(path, diagnostics);
            var inputs = Defs.Inputs();
            inputs.PipPackages.Add(Defs.Pip(input));
            inputs.AptPackages.Add(Defs.Apt(input));
            inputs.Variables.Add(new(input, input, default));
            MlEnv.Definition.DefinitionBuilder.Build(inputs);
        }
        Assert.Equal(3000, n);
    }
}
