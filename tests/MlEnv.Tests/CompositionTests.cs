using MlEnv.Definition;
using MlEnv.Generation;

namespace MlEnv.Tests;

/// <summary>An environment built FROM a referenced project's environment (a ProjectReference between MlEnv projects).</summary>
public class CompositionTests
{
    private const string ParentHash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static ParentInput Parent(string hash = ParentHash, string? python = "3.11", EnvironmentManager manager = EnvironmentManager.Venv, bool gpu = false) =>
        new(new ParentEnvironment("base-env", hash, "mlenv/base-env:" + hash[..12]),
            new EnvironmentDefinition { Name = "base-env", PythonVersion = python, Base = BaseSpec.FromImage("python:3.11.9-slim-bookworm"), Manager = manager, Gpu = gpu });

    private static DefinitionInputs Child(ParentInput? parent) => new()
    {
        Name = "child",
        Project = new Specs.SourceLocation("/proj/child.csproj"),
        Parent = parent,
        PipPackages = [Defs.Pip("requests", "2.32.3")],
        AptPackages = [Defs.Apt("libgomp1")],
    };

    [Fact]
    public void TheParentsImageIsTheBaseAndItsHashIsPartOfTheChildsHash()
    {
        var child = Defs.Build(Child(Parent()));
        Assert.Equal("mlenv/base-env:0123456789ab", child.Base.Image);
        Assert.Equal("3.11", child.PythonVersion);
        Assert.Equal(EnvironmentManager.Venv, child.Manager);
        Assert.Contains($"\"parent\":{{\"hash\":\"{ParentHash}\",\"image\":\"mlenv/base-env:0123456789ab\",\"name\":\"base-env\"}}", CanonicalJson.Serialize(child));

        // A parent that changes beyond the 12 characters of its tag still changes the child's hash.
        var otherHash = ParentHash[..12] + new string('f', 52);
        Assert.NotEqual(CanonicalJson.Hash(child), Defs.Hash(Child(Parent(otherHash))));
        // Without a parent there is no "parent" key at all, so definitions from before composition keep their hashes.
        Assert.DoesNotContain("parent", CanonicalJson.Serialize(Defs.Build(Child(null))) + CanonicalJson.Serialize(Defs.Build(Defs.Inputs())));
    }

    [Fact]
    public void TheDockerfileAddsPackagesToTheParentsEnvironmentWithoutCreatingAnother()
    {
        var df = DockerfileGenerator.Generate(Defs.Build(Child(Parent()))).Dockerfile;
        Assert.StartsWith("FROM mlenv/base-env:0123456789ab\n", df);
        Assert.DoesNotContain("venv", df);
        Assert.DoesNotContain("MLENV-PYTHON-MISMATCH", df);
        Assert.Contains("apt-get install", df);
        Assert.Contains("python -m pip install", df);

        var at = new Specs.SourceLocation("/proj/child.csproj");
        var conda = Defs.Build(new DefinitionInputs
        {
            Name = "child",
            Project = at,
            Parent = Parent(manager: EnvironmentManager.Conda),
            CondaPackages = [new("numpy", "1.26.*", null, null, at)],
        });
        var condaDockerfile = DockerfileGenerator.Generate(conda).Dockerfile;
        Assert.DoesNotContain(" create ", condaDockerfile);
        Assert.Contains("micromamba install -y -p /opt/mlenv/env -f /tmp/mlenv/environment.yml", condaDockerfile);
    }

    [Fact]
    public void AGpuParentMakesTheChildGpu()
    {
        Assert.True(Defs.Build(Child(Parent(gpu: true))).Gpu);
        Assert.False(Defs.Build(Child(Parent())).Gpu);
    }

    [Fact]
    public void ConflictsWithTheParentAreCodedErrors()
    {
        static DefinitionInputs With(DefinitionInputs i, string? baseImage = null, string? python = null, bool conda = false) => new()
        {
            Name = i.Name,
            Project = i.Project,
            Parent = i.Parent,
            PipPackages = i.PipPackages,
            BaseImage = baseImage,
            PythonVersion = python,
            CondaPackages = conda ? [new("numpy", null, null, null, i.Project)] : [],
        };
        var child = Child(Parent());
        Assert.Contains(Defs.Errors(With(child, baseImage: "debian:bookworm")), d => d.Code == "MLENV1036" && d.Message.Contains("also sets a base"));
        Assert.Contains(Defs.Errors(With(child, python: "3.12")), d => d.Code == "MLENV1036" && d.Message.Contains("Python 3.11"));
        Assert.Contains(Defs.Errors(With(child, conda: true)), d => d.Code == "MLENV1036" && d.Message.Contains("not a conda environment"));
        // A more precise python version of the parent's is not a conflict.
        Assert.Empty(DefinitionBuilder.Build(With(child, python: "3.11.9")).Diagnostics);
    }

    [Fact]
    public void ReadingAndExplainingAChildDefinition()
    {
        var child = Defs.Build(Child(Parent()));
        var canonical = CanonicalJson.Serialize(child);
        var back = CanonicalReader.Read(canonical, "child", (f, _) => f);
        Assert.Equal(child.Parent, back.Parent);
        Assert.Equal(canonical, CanonicalJson.Serialize(back));

        var changed = CanonicalJson.Serialize(Defs.Build(Child(Parent("fedcba9876543210" + ParentHash[16..]))));
        var explained = DefinitionDiff.Explain(canonical, changed);
        Assert.Equal(["referenced environment base-env changed: 0123456789ab → fedcba987654"], explained);
    }
}
