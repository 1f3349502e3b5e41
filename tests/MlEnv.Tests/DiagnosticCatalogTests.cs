using MlEnv.Diagnostics;

namespace MlEnv.Tests;

public class DiagnosticCatalogTests
{
    [Fact]
    public void EveryCodeIsUniqueHasAMessageAndIsDocumented()
    {
        var all = DiagnosticCatalog.All.ToList();
        Assert.True(all.Count > 30);
        Assert.Equal(all.Count, all.Select(d => d.Code).Distinct().Count());
        var docs = File.ReadAllText(Path.Combine(GoldenVectorTests.FindRepoRoot(), "docs", "diagnostics.md"));
        foreach (var d in all)
        {
            Assert.Matches("^MLENV[1234][0-9]{3}$", d.Code);
            Assert.False(string.IsNullOrWhiteSpace(d.Template), d.Code);
            Assert.Contains($"| {d.Code} |", docs);
        }
    }
}
