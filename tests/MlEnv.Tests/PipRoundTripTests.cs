using System.Diagnostics;
using System.Text.Json;
using MlEnv.Definition;
using MlEnv.Generation;
using MlEnv.Specs;
using Xunit.Abstractions;

namespace MlEnv.Tests;

/// <summary>
/// The generated requirements.txt (and the constraints.txt it includes) read by pip's own requirements-file reader:
/// every requirement MlEnv accepts, across all corpora, must come back as the same name, extras, specifier, URL and
/// marker (by evaluation), with its hashes and no other option, and no line may appear or vanish. One pip process.
/// </summary>
public class PipRoundTripTests(ITestOutputHelper output)
{
    [PipOracleFact]
    public void PipReadsEveryAcceptedRequirementBackAsWritten()
    {
        var corpus = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "TestData", "requirements-corpus.txt"))
            .Where(l => !l.StartsWith('#') && l.Length > 0)
            .Concat(DifferentialPackagingTests.Generated(1200, seed: 508))
            .Concat(DifferentialPackagingTests.Generated(1500, seed: 9))
            .Concat(MarkerEvaluationTests.GeneratedMarkers(600, seed: 440).Select(m => "demo; " + m))
            .Concat(AdversarialCorpus.Requirements.Select(c => c.Input))
            .Concat(FuzzTests.Inputs(20_000, seed: 1037))
            .Concat(HostileValues(5_000, seed: 508))
            .Distinct().ToList();
        var accepted = new List<Pep508Requirement>();
        foreach (var text in corpus)
            if (Pep508Requirement.TryParse(text, out var r, out _, out _)) accepted.Add(r);
        Assert.True(accepted.Count >= 1000, $"{accepted.Count} accepted");
        // Canonical lines are fixed points: MlEnv reads its own output back as itself.
        var unstable = accepted.Where(r => !Pep508Requirement.TryParse(r.ToCanonicalString(), out var again, out _, out _) || again.ToCanonicalString() != r.ToCanonicalString())
            .Select(r => r.ToCanonicalString()).ToList();
        Assert.True(unstable.Count == 0, "not fixed points:\n" + string.Join("\n", unstable.Take(20)));

        var packages = accepted.Select((r, i) => new PipPackage(r.NormalizedName, r.ToCanonicalString(),
            i % 7 == 0 ? [$"sha256:{i:x8}{new string('0', 56)}"] : [])).ToList();
        var constraints = accepted.Where((_, i) => i % 5 == 0).Select(r => r.ToCanonicalString()).Distinct().ToList();
        // The index configuration, from URLs that pip would expand or cut if written raw, is in the file too.
        var indexInputs = new DefinitionInputs { Name = "demo", BaseImage = "debian:bookworm-slim", PipIndexUrl = "https://pypi.example/${TOKEN}/simple", PipPre = true };
        indexInputs.PipExtraIndexUrls.Add(("https://extra.example/simple?a=${B}#x", default));
        indexInputs.PipFindLinks.Add(("https://wheels.example/a;b/", default));
        var index = Defs.Build(indexInputs).PipIndex;
        var definition = Defs.Build(Defs.Inputs()) with { PipPackages = packages, PipConstraints = constraints, PipIndex = index };

        using var dir = new TempDir();
        foreach (var file in DockerfileGenerator.Generate(definition).Files.Where(f => f.Path.EndsWith(".txt", StringComparison.Ordinal)))
            dir.WriteBytes(file.Path, file.Content!);
        object Expect(Pep508Requirement r, IReadOnlyList<string> hashes) => new
        {
            name = r.NormalizedName,
            extras = r.NormalizedExtras,
            specifier = r.Specifier.ToCanonicalString(),
            url = r.Url,
            marker = r.Marker,
            hashes,
        };
        var expected = new
        {
            requirements = packages.Select(p => Expect(Pep508Requirement.Parse(p.Requirement), p.Hashes)).ToList(),
            constraints = constraints.Select(c => Expect(Pep508Requirement.Parse(c), [])).ToList(),
            options = new { index_url = index.IndexUrl, extra_index_urls = index.ExtraIndexUrls, find_links = index.FindLinks, pre = index.Pre },
        };

        var problems = RunPip(Path.Combine(dir.Path, "requirements.txt"), JsonSerializer.Serialize(expected));
        output.WriteLine($"{corpus.Count} inputs, {packages.Count} accepted requirements and {constraints.Count} constraints read back by pip");
        Assert.True(problems.Count == 0, $"{problems.Count} problem(s) of {packages.Count} requirements:\n" + string.Join("\n", problems.Take(30)));
    }

    [PipOracleFact]
    public void WithoutTheRefusalsPipWouldMisreadTheLines()
    {
        // The oracle is not blind: PEP 508 lines MlEnv refuses, written as packaging reads them, are misread by pip.
        (string Line, string Name, string Specifier, string? Url, string? Marker)[] naive =
        [
            ("foo; os_name == \" --index-url=http://attacker/simple\"", "foo", "", null, "os_name == \" --index-url=http://attacker/simple\""),
            ("foo; os_name == \"a #comment\"", "foo", "", null, "os_name == \"a #comment\""),
            ("bar @ https://h/a;b", "bar", "", "https://h/a;b", null),
            ("baz===x.zip", "baz", "===x.zip", null, null),
            ("qux===a[b]", "qux", "===a[b]", null, null),
        ];
        foreach (var (line, name, specifier, url, marker) in naive)
        {
            Assert.False(Pep508Requirement.TryParse(line, out _, out _, out _), line);
            using var dir = new TempDir();
            var path = dir.Write("requirements.txt", line + "\n");
            var problems = RunPip(path, JsonSerializer.Serialize(new
            {
                requirements = new[] { new { name, extras = Array.Empty<string>(), specifier, url, marker, hashes = Array.Empty<string>() } },
                constraints = Array.Empty<object>(),
            }));
            Assert.True(problems.Count > 0, $"pip read '{line}' as written: the refusal would not be needed");
        }
    }

    /// <summary>Requirements whose marker values, URLs and arbitrary-equality operands are random hostile characters.</summary>
    private static IEnumerable<string> HostileValues(int count, int seed)
    {
        const string alphabet = "a1 #-;${}[]()\\'\"\t\u00a0\u3000@:/?=&%.,~*!+_|<>^`";
        var random = new Random(seed);
        string Random(int max) => new(Enumerable.Range(0, random.Next(1, max)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
        for (int i = 0; i < count; i++)
        {
            var value = Random(12);
            yield return (i % 4) switch
            {
                0 => $"demo; os_name == '{value}'",
                1 => $"demo; \"{value}\" in platform_version",
                2 => $"demo @ https://host/{value}.whl ; os_name == 'a'",
                _ => $"demo==={value}",
            };
        }
    }

    private static List<string> RunPip(string requirementsPath, string expectedJson)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "TestData", "pip_roundtrip.py");
        var psi = new ProcessStartInfo(PipOracleFactAttribute.Python.Value!, [script, requirementsPath])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(requirementsPath)!,
        };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.Write(expectedJson);
        p.StandardInput.Close();
        Assert.True(p.WaitForExit(300_000), "pip oracle timed out");
        Assert.True(p.ExitCode == 0, stderr.Result);
        return JsonSerializer.Deserialize<List<string>>(stdout.Result)!;
    }
}
