using System.Diagnostics;
using MlEnv.Definition;
using MlEnv.Specs;

// Hashing benchmark. The goal (≤ 50 ms) is for hashing a 10,000-package definition: canonical JSON + SHA-256.
// Resolving the same packages from items (PEP 508 parsing, validation, canonical spellings) is measured beside it,
// and the ratio between the two shows what resolution costs on top of hashing.
const int Packages = 10_000;
const int Rounds = 21;
var random = new Random(1);
var inputs = new DefinitionInputs
{
    Name = "bench",
    BaseImage = "debian:bookworm-slim",
    PipPackages = Enumerable.Range(0, Packages).Select(i => new PipPackageItem(
        $"Package_{i:D5}", $">={random.Next(1, 9)}.{random.Next(0, 20)},<{random.Next(10, 20)}", i % 7 == 0 ? "extra_one" : null,
        i % 11 == 0 ? "python_version >= '3.8'" : null, SourceLocation.None)).ToList(),
};

var definition = DefinitionBuilder.Build(inputs).Definition ?? throw new InvalidOperationException("definition failed");
for (int i = 0; i < 3; i++) CanonicalJson.Hash(DefinitionBuilder.Build(inputs).Definition!);

var full = new List<double>();
var serialiseOnly = new List<double>();
for (int i = 0; i < Rounds; i++)
{
    var sw = Stopwatch.StartNew();
    var hash = CanonicalJson.Hash(DefinitionBuilder.Build(inputs).Definition!);
    full.Add(sw.Elapsed.TotalMilliseconds);
    sw.Restart();
    CanonicalJson.Hash(definition);
    serialiseOnly.Add(sw.Elapsed.TotalMilliseconds);
}
double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
Console.WriteLine($"hash of a {Packages}-package definition: median {Median(serialiseOnly):F1} ms over {Rounds} rounds (goal <= 50 ms)");
Console.WriteLine($"resolve from items + hash: median {Median(full):F1} ms");
Console.WriteLine($"ratio resolve+hash / hash alone: {Median(full) / Median(serialiseOnly):F2}x");
return Median(serialiseOnly) <= 50 ? 0 : 1;
