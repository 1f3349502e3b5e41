using MlEnv.Definition;
using MlEnv.Diagnostics;
using MlEnv.Specs;

namespace MlEnv.Tests;

public class CuratedTests
{
    private static readonly string Directory = Path.Combine(GoldenVectorTests.FindRepoRoot(), "src", "MlEnv.Sdk", "build", "curated");

    private static CuratedEnvironment Load(string name)
    {
        var diagnostics = new List<Diagnostic>();
        var curated = CuratedEnvironments.Load(Directory, name, SourceLocation.None, diagnostics);
        Assert.Empty(diagnostics);
        return curated!;
    }

    [Fact]
    public void ShipsMinimalAndTutorialEachFullyPinnedWithACpuAndAGpuBase()
    {
        Assert.Equal(["mlenv-minimal", "mlenv-tutorial"], CuratedEnvironments.Names(Directory));
        var tutorial = Load("mlenv-tutorial");
        Assert.Equal(["scikit-learn", "pandas", "matplotlib", "numpy"], tutorial.PipPackages.Select(p => p.Name));
        foreach (var name in CuratedEnvironments.Names(Directory))
        {
            var curated = Load(name);
            Assert.All(curated.PipPackages, p => Assert.Matches(@"^\d+(\.\d+)+$", p.Version));
            var cpu = Defs.Build(CuratedEnvironments.Apply(curated, new DefinitionInputs { Name = "x" }));
            var gpu = Defs.Build(CuratedEnvironments.Apply(curated, new DefinitionInputs { Name = "x", Gpu = "true" }));
            Assert.Equal("python:3.11.10-slim-bookworm", cpu.Base.Image);
            Assert.Equal(BaseImages.MicromambaCuda, gpu.Base.Image);
            Assert.Equal("3.11", cpu.PythonVersion);
        }
    }

    [Fact]
    public void TheProjectsItemsAddToAndOverrideTheCuratedOnes()
    {
        var project = new DefinitionInputs
        {
            Name = "x",
            BaseImage = "myorg/base:1",
            PythonVersion = "3.12",
            PipPackages = [Defs.Pip("Scikit_Learn", "1.6.0"), Defs.Pip("requests", "2.32.3")],
            Variables = [new("MPLBACKEND", "svg", default)],
        };
        var d = Defs.Build(CuratedEnvironments.Apply(Load("mlenv-tutorial"), project));
        Assert.Equal("myorg/base:1", d.Base.Image);
        Assert.Equal("3.12", d.PythonVersion);
        Assert.Equal(["matplotlib==3.9.2", "numpy==1.26.4", "pandas==2.2.3", "requests==2.32.3", "scikit-learn==1.6.0"], d.PipPackages.Select(p => p.Requirement));
        Assert.Equal("svg", d.Variables["MPLBACKEND"]);
        Assert.Equal("1", d.Variables["PYTHONUNBUFFERED"]);
        Assert.Equal("libgomp1", Assert.Single(d.AptPackages).Name);
    }

    [Fact]
    public void AnUnknownNameIsACodedErrorListingTheKnownOnes()
    {
        var diagnostics = new List<Diagnostic>();
        Assert.Null(CuratedEnvironments.Load(Directory, "mlenv-huge", new SourceLocation("/p.csproj"), diagnostics));
        var error = Assert.Single(diagnostics);
        Assert.Equal("MLENV1033", error.Code);
        Assert.Contains("mlenv-minimal, mlenv-tutorial", error.Message);
        Assert.Equal("/p.csproj", error.File);
    }
}
