using System.Diagnostics;
using System.Text;
using MlEnv.Definition;
using MlEnv.Diagnostics;
using MlEnv.Generation;
using MlEnv.Specs;

namespace MlEnv.Tests;

/// <summary>Malformed, hostile and huge requirements files: each read ends in the expected requirements or codes, fast.</summary>
public class RequirementsFileAdversarialTests
{
    private static (PipInputs Result, List<Diagnostic> Diagnostics, string Path) ReadText(TempDir dir, string text, string name = "requirements.txt")
    {
        var path = dir.Write(name, text);
        var diagnostics = new List<Diagnostic>();
        return (RequirementsFile.Read(path, diagnostics), diagnostics, path);
    }

    private static string[] Canonical(PipInputs result) => result.Requirements.Select(r => r.Requirement.ToCanonicalString()).ToArray();

    // (file text, expected canonical requirements, expected codes). Each follows pip's reader: splitlines, continuation,
    // comments, option split, ${VAR} expansion.
    public static TheoryData<string, string[], string[]> Files() => new()
    {
        { "foo \\\n# comment\n>=1\n", ["foo"], ["MLENV1001"] },          // a comment line ends a continuation
        { "foo # x \\\nbar\n", ["foo"], [] },                              // a comment swallows the continued line
        { "foo\\\\\n==1.0\n", ["foo==1.0"], [] },                          // pip strips every trailing backslash
        { "foo \\\n", ["foo"], [] },                                       // a last line ending in '\'
        { "--index-url ${PIP_INDEX}\n", [], ["MLENV1038"] },
        { "--extra-index-url https://${TOKEN}@host/simple\n", [], ["MLENV1038"] },
        { "foo==${VERSION}\n", [], ["MLENV1038"] },
        { "foo==1.0\f--index-url http://attacker\n", [], ["MLENV1037"] },
        { "foo==1.0\v--index-url http://attacker\n", [], ["MLENV1037"] },
        { "foo==1.0\u0085-i http://attacker\n", [], ["MLENV1037"] },
        { "foo==1.0\u2028-i http://attacker\n", [], ["MLENV1037"] },
        { "foo==1.0\u001c-i http://attacker\n", [], ["MLENV1037"] },
        { "# comment\u2028--index-url http://attacker\n", [], ["MLENV1037"] },
        { "foo==1.0\0\n", [], ["MLENV1037"] },
        { "name @ https://host/pkg.zip\n", ["name @ https://host/pkg.zip"], [] },
        { "name @ https://host/pkg.tar.gz ; python_version >= '3.8'\n", ["name @ https://host/pkg.tar.gz ; python_version >= \"3.8\""], [] },
        { "https://host/pkg.zip\n", [], ["MLENV1004"] },
        { "./pkg.whl\n", [], ["MLENV1004"] },
        { "pkg.whl\n", [], ["MLENV1004"] },
        { "pkg-1.0.tar.gz[extra]\n", [], ["MLENV1004"] },
        { "foo==1.0 --hash=sha256:00ff --index-url=http://a\n", [], ["MLENV1004"] },
        { "foo ; os_name == 'a' --hash=sha256:00ff\n", ["foo; os_name == \"a\""], [] },
        { "foo; os_name == ' --index-url=http://attacker'\n", [], ["MLENV1004"] }, // pip splits off an option: unsupported here
        { "\ufefffoo==1.0\n", ["foo==1.0"], [] },
        { "foo\r\nbar\rbaz\n", ["foo", "bar", "baz"], [] },
        { "name @ https://u:hunter2@host/x.zip\n", [], ["MLENV1042"] },
        { "foo; " + new string('(', 100_000) + "os_name=='a'" + new string(')', 100_000) + "\n", [], ["MLENV1039"] },
        { "foo===x,y\n", [], ["MLENV1001"] },
        { "foo===foobar,>=2.0\nbar>=2.0,===foobar\n", ["foo===foobar,>=2.0", "bar===foobar,>=2.0"], [] },
        { "x_\n", [], ["MLENV1038"] },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void FileReadsAsPipReadsIt(string text, string[] requirements, string[] codes)
    {
        using var dir = new TempDir();
        var (result, diagnostics, path) = ReadText(dir, text);
        Assert.Equal(requirements, Canonical(result));
        Assert.Equal(codes, diagnostics.Select(d => d.Code));
        foreach (var d in diagnostics)
        {
            Assert.Equal(path, d.File);
            Assert.True(d.Line >= 1, d.ToString());
            RequirementsAdversarialTests.AssertNoSecretOrBreak(d);
            Assert.DoesNotContain("hunter2", d.Message);
        }
    }

    [Theory]
    [InlineData("/dev/zero", "character device")]
    [InlineData("/dev/null", "character device")]
    [InlineData("sub", "directory")]
    [InlineData("fifo", "named pipe")]
    [InlineData("zero-link.txt", "character device")]
    [InlineData("fifo-link.txt", "named pipe")]
    public void NonRegularIncludesAreRefusedWithoutReading(string include, string kind)
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "sub"));
        MakeFifo(Path.Combine(dir.Path, "fifo"));
        // A link is judged by what it points to.
        File.CreateSymbolicLink(Path.Combine(dir.Path, "zero-link.txt"), "/dev/zero");
        File.CreateSymbolicLink(Path.Combine(dir.Path, "fifo-link.txt"), Path.Combine(dir.Path, "fifo"));
        var watch = Stopwatch.StartNew();
        var (result, diagnostics, path) = ReadText(dir, "six\n-r " + include + "\n");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));
        var d = Assert.Single(diagnostics);
        Assert.Equal("MLENV1050", d.Code);
        Assert.Contains(kind, d.Message);
        Assert.Equal((path, 2), (d.File, d.Line));
        Assert.Equal(["six"], Canonical(result));
    }

    [Fact]
    public void ADirectoryGivenAsTheRequirementsFileSaysItIsADirectory()
    {
        using var dir = new TempDir();
        var inputs = Defs.Inputs();
        inputs.PipRequirements.Add(dir.Path);
        var d = Assert.Single(Defs.Errors(inputs));
        Assert.Equal("MLENV1050", d.Code);
        Assert.Contains("directory", d.Message);
    }

    private static void MakeFifo(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("mkfifo", [path]))!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    [Fact]
    public void IncludeFanOutReadsEachFileOnce()
    {
        // 12 files, each including the next four times: 4^11 includes if followed naively.
        using var dir = new TempDir();
        for (int i = 0; i < 12; i++)
        {
            var sb = new StringBuilder($"pkg{i}\n");
            if (i < 11) for (int k = 0; k < 4; k++) sb.Append($"-r f{i + 1}.txt\n");
            dir.Write($"f{i}.txt", sb.ToString());
        }
        var readFiles = new SortedSet<string>(StringComparer.Ordinal);
        var diagnostics = new List<Diagnostic>();
        var watch = Stopwatch.StartNew();
        var result = RequirementsFile.Read(Path.Combine(dir.Path, "f0.txt"), diagnostics, readFiles);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Empty(diagnostics);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"pkg{i}"), Canonical(result));
        Assert.Equal(12, readFiles.Count);
    }

    [Fact]
    public void AFileIncludedAsConstraintsAndAsRequirementsCountsAsBoth()
    {
        using var dir = new TempDir();
        dir.Write("c.txt", "six<2\n");
        var (result, diagnostics, _) = ReadText(dir, "-c c.txt\n-r c.txt\n-c c.txt\n");
        Assert.Empty(diagnostics);
        Assert.Equal(["six<2"], Canonical(result));
        Assert.Equal("six<2", Assert.Single(result.Constraints).Requirement.ToCanonicalString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MoreThanTheTotalCapIsADiagnosticAtTheLineThatCrossesIt(bool lines)
    {
        using var dir = new TempDir();
        // Split over two files: the cap is for the whole read, includes too.
        var half = lines ? new string('\n', (int)(RequirementsFile.MaxTotalLines / 2) + 10)
            : string.Concat(Enumerable.Repeat(new string('#', 1023) + "\n", (int)(RequirementsFile.MaxTotalCharacters / 2048) + 10));
        dir.Write("b.txt", half);
        var (result, diagnostics, _) = ReadText(dir, "six\n-r b.txt\n" + half + "seven\n");
        var d = Assert.Single(diagnostics);
        Assert.Equal("MLENV1049", d.Code);
        Assert.Contains(lines ? "lines" : "MiB", d.Message);
        Assert.EndsWith("requirements.txt", d.File);
        Assert.True(d.Line > 3, d.ToString());
        Assert.Equal(["six"], Canonical(result));
    }

    [Fact]
    public void MoreIncludedFilesThanTheCapAreADiagnostic()
    {
        using var dir = new TempDir();
        for (int i = 0; i <= RequirementsFile.MaxFiles; i++) dir.Write($"f{i}.txt", $"p{i}\n-r f{i + 1}.txt\n");
        dir.Write($"f{RequirementsFile.MaxFiles + 1}.txt", "last\n");
        var diagnostics = new List<Diagnostic>();
        RequirementsFile.Read(Path.Combine(dir.Path, "f0.txt"), diagnostics);
        var d = Assert.Single(diagnostics);
        Assert.Equal("MLENV1049", d.Code);
    }

    [Fact]
    public void AMillionCharacterLineParsesInLinearTime()
    {
        using var dir = new TempDir();
        var marker = string.Join(" or ", Enumerable.Repeat("os_name == 'a'", 1_000_000 / 18));
        var extras = string.Join(",", Enumerable.Range(0, 100_000).Select(i => "e" + i));
        var watch = Stopwatch.StartNew();
        var (result, diagnostics, _) = ReadText(dir, "demo; " + marker + "\nother[" + extras + "]>=1\n");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Empty(diagnostics);
        Assert.Equal(2, result.Requirements.Count);
        Assert.True(result.Requirements[0].Requirement.Marker!.Length > 900_000);
        Assert.Equal(100_000, result.Requirements[1].Requirement.NormalizedExtras.Count);
    }

    [Fact]
    public void SixHundredThousandContinuationLinesJoinInLinearTime()
    {
        using var dir = new TempDir();
        var text = "demo \\\n" + string.Concat(Enumerable.Repeat(" \\\n", 600_000)) + ">=1\n" + string.Concat(Enumerable.Repeat("a\\\n", 600_000)) + "\n";
        var watch = Stopwatch.StartNew();
        var (result, diagnostics, _) = ReadText(dir, text);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Empty(diagnostics);
        Assert.Equal("demo>=1", result.Requirements[0].Requirement.ToCanonicalString());
        Assert.Equal(1, result.Requirements[0].Source.Line);
        Assert.Equal(600_000, result.Requirements[1].Requirement.Name.Length);
        Assert.Equal(600_003, result.Requirements[1].Source.Line);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ALineOverTheCapIsADiagnosticNotAnAllocationSpiral(bool continued)
    {
        using var dir = new TempDir();
        var piece = new string('a', 1024 * 1024);
        var text = continued ? string.Concat(Enumerable.Repeat(piece + "\\\n", 5)) + "\n" : string.Concat(Enumerable.Repeat(piece, 5)) + "\n";
        var (_, diagnostics, path) = ReadText(dir, "six\n" + text);
        var d = Assert.Single(diagnostics);
        Assert.Equal("MLENV1049", d.Code);
        Assert.Equal((path, 2), (d.File, d.Line));
    }
}

/// <summary>Duplicates that mean the same merge; contradictions stay MLENV1010. The result never depends on order.</summary>
public class PipMergeTests
{
    private static EnvironmentDefinition Build(params string[] requirements)
    {
        using var dir = new TempDir();
        var inputs = Defs.Inputs();
        inputs.PipRequirements.Add(dir.Write("r.txt", string.Join("\n", requirements) + "\n"));
        return Defs.Build(inputs);
    }

    [Theory]
    [InlineData(new[] { "pip", "pip==20.3.4" }, "pip==20.3.4")]
    [InlineData(new[] { "pip==20.3.4", "pip" }, "pip==20.3.4")]
    [InlineData(new[] { "numpy>=1", "numpy<2" }, "numpy<2,>=1")]
    [InlineData(new[] { "numpy[a]", "numpy[b]==1" }, "numpy[a,b]==1")]
    [InlineData(new[] { "numpy==1.0", "numpy==1.0.0" }, "numpy==1.0")]
    [InlineData(new[] { "numpy===a", "numpy===a" }, "numpy===a")]
    [InlineData(new[] { "demo", "demo @ https://h/demo.zip" }, "demo @ https://h/demo.zip")]
    [InlineData(new[] { "Demo_X>=1", "demo-x", "DEMO.X<3" }, "demo-x<3,>=1")]
    public void CompatibleDuplicatesMerge(string[] requirements, string expected)
    {
        Assert.Equal(expected, Assert.Single(Build(requirements).PipPackages).Requirement);
        Assert.Equal(CanonicalJson.Hash(Build(requirements)), CanonicalJson.Hash(Build(requirements.Reverse().ToArray())));
    }

    [Theory]
    [InlineData("numpy==1", "numpy==2")]
    [InlineData("numpy===a", "numpy==1")]
    [InlineData("demo @ https://h/a.zip", "demo @ https://h/b.zip")]
    [InlineData("demo @ https://h/a.zip", "demo>=1")]
    [InlineData("six==1 --hash=sha256:00", "six==1 --hash=sha256:ff")]
    public void ContradictionsAreMLENV1010(string a, string b)
    {
        using var dir = new TempDir();
        var inputs = Defs.Inputs();
        inputs.PipRequirements.Add(dir.Write("r.txt", a + "\n" + b + "\n"));
        var d = Assert.Single(Defs.Errors(inputs));
        Assert.Equal("MLENV1010", d.Code);
    }
}

public class PartialHashLocationTests
{
    [Fact]
    public void SomeHashedRequirementsPointAtTheFirstRequirementWithoutAHash()
    {
        using var dir = new TempDir();
        var inputs = Defs.Inputs();
        inputs.PipRequirements.Add(dir.Write("requirements.txt",
            "six==1.16.0 --hash=sha256:" + new string('a', 64) + "\n# no hash below\nidna==3.7\n"));
        var error = Assert.Single(Defs.Errors(inputs));
        Assert.Equal(("MLENV1026", 3), (error.Code, error.Line));
        Assert.EndsWith("requirements.txt", error.File);
        Assert.Contains("idna==3.7", error.Message);
    }
}
