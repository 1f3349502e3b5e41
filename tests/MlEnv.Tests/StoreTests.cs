using System.Text.Json;
using MlEnv.Definition;
using MlEnv.Generation;
using MlEnv.Store;

namespace MlEnv.Tests;

public class StoreTests
{
    private static (string Hash, string Canonical) Def(string pillow, TempDir dir)
    {
        var d = Defs.Build(new DefinitionInputs { Name = "x", BaseImage = "b:1", PipPackages = [Defs.Pip("pillow", pillow)], PipWheels = [dir.WriteBytes("w-1.0-py3-none-any.whl", TestZip.Of(1, 2, 3))] });
        return (CanonicalJson.Hash(d), CanonicalJson.Serialize(d));
    }

    private static ContextFile[] Wheel(TempDir dir) => [ContextFile.FromDisk("wheels/w-1.0-py3-none-any.whl", Path.Combine(dir.Path, "w-1.0-py3-none-any.whl"))];

    [Fact]
    public async Task AnUnchangedDefinitionKeepsItsVersionAndAChangedOneBecomesTheNext()
    {
        using var dir = new TempDir();
        var store = new EnvironmentStore(Path.Combine(dir.Path, "store"));
        var v1 = Def("10.3.0", dir);
        var (first, created1) = await store.RegisterAsync("train", v1.Hash, v1.Canonical, null, Wheel(dir), null, default);
        var (again, created2) = await store.RegisterAsync("train", v1.Hash, v1.Canonical, "mlenv/train:abc", Wheel(dir), null, default);
        Assert.True(created1);
        Assert.False(created2);
        Assert.Equal(1, again.Version);
        Assert.Equal(["mlenv/train:abc"], again.Images);

        var v2 = Def("10.4.0", dir);
        var (second, _) = await store.RegisterAsync("train", v2.Hash, v2.Canonical, null, Wheel(dir), null, default);
        Assert.Equal(2, second.Version);
        var (reverted, _) = await store.RegisterAsync("train", v1.Hash, v1.Canonical, null, Wheel(dir), null, default);
        Assert.Equal(3, reverted.Version);

        Assert.Equal([1, 2, 3], store.Versions("train").Select(v => v.Version));
        Assert.Equal(v1.Hash, CanonicalJson.HashOf(store.Versions("train")[0].Definition));
        Assert.Equal(2, store.Resolve("train", "[2,3)")!.Version);
        Assert.Equal(3, store.Resolve("train", "*")!.Version);
        Assert.Equal(3, store.Resolve("train", "2")!.Version);    // NuGet semantics: "2" means 2 or later
        Assert.Equal(1, store.Resolve("train", "[1]")!.Version);
        Assert.Null(store.Resolve("train", "[5,)"));
        Assert.Null(store.Find("nothing", "*", out var error));
        Assert.Equal("MLENV1034", error!.Code);
        Assert.Contains("train (v1, v2, v3)", error.Message);

        // The store keeps the wheel's bytes, so a download can rebuild the image.
        var definition = store.Definition(store.Versions("train")[0]);
        Assert.Equal(TestZip.Of(1, 2, 3), File.ReadAllBytes(Assert.Single(definition.Wheels).SourcePath));
    }

    [Fact]
    public async Task ConcurrentRegistrationsLeaveAConsistentStore()
    {
        using var dir = new TempDir();
        var root = Path.Combine(dir.Path, "store");
        var definitions = Enumerable.Range(0, 8).Select(i => Def($"10.{i}.0", dir)).ToList();
        await Task.WhenAll(definitions.Select(d => Task.Run(() => new EnvironmentStore(root).RegisterAsync("par", d.Hash, d.Canonical, null, [], null, default))));
        var versions = new EnvironmentStore(root).Versions("par");
        Assert.Equal(Enumerable.Range(1, 8), versions.Select(v => v.Version));
        Assert.Equal(definitions.Select(d => d.Hash).Order(), versions.Select(v => v.Hash).Order());
    }

    [Fact]
    public void CanonicalDefinitionsReadBackToTheSameCanonicalForm()
    {
        var golden = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>>>(
            File.ReadAllText(Path.Combine(GoldenVectorTests.FindRepoRoot(), "tests", "MlEnv.Tests", "TestData", "golden-hashes.json")))!;
        foreach (var (_, vector) in golden)
            Assert.Equal(vector["canonical"], CanonicalJson.Serialize(CanonicalReader.Read(vector["canonical"], "x", (f, s) => f)));
    }

    [Fact]
    public void ARegisteredDefinitionLayersUnderAProject()
    {
        var registered = Defs.Build(new DefinitionInputs
        {
            Name = "base-env",
            BaseImage = "b:1",
            PythonVersion = "3.11",
            PipPackages = [Defs.Pip("pillow", "10.3.0"), Defs.Pip("requests", null, "socks")],
            AptPackages = [Defs.Apt("git")],
        });
        var project = new DefinitionInputs { Name = "app", PipPackages = [Defs.Pip("Pillow", "10.4.0"), Defs.Pip("six")] };
        var d = Defs.Build(DefinitionLayers.Layer(DefinitionLayers.FromDefinition(registered, default), project));
        Assert.Equal("b:1", d.Base.Image);
        Assert.Equal(["pillow==10.4.0", "requests[socks]", "six"], d.PipPackages.Select(p => p.Requirement));
        Assert.Equal("git", Assert.Single(d.AptPackages).Name);
    }
}
