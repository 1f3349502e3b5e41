using MlEnv.Definition;
using MlEnv.Tasks;

namespace MlEnv.Tests;

/// <summary>Property abuse: every value the targets hand to a task either passes or gets its own coded error.</summary>
public class PropertyValidationTests
{
    private static List<PropertyDiagnostic> Check(string name, string value) =>
        PropertyValidation.Validate(new Dictionary<string, string?> { [name] = value });

    public static TheoryData<string, string, string> Refused => new()
    {
        // booleans: MSBuild would have thrown MSB4030 converting these, or a condition would read them as false
        { "MlEnvUserManagedDependencies", "banana", "MLENV1055" },
        { "MlEnvUserManagedDependencies", "yes", "MLENV1055" },
        { "MlEnvUserManagedDependencies", "1", "MLENV1055" },
        { "MlEnvBuildImage", "ture", "MLENV1055" },
        { "MlEnvBuildImage", " true", "MLENV1055" },
        { "MlEnvBuildImage", "true\n", "MLENV1055" },
        { "MlEnvRequireDocker", "on", "MLENV1055" },
        { "MlEnvRefresh", "!false", "MLENV1055" },
        { "MlEnvBundle", "0", "MLENV1055" },
        { "MlEnvRegister", "no", "MLENV1055" },
        { "MlEnvRegistryStore", "tru\u0435", "MLENV1055" }, // Cyrillic e
        { "EnableMlEnv", "banana", "MLENV1055" },
        // ports
        { "MlEnvServicePort", "0", "MLENV1056" },
        { "MlEnvServicePort", "65536", "MLENV1056" },
        { "MlEnvServicePort", "99999999999999999999", "MLENV1056" },
        { "MlEnvServicePort", "-1", "MLENV1056" },
        { "MlEnvServicePort", "80a", "MLENV1056" },
        { "MlEnvServicePort", "\u0665\u0660\u0660\u0661", "MLENV1056" }, // Arabic-Indic digits
        { "MlEnvServicePort", "5001\n", "MLENV1056" },
        { "MlEnvServicePort", "0x1F", "MLENV1056" },
        // enumerations
        { "MlEnvOutputFormat", "yaml", "MLENV1057" },
        { "MlEnvOutputFormat", "json\n", "MLENV1057" },
        { "MlEnvGpu", "maybe", "MLENV1019" },
        // python versions
        { "MlEnvPythonVersion", "3.\u0661\u0661", "MLENV1016" },
        { "MlEnvPythonVersion", "3.11\n", "MLENV1016" },
        { "MlEnvPythonVersion", "3", "MLENV1016" },
        { "MlEnvPythonVersion", "3.11.x", "MLENV1016" },
        // engine endpoints
        { "MlEnvDockerHost", "not a uri", "MLENV2017" },
        { "MlEnvDockerHost", "notauri", "MLENV2017" },
        { "MlEnvDockerHost", "ftp://host/x", "MLENV2017" },
        { "MlEnvDockerHost", "unix://", "MLENV2017" },
        { "MlEnvDockerHost", "tcp://host:2375/path", "MLENV2017" },
        { "MlEnvDockerHost", "tcp://host:99999", "MLENV2017" },
        { "MlEnvDockerHost", "tcp://user:secret@host:2375", "MLENV2017" },
        { "MlEnvDockerHost", "unix:///var/run/docker.sock\n", "MLENV2017" },
        { "DOCKER_HOST", "::::", "MLENV2017" },
        // build network
        { "MlEnvBuildNetwork", "host;rm", "MLENV2019" },
        { "MlEnvBuildNetwork", "host\n", "MLENV2019" },
        { "MlEnvBuildNetwork", "-privileged", "MLENV2019" },
        // sizes and run arguments
        { "MlEnvShmSize", "99999999999999g", "MLENV2010" },
        { "MlEnvShmSize", "9223372036854775808", "MLENV2010" },
        { "MlEnvShmSize", "2t", "MLENV2010" },
        { "MlEnvShmSize", "-2g", "MLENV2010" },
        { "MlEnvShmSize", "2 g", "MLENV2010" },
        { "MlEnvShmSize", "\u0662g", "MLENV2010" },
        { "MlEnvRunArguments", "--name \"unterminated", "MLENV2010" },
        { "MlEnvRunArguments", "a\0b", "MLENV2010" },
        // image references and Docker's length limits
        { "MlEnvImageRepository", "Upper/Case", "MLENV1024" },
        { "MlEnvImageRepository", "mlenv/x:tag", "MLENV1024" },
        { "MlEnvImageRepository", "mlenv/" + new string('a', 250), "MLENV1024" },
        { "MlEnvImageRepository", "mlenv/x\n", "MLENV1024" },
        { "MlEnvServiceImageRepository", "svc@sha256:00", "MLENV1024" },
        { "MlEnvBaseImage", "python:" + new string('1', 129), "MLENV1024" },
        { "MlEnvBaseImage", new string('a', 256) + ":1", "MLENV1024" },
        { "MlEnvGpuBaseImage", "cuda image", "MLENV1024" },
        // registries and tags
        { "MlEnvRegistry", "http://localhost:5000", "MLENV3003" },
        { "MlEnvRegistry", "localhost:5000\n", "MLENV3003" },
        { "MlEnvRegistry", "localhost:99999", "MLENV3003" },
        { "MlEnvRegistry", "localhost:0/team", "MLENV3003" },
        { "MlEnvBaseImageRegistry", "mirror.example:70000", "MLENV1024" },
        { "MlEnvBaseImageRegistry", "https://mirror.example", "MLENV1024" },
        { "MlEnvBaseImage", "localhost:99999/python:3.11", "MLENV1024" },
        { "MlEnvImageRepository", "localhost:65536/team/x", "MLENV1024" },
        { "MlEnvImageTags", "latest;-bad", "MLENV3006" },
        { "MlEnvImageTags", "v1;" + new string('t', 129), "MLENV3006" },
        // values that reach Dockerfile lines
        { "MlEnvCondaExecutable", "micromamba\n", "MLENV1029" },
        { "MlEnvCondaExecutable", "mamba; rm -rf /", "MLENV1029" },
        { "MlEnvPipIndexUrl", "https://pypi.example/simple\n--trusted-host x", "MLENV1015" },
        { "MlEnvPipIndexUrl", "https://user:p@ss word@pypi.example/simple", "MLENV1015" },
        // environment names (a bad one is reported once, not again through the repositories derived from it)
        { "MlEnvName", "../../etc", "MLENV1020" },
        { "MlEnvName", "Upper", "MLENV1020" },
        { "MlEnvName", "name\n", "MLENV1020" },
        // paths with line breaks or NUL
        { "MlEnvStore", "/tmp/store\n", "MLENV1058" },
        { "MlEnvOutputFile", "envs.json\0", "MLENV1058" },
        { "MlEnvDownloadDir", "out\u2028dir", "MLENV1058" },
        { "MlEnvScoringScript", "score.py\r", "MLENV1058" },
        { "MlEnvRunScript", "train.py\u0085", "MLENV1058" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void RefusesWithTheCodeAndNamesTheProperty(string name, string value, string code)
    {
        var found = Assert.Single(Check(name, value));
        Assert.Equal(code, found.Diagnostic.Code);
        Assert.Equal(name, found.Property);
        Assert.True(found.Diagnostic.IsError);
        // The message stays one line whatever the value held.
        Assert.DoesNotContain('\n', found.Diagnostic.Message);
        Assert.DoesNotContain('\0', found.Diagnostic.Message);
    }

    public static TheoryData<string, string> Accepted => new()
    {
        { "MlEnvUserManagedDependencies", "true" },
        { "MlEnvUserManagedDependencies", "False" },
        { "MlEnvBuildImage", "TRUE" },
        { "MlEnvServicePort", "1" },
        { "MlEnvServicePort", "65535" },
        { "MlEnvOutputFormat", "JSON" },
        { "MlEnvGpu", "auto" },
        { "MlEnvPythonVersion", "3.11" },
        { "MlEnvPythonVersion", "3.11.9" },
        { "MlEnvDockerHost", "unix:///var/run/docker.sock" },
        { "MlEnvDockerHost", "tcp://127.0.0.1:2375" },
        { "MlEnvDockerHost", "https://docker.example:2376" },
        { "MlEnvDockerHost", "npipe://./pipe/docker_engine" },
        { "MlEnvBuildNetwork", "host" },
        { "MlEnvBuildNetwork", "container:builder-1" },
        { "MlEnvShmSize", "2g" },
        { "MlEnvShmSize", "512MB" },
        { "MlEnvShmSize", "1048576" },
        { "MlEnvRunArguments", "--alpha 0.5 --name 'two words' \"x y\"" },
        { "MlEnvImageRepository", "localhost:5000/team/mlenv-x" },
        { "MlEnvImageRepository", "mlenv/" + new string('a', 249) },
        { "MlEnvBaseImage", "mlenv-test/bookworm-python:1" },
        { "MlEnvBaseImage", "python:3.11-slim-bookworm@sha256:" + new string('a', 64) },
        { "MlEnvRegistry", "localhost:5000/" },
        { "MlEnvBaseImageRegistry", "mirror.example:5000/dockerhub" },
        { "MlEnvBaseImage", "python:3.11" },
        { "MlEnvBaseImage", "localhost:5000/python:3.11" },
        { "MlEnvImageTags", "latest; v2 ;" },
        { "MlEnvStore", "/tmp/a store/with spaces" },
        { "MlEnvName", "sklearn-train.v2_x" },
        { "MlEnvCondaExecutable", "micromamba" },
        { "MlEnvPipIndexUrl", "https://pypi.example/simple" },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void AcceptsValidValues(string name, string value) => Assert.Empty(Check(name, value));

    [Fact]
    public void ABadNameIsReportedOnceNotAgainThroughTheRepositoriesDerivedFromIt()
    {
        var values = new Dictionary<string, string?> { ["MlEnvName"] = "../x", ["MlEnvImageRepository"] = "mlenv/../x", ["MlEnvServiceImageRepository"] = "mlenv/../x-service" };
        Assert.Equal("MlEnvName", Assert.Single(PropertyValidation.Validate(values)).Property);
    }

    [Fact]
    public void EmptyValuesAreDefaults() =>
        Assert.Empty(PropertyValidation.Validate(PropertyValidation.Booleans.Concat(PropertyValidation.Paths)
            .Concat(["MlEnvServicePort", "MlEnvDockerHost", "MlEnvShmSize", "MlEnvImageRepository"]).ToDictionary(n => n, n => (string?)"")));

    [Fact]
    public void DisabledMlEnvChecksNothingElse()
    {
        var values = new Dictionary<string, string?> { ["EnableMlEnv"] = "false", ["MlEnvRegister"] = "banana", ["MlEnvServicePort"] = "0" };
        Assert.Empty(PropertyValidation.Validate(values));
        values["EnableMlEnv"] = "true";
        Assert.Equal(["MlEnvRegister", "MlEnvServicePort"], PropertyValidation.Validate(values).Select(d => d.Property).Order());
    }

    [Fact]
    public void MlEnvDockerHostWinsOverDockerHostVariable()
    {
        var values = new Dictionary<string, string?> { ["MlEnvDockerHost"] = "unix:///run/docker.sock", ["DOCKER_HOST"] = "garbage" };
        Assert.Empty(PropertyValidation.Validate(values));
        values["MlEnvDockerHost"] = "";
        Assert.Equal("DOCKER_HOST", Assert.Single(PropertyValidation.Validate(values)).Property);
        // The machine's variable does not fail a project that builds no image; the project's own property does.
        values["MlEnvBuildImage"] = "false";
        Assert.Empty(PropertyValidation.Validate(values));
        values["MlEnvDockerHost"] = "garbage";
        Assert.Equal("MlEnvDockerHost", Assert.Single(PropertyValidation.Validate(values)).Property);
    }

    [Fact]
    public void ARefusedEndpointDoesNotShowItsPassword()
    {
        var found = Assert.Single(Check("MlEnvDockerHost", "tcp://user:s3cret@host:2375"));
        Assert.DoesNotContain("s3cret", found.Diagnostic.Message);
        Assert.DoesNotContain("user", found.Diagnostic.Message);
    }

    [Theory]
    [InlineData("2g", 2L << 30)]
    [InlineData("512m", 512L << 20)]
    [InlineData("64K", 64L << 10)]
    [InlineData("100", 100L)]
    [InlineData("", 0L)]
    [InlineData("8589934591g", 8589934591L << 30)]
    public void SizesParseWithoutOverflow(string text, long bytes) => Assert.Equal(bytes, PropertyValidation.ParseSize(text));

    [Fact]
    public void SizesThatWouldOverflowAreRefused()
    {
        Assert.Null(PropertyValidation.ParseSize("8589934592g")); // 2^33 GiB = 2^63 bytes
        Assert.Null(PropertyValidation.ParseSize("9999999999999999999"));
    }

    [Theory]
    [InlineData("https://u:p@ss word@host/simple", "https://***@host/simple")]
    [InlineData("tcp://u:a/b@c@host:2375", "tcp://***@host:2375")]
    [InlineData("https://u:%40x@host", "https://***@host")]
    [InlineData("https://host/simple", "https://host/simple")]
    public void UserInfoIsRedactedWhateverThePasswordHolds(string url, string shown) => Assert.Equal(shown, PropertyValidation.WithoutUserInfo(url));

    [Fact]
    public void ARefusedIndexUrlDoesNotShowItsPassword()
    {
        var found = Assert.Single(Check("MlEnvPipIndexUrl", "https://bob:hun@ter 2@pypi.example/simple\n"));
        Assert.DoesNotContain("hun", found.Diagnostic.Message);
        Assert.DoesNotContain("ter 2", found.Diagnostic.Message);
    }

    [Fact]
    public void ValuesShownInMessagesAreEscapedAndShortened()
    {
        Assert.Equal("a\\u000ab", PropertyValidation.Visible("a\nb"));
        Assert.True(PropertyValidation.Visible(new string('x', 5000)).Length < 300);
    }
}
