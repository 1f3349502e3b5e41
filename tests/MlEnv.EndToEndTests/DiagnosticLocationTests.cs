using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

/// <summary>
/// Every coded error a real `dotnet build` reports names the user's project or spec file (with the line where MlEnv
/// knows it), never MlEnv's own props or targets, and never an MSBuild crash code. Engine-free: MlEnvBuildImage=false.
/// </summary>
public sealed class DiagnosticLocationTests(SdkPackage sdk) : EngineFreeTest(sdk)
{
    private static readonly string[] CrashCodes = ["MSB4018", "MSB4030", "MSB4028", "MSB4026", "MSB4181", "MSB4062"];

    /// <summary>The coded errors of a failed build, after checking that none names a file outside the project folder.</summary>
    private static IReadOnlyList<BuildDiagnostic> UserFileErrors(DotnetResult result, TestProject p)
    {
        Assert.True(result.ExitCode != 0, result.Output);
        var all = BuildDiagnostic.Parse(result.Output);
        Assert.DoesNotContain(all, d => CrashCodes.Contains(d.Code));
        var coded = all.Where(d => d.Code.StartsWith("MLENV", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(coded);
        foreach (var d in coded)
        {
            Assert.True(d.File.StartsWith(p.Directory + Path.DirectorySeparatorChar, StringComparison.Ordinal), $"{d} is not in the project folder:\n{result.Output}");
            Assert.False(d.File.StartsWith(p.Directory + Path.DirectorySeparatorChar + "packages", StringComparison.Ordinal), d.ToString());
            Assert.DoesNotContain("MlEnv.Sdk", d.File, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("MlEnv.Standalone", d.File, StringComparison.OrdinalIgnoreCase);
        }
        return coded;
    }

    private static void AssertAt(IReadOnlyList<BuildDiagnostic> errors, string code, string file, bool withLine)
    {
        var at = errors.Where(e => e.Code == code && e.File == file).ToList();
        Assert.True(at.Count > 0, $"no {code} at {file}: {string.Join("; ", errors)}");
        if (withLine) Assert.All(at, e => Assert.True(e.Line > 0, e.ToString()));
    }

    [Fact]
    public void ItemAndSpecFileErrorsNameTheFileAndLineThatWroteThem()
    {
        var p = New("located-items")
            .File("req.txt", "requests==2.31.0\n--bogus-option x\nbad name here\n")
            .File("env.yml", "name: x\ndependencies:\n  - [unclosed\n")
            .File("wheels/junk.whl", "junk")
            .File("shared.props", "<Project>\n  <ItemGroup>\n    <MlEnvVariable Include=\"2FROM_IMPORT\" Value=\"x\" />\n  </ItemGroup>\n</Project>\n")
            .Item("MlEnvAptPackage", "Bad Name")
            .Item("MlEnvPipPackage", "b@d")
            .Item("MlEnvCondaPackage", "numpy", ("Version", "1.0 || evil"))
            .Item("MlEnvCondaChannel", "bad channel!")
            .Item("MlEnvVariable", "1BAD", ("Value", "x"))
            .Item("MlEnvLabel", "-bad", ("Value", "x"))
            .Item("MlEnvPipExtraIndexUrl", "not a url")
            .Item("MlEnvPipWheel", "wheels/junk.whl")
            .Item("MlEnvPipRequirements", "req.txt")
            .Item("MlEnvPipRequirements", "missing.txt")
            .Item("MlEnvCondaSpecification", "env.yml")
            .Import("shared.props");
        var errors = UserFileErrors(p.Build("-v:q"), p);

        foreach (var code in new[] { "MLENV1011", "MLENV1001", "MLENV1009", "MLENV1017", "MLENV1012", "MLENV1013", "MLENV1015" })
            AssertAt(errors, code, p.ProjectFile, withLine: true);
        AssertAt(errors, "MLENV1014", p.ProjectFile, withLine: true);    // the MlEnvPipWheel element
        AssertAt(errors, "MLENV1004", Path.Combine(p.Directory, "req.txt"), withLine: true);
        AssertAt(errors, "MLENV1001", Path.Combine(p.Directory, "req.txt"), withLine: true);
        AssertAt(errors, "MLENV1007", Path.Combine(p.Directory, "env.yml"), withLine: true);
        AssertAt(errors, "MLENV1006", p.ProjectFile, withLine: true);     // the MlEnvPipRequirements element naming it
        // An item from an imported file names that file and its line, not the project (DefiningProjectFullPath).
        var imported = Assert.Single(errors, e => e.File == Path.Combine(p.Directory, "shared.props"));
        Assert.Equal(("MLENV1012", 3), (imported.Code, imported.Line));
        Assert.True(errors.Select(e => e.Code).Distinct().Count() >= 10);
    }

    [Fact]
    public void PropertyErrorsPointAtTheLineThatSetsThemOrAtTheProjectForCommandLineValues()
    {
        var bad = new (string Property, string Value, string Code)[]
        {
            ("MlEnvUserManagedDependencies", "banana", "MLENV1055"),
            ("MlEnvRegister", "yes", "MLENV1055"),
            ("MlEnvServicePort", "99999", "MLENV1056"),
            ("MlEnvOutputFormat", "yaml", "MLENV1057"),
            ("MlEnvDockerHost", "not a uri", "MLENV2017"),
            ("MlEnvBuildNetwork", "host;x", "MLENV2019"),
            ("MlEnvShmSize", "99999999999999g", "MLENV2010"),
            ("MlEnvImageRepository", "mlenv/" + new string('a', 260), "MLENV1024"),
            ("MlEnvRegistry", "http://localhost:5000", "MLENV3003"),
            ("MlEnvImageTags", "-bad", "MLENV3006"),
            ("MlEnvGpu", "maybe", "MLENV1019"),
            ("MlEnvPythonVersion", "3.\u0661\u0661", "MLENV1016"),
            ("MlEnvCondaExecutable", "bad exe!", "MLENV1029"),
            ("MlEnvPipIndexUrl", "https://pypi.example/simple --trusted-host x", "MLENV1015"),
            ("MlEnvStore", "st\tore", "MLENV1058"),
        };
        var p = New("located-properties");
        foreach (var (property, value, _) in bad) p.Property(property, value);
        var result = p.Build("-v:q");
        var errors = UserFileErrors(result, p);
        Assert.Equal(bad.Select(b => b.Code).Distinct().Order(), errors.Select(e => e.Code).Distinct().Order());
        Assert.All(errors, e => Assert.True(e.File == p.ProjectFile && e.Line > 0, e.ToString()));
        // Validation stops the build before anything is resolved or written.
        Assert.False(File.Exists(p.Obj("definition.json")));

        var g = New("located-global");
        var fromCommandLine = g.Run(["build", g.ProjectFile, "-nologo", "-v:q", "-p:MlEnvBuildImage=banana", "-p:MlEnvServicePort=0"]);
        var global = UserFileErrors(fromCommandLine, g);
        Assert.Equal(["MLENV1055", "MLENV1056"], global.Select(e => e.Code).Order());
        // Given on the command line: the project, without a line that would point at another value.
        Assert.All(global, e => Assert.True(e.File == g.ProjectFile && e.Line == 0, e.ToString()));
    }

    [Fact]
    public void TargetStoreAndPublishErrorsNameTheProject()
    {
        var p = New("located-targets");
        Assert.Equal(0, p.Build("-v:q").ExitCode);
        var cases = new (string[] Args, string Code)[]
        {
            (["build", "-t:MlEnvDownload"], "MLENV1035"),
            (["build", "-t:MlEnvScaffold"], "MLENV1035"),
            (["build", "-t:MlEnvRun"], "MLENV2010"),
            (["build", "-t:MlEnvRun", "-p:MlEnvRunScript=located-targets.csproj"], "MLENV2018"),
            (["build", "-t:MlEnvShow", "-p:MlEnvName=no-such-environment"], "MLENV1034"),
            (["publish", "-p:MlEnvBundle=true"], "MLENV2018"),
            (["build", "-p:MlEnvCurated=no-such-curated"], "MLENV1033"),
            (["build", "-t:MlEnvList", "-p:MlEnvRegistryStore=maybe"], "MLENV1055"),
            (["build", "-t:MlEnvShow", "-p:MlEnvName=../../etc"], "MLENV1020"),
            // Store commands whose store or output is not a usable folder or file: coded, not MSBuild's stack trace.
            (["build", $"-p:MlEnvStore={p.ProjectFile}"], "MLENV1059"),
            (["build", "-t:MlEnvList", $"-p:MlEnvOutputFile={Path.Combine(p.Directory, "no", "such", "list.json")}"], "MLENV1060"),
            (["build", "-t:MlEnvScaffold", $"-p:MlEnvScaffoldDir={p.ProjectFile}"], "MLENV1060"),
            (["build", "-t:MlEnvDownload", "-p:MlEnvName=located-targets", $"-p:MlEnvDownloadDir={p.ProjectFile}"], "MLENV1060"),
        };
        foreach (var (args, code) in cases)
        {
            var result = p.Run([.. args, p.ProjectFile, "-nologo", "-v:q", "--no-restore"]);
            var error = Assert.Single(UserFileErrors(result, p));
            Assert.True(error.Code == code && error.File == p.ProjectFile, $"{string.Join(' ', args)}: {error}");
        }

        var reference = New("located-reference").Item("MlEnvReference", "no-such-env", ("Version", "1"));
        var referenceError = Assert.Single(UserFileErrors(reference.Build("-v:q"), reference));
        Assert.Equal(("MLENV1034", reference.ProjectFile), (referenceError.Code, referenceError.File));
        Assert.True(referenceError.Line > 0);

        var dockerfile = New("located-dockerfile").RemoveProperty("MlEnvBaseImage")
            .File("base.Dockerfile", "FROM mlenv-test/bookworm-python:1\nCOPY app.py /app.py\n").Property("MlEnvBaseDockerfile", "base.Dockerfile");
        var dockerfileError = Assert.Single(UserFileErrors(dockerfile.Build("-v:q"), dockerfile));
        Assert.Equal("MLENV1022", dockerfileError.Code);
    }

    [Fact]
    public void DefinitionAndIncludeErrorsNameTheUsersFiles()
    {
        var p = New("located-definition")
            .Property("MlEnvBaseDockerfile", "base.Dockerfile").Property("MlEnvName", "mlenv-mine")
            .File("base.Dockerfile", "FROM mlenv-test/bookworm-python:1\n")
            .File("a.txt", "-r b.txt\nsix==1.16.0\n").File("b.txt", "-r a.txt\n")
            .File("emptyenv/.keep", "")
            .Item("MlEnvPipPackage", "x", ("Version", "1.0")).Item("MlEnvPipPackage", "x", ("Version", "2.0"))
            .Item("MlEnvPipRequirements", "a.txt")
            .Item("MlEnvExistingCondaEnvironment", "emptyenv");
        var errors = UserFileErrors(p.Build("-v:q"), p);
        AssertAt(errors, "MLENV1005", Path.Combine(p.Directory, "b.txt"), withLine: true);
        AssertAt(errors, "MLENV1010", p.ProjectFile, withLine: true);
        AssertAt(errors, "MLENV1021", p.ProjectFile, withLine: true);   // the MlEnvName element
        AssertAt(errors, "MLENV1023", p.ProjectFile, withLine: true);   // the MlEnvBaseDockerfile element
        Assert.Contains(errors, e => e.Code == "MLENV1018");

        var python = New("located-python").RemoveProperty("MlEnvBaseImage").Property("MlEnvPythonVersion", "2.7");
        var pythonError = Assert.Single(UserFileErrors(python.Build("-v:q"), python));
        Assert.Equal("MLENV1025", pythonError.Code);
        Assert.True(pythonError.File == python.ProjectFile && pythonError.Line > 0, pythonError.ToString());
    }
}
