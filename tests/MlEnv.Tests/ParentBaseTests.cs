using MlEnv.Definition;
using MlEnv.Generation;
using MlEnv.Specs;

namespace MlEnv.Tests;

/// <summary>
/// A composed project (ProjectReference to another MlEnv project) is built FROM that project's environment image.
/// A base of its own that equals the one that environment is built on (a Directory.Build.props shared by both)
/// changes nothing and is accepted; a different base is MLENV1036.
/// </summary>
public class ParentBaseTests
{
    private const string Hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string ParentBase = "python:3.11.9-slim-bookworm";
    private static readonly SourceLocation At = new("/proj/child.csproj");

    private static ParentInput Parent(BaseSpec? baseSpec = null, bool gpu = false) =>
        new(new ParentEnvironment("base-env", Hash, "mlenv/base-env:" + Hash[..12]),
            new EnvironmentDefinition { Name = "base-env", PythonVersion = "3.11", Base = baseSpec ?? BaseSpec.FromImage(ParentBase), Manager = EnvironmentManager.Venv, Gpu = gpu });

    private static DefinitionInputs Child(ParentInput parent, string? baseImage = null, string? gpuImage = null, string? dockerfile = null, string? gpu = null) => new()
    {
        Name = "child",
        Project = At,
        Parent = parent,
        BaseImage = baseImage,
        GpuBaseImage = gpuImage,
        BaseDockerfile = dockerfile,
        Gpu = gpu,
        PipPackages = [Defs.Pip("requests", "2.32.3")],
    };

    [Fact]
    public void TheParentsOwnBaseImageIsAccepted()
    {
        var d = Defs.Build(Child(Parent(), baseImage: ParentBase));
        // The child is still built FROM the parent's environment image, not from the base it repeated.
        Assert.Equal("mlenv/base-env:0123456789ab", d.Base.Image);
        Assert.StartsWith("FROM mlenv/base-env:0123456789ab\n", DockerfileGenerator.Generate(d).Dockerfile);
        Assert.Equal(CanonicalJson.Hash(Defs.Build(Child(Parent()))), CanonicalJson.Hash(d));
    }

    [Theory]
    [InlineData("debian:bookworm")]
    [InlineData("python:3.11.9-slim")]
    [InlineData("python:3.12.7-slim-bookworm")]
    public void ADifferentBaseImageIsRefused(string image)
    {
        var error = Assert.Single(Defs.Errors(Child(Parent(), baseImage: image)));
        Assert.Equal("MLENV1036", error.Code);
        Assert.Contains(image, error.Message);
        Assert.Contains(ParentBase, error.Message);
    }

    [Fact]
    public void AGpuBaseImageCountsOnlyWhenTheEnvironmentUsesAGpu()
    {
        // A shared props file sets both bases: the parent (no GPU) was built on the plain one.
        Assert.True(DefinitionBuilder.Build(Child(Parent(), baseImage: ParentBase, gpuImage: "nvidia/cuda:12.4.1-runtime-ubuntu22.04")).Success);
        // With a GPU parent the GPU base is the one compared.
        Assert.True(DefinitionBuilder.Build(Child(Parent(BaseSpec.FromImage("nvidia/cuda:12.4.1-runtime-ubuntu22.04"), gpu: true), baseImage: ParentBase, gpuImage: "nvidia/cuda:12.4.1-runtime-ubuntu22.04")).Success);
        Assert.Equal("MLENV1036", Assert.Single(Defs.Errors(Child(Parent(gpu: true), gpuImage: "nvidia/cuda:12.4.1-runtime-ubuntu22.04"))).Code);
        // A child that asks for a GPU itself compares its GPU base too.
        Assert.Equal("MLENV1036", Assert.Single(Defs.Errors(Child(Parent(), gpuImage: "nvidia/cuda:12.4.1-runtime-ubuntu22.04", gpu: "true"))).Code);
    }

    [Fact]
    public void AnEqualBaseDockerfileIsAcceptedAndADifferentOneRefused()
    {
        using var dir = new TempDir();
        var text = "FROM debian:bookworm-slim\nRUN apt-get update\n";
        var same = dir.Write("same.Dockerfile", text);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
        var parent = Parent(new BaseSpec(null, text, sha));
        Assert.True(DefinitionBuilder.Build(Child(parent, dockerfile: same)).Success);

        var other = dir.Write("other.Dockerfile", text + "RUN true\n");
        var error = Assert.Single(Defs.Errors(Child(parent, dockerfile: other)));
        Assert.Equal("MLENV1036", error.Code);
        Assert.Contains("other.Dockerfile", error.Message);

        // A parent on an image and a child with a Dockerfile are never the same base.
        Assert.Equal("MLENV1036", Assert.Single(Defs.Errors(Child(Parent(), dockerfile: same))).Code);
    }

    [Theory]
    [InlineData("mlenv/base-env\nRUN id", "MLENV1024")]
    [InlineData("mlenv/Base-Env", "MLENV1024")]
    [InlineData("mlenv/base env", "MLENV1024")]
    public void TheReferencedProjectsImageIsValidatedBeforeItBecomesTheFromLine(string repository, string code)
    {
        var parent = new ParentInput(new ParentEnvironment("base-env", Hash, repository + ":" + Hash[..12]), Parent().Definition);
        Assert.Equal(code, Assert.Single(Defs.Errors(Child(parent))).Code);
    }

    [Fact]
    public void TheReferencedDefinitionsPythonAndExecutableAreValidatedToo()
    {
        var badPython = new ParentInput(Parent().Environment, Parent().Definition with { PythonVersion = "3.11\nRUN id" });
        Assert.Equal("MLENV1016", Assert.Single(Defs.Errors(Child(badPython))).Code);
        var badExecutable = new ParentInput(Parent().Environment, Parent().Definition with { Manager = EnvironmentManager.Conda, CondaExecutable = "micromamba; id" });
        Assert.Equal("MLENV1029", Assert.Single(Defs.Errors(Child(badExecutable))).Code);
    }
}
