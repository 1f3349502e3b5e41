using MlEnv.Definition;
using MlEnv.Diagnostics;
using MlEnv.Generation;
using MlEnv.Specs;

namespace MlEnv.Tests;

/// <summary>
/// Credentials in a requirement URL never reach the definition (and so requirements.txt and the image label), and
/// no diagnostic echoes them, whatever characters the password holds. Existing conda environments cannot inject either.
/// </summary>
public class RequirementSecretsTests
{
    [Theory]
    [InlineData("https://user:pass word@host/simple", "https://***@host/simple")]
    [InlineData("https://user:pa/ss@host/x", "https://***@host/x")]
    [InlineData("https://us@er:p@ss@host/x", "https://***@host/x")]
    [InlineData("https://user:p%40ss%2F@host/x", "https://***@host/x")]
    [InlineData("https://user:a://b@host/x", "https://***@host/x")]
    [InlineData("name @ https://alice:s3cret@host/x.zip ; os_name == 'a'", "name @ https://***@host/x.zip ; os_name == 'a'")]
    [InlineData("https://host/simple", "https://host/simple")]
    [InlineData("no url @ all", "no url @ all")]
    [InlineData("a https://u:p1@h/x and https://v:p2@i/y", "a https://***@i/y")]
    public void RedactMasksAnyUserInformation(string text, string expected)
    {
        Assert.Equal(expected, DefinitionBuilder.Redact(text));
    }

    private const string Secret = "s3cr3t/with @ and%20";

    public static TheoryData<string> CredentialRequirements() =>
    [
        $"name @ https://alice:{Secret}@host/x.zip",
        "name @ https://alice:s3cr3t@host/x.zip",
        "name @ https://ghp_s3cr3t@host/x.zip",
        "name @ git+https://alice:s3cr3t@github.com/o/r.git@v1",
        "name @ https://alice:s3cr3t@host/x.zip ; python_version >= '3'",
        "name @ ssh://alice:s3cr3t@host/x.tar.gz",
        "name @ https://alice:s3cr3t@/x.zip",
        "name @ https://alice:s3cr3t@host/x.zip ; os_name ==",
    ];

    private static void AssertRefusedWithoutEcho(DefinitionResult result)
    {
        Assert.Null(result.Definition);
        var d = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.True(d.Code is "MLENV1042" or "MLENV1001", d.ToString());
        foreach (var leak in new[] { "s3cr3t", "alice", "with @" }) Assert.DoesNotContain(leak, d.Message);
        if (d.Code == "MLENV1042") Assert.Contains("MLENV_PIP_INDEX_PASSWORD", d.Message);
    }

    [Theory]
    [MemberData(nameof(CredentialRequirements))]
    public void ARequirementItemWithCredentialsIsRefused(string requirement)
    {
        var inputs = Defs.Inputs();
        inputs.PipPackages.Add(Defs.Pip(requirement));
        AssertRefusedWithoutEcho(DefinitionBuilder.Build(inputs));
    }

    [Theory]
    [MemberData(nameof(CredentialRequirements))]
    public void ARequirementsFileLineWithCredentialsIsRefused(string requirement)
    {
        using var dir = new TempDir();
        var inputs = Defs.Inputs();
        inputs.PipRequirements.Add(dir.Write("requirements.txt", requirement + "\n"));
        AssertRefusedWithoutEcho(DefinitionBuilder.Build(inputs));
    }

    [Theory]
    [MemberData(nameof(CredentialRequirements))]
    public void AnEnvironmentFilePipEntryWithCredentialsIsRefused(string requirement)
    {
        using var dir = new TempDir();
        var inputs = Defs.Inputs();
        inputs.CondaSpecifications.Add(dir.Write("environment.yml", "dependencies:\n  - pip:\n    - " + RequirementsAdversarialTests.YamlDoubleQuoted(requirement) + "\n"));
        AssertRefusedWithoutEcho(DefinitionBuilder.Build(inputs));
    }

    [Fact]
    public void CredentialsOnAnExtraIndexOrFindLinksAreNeverDroppedSilently()
    {
        var inputs = Defs.Inputs();
        inputs.PipExtraIndexUrls.Add(("https://bob:pw-s3cr3t@extra.example/simple", new SourceLocation("/proj/demo.csproj", 3, 5)));
        var d = Assert.Single(Defs.Errors(inputs));
        Assert.Equal(("MLENV1051", 3), (d.Code, d.Line));
        Assert.DoesNotContain("s3cr3t", d.Message);
        Assert.DoesNotContain("bob", d.Message);

        using var dir = new TempDir();
        var fromFile = Defs.Inputs();
        fromFile.PipRequirements.Add(dir.Write("requirements.txt", "--find-links https://u:s3cr3t@host/wheels/\nsix\n"));
        var e = Assert.Single(Defs.Errors(fromFile));
        Assert.Equal("MLENV1051", e.Code);
        Assert.EndsWith("requirements.txt", e.File);
        Assert.DoesNotContain("s3cr3t", e.Message);
    }

    [Fact]
    public void TheIndexCredentialsOnAnExtraUrlOfTheIndexHostAreUsedNotWritten()
    {
        var inputs = new DefinitionInputs { Name = "x", BaseImage = "img:1", PipIndexUrl = "https://alice:s3cr3t@pypi.example/simple/" };
        inputs.PipExtraIndexUrls.Add(("https://alice:s3cr3t@pypi.example/extra/", new SourceLocation("/proj/demo.csproj")));
        var result = DefinitionBuilder.Build(inputs);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        Assert.Equal(new PipCredentials("alice", "s3cr3t"), result.Credentials);
        var canonical = CanonicalJson.Serialize(result.Definition!);
        Assert.DoesNotContain("s3cr3t", canonical);
        Assert.Contains("https://pypi.example/extra/", canonical);
        Assert.DoesNotContain("s3cr3t", DockerfileGenerator.RequirementsText(result.Definition!));
    }

    [Theory]
    [InlineData("https://host/a\0b/simple")]
    [InlineData("https://host/a\u0085b/simple")]
    [InlineData("https://host/simple\u2028-i")]
    [InlineData("https://host/simple\n--trusted-host=evil")]
    [InlineData("https://host/a\u001bb/simple")]
    public void AnIndexUrlWithAControlCharacterIsRefusedAndNotEchoedRaw(string url)
    {
        var result = DefinitionBuilder.Build(new DefinitionInputs { Name = "x", BaseImage = "img:1", PipIndexUrl = url });
        var d = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal("MLENV1045", d.Code);
        Assert.Contains("control character", d.Message);
        Assert.True(PipLine.IndexOfForbidden(d.Message) < 0, d.Message);
    }

    [Fact]
    public void AnSshUserNameAloneIsNoSecretAndStays()
    {
        var inputs = Defs.Inputs();
        inputs.PipPackages.Add(Defs.Pip("name @ git+ssh://git@github.com/o/r.git@v1"));
        var d = Defs.Build(inputs);
        Assert.Equal("name @ git+ssh://git@github.com/o/r.git@v1", Assert.Single(d.PipPackages).Requirement);
    }

    [Fact]
    public void AnInvalidIndexUrlMessageMasksAPasswordWithSpaces()
    {
        var inputs = new DefinitionInputs { Name = "x", BaseImage = "img:1", PipIndexUrl = "https://alice:se cr3t/x@host/simple" };
        var result = DefinitionBuilder.Build(inputs);
        var d = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal("MLENV1015", d.Code);
        Assert.DoesNotContain("cr3t", d.Message);
        Assert.DoesNotContain("alice", d.Message);
    }

    [Theory]
    [InlineData("1.0; os_name == ' --index-url=http://attacker/simple'")]
    [InlineData("1.0 --index-url=http://attacker/simple")]
    [InlineData("1.0 #comment")]
    [InlineData("1.0\u2028--index-url http://attacker/simple")]
    [InlineData("1.0\u0085-i http://attacker/simple")]
    [InlineData("1.0; os_name == '${HOME}'")]
    public void ACondaPrefixMetadataVersionCannotInject(string version)
    {
        using var dir = new TempDir();
        dir.Write("env/conda-meta/history", "");
        dir.Write("env/lib/python3.11/site-packages/foo-1.0.dist-info/INSTALLER", "pip\n");
        dir.Write("env/lib/python3.11/site-packages/foo-1.0.dist-info/METADATA", $"Metadata-Version: 2.1\nName: foo\nVersion: {version}\n\nbody\n");
        dir.Write("env/lib/python3.11/site-packages/bar-2.0.dist-info/INSTALLER", "pip\n");
        dir.Write("env/lib/python3.11/site-packages/bar-2.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: bar\nVersion: 2.0\n\n");
        var inputs = Defs.Inputs();
        inputs.ExistingCondaEnvironments.Add(Path.Combine(dir.Path, "env"));
        var result = DefinitionBuilder.Build(inputs);
        var d = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal("MLENV1018", d.Code);
        Assert.Null(result.Definition);

        // Without the bad one, what is written holds only what was declared.
        File.Delete(Path.Combine(dir.Path, "env/lib/python3.11/site-packages/foo-1.0.dist-info/INSTALLER"));
        var text = DockerfileGenerator.RequirementsText(Defs.Build(inputs));
        Assert.Equal(["bar==2.0"], text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')));
    }

    [Fact]
    public void ADefinitionFromElsewhereIsCheckedAgainBeforeItIsWritten()
    {
        var definition = Defs.Build(Defs.Inputs()) with
        {
            PipPackages = [new PipPackage("foo", "foo==1.0\n--index-url http://attacker/simple", [])],
        };
        Assert.Throws<InvalidDataException>(() => DockerfileGenerator.RequirementsText(definition));
        var hashed = definition with { PipPackages = [new PipPackage("foo", "foo==1.0", ["sha256:00 --index-url=http://attacker"])] };
        Assert.Throws<InvalidDataException>(() => DockerfileGenerator.RequirementsText(hashed));
    }
}
