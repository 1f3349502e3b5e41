using MlEnv.Diagnostics;
using MlEnv.Specs;

namespace MlEnv.Tests;

public class RequirementsFileTests
{
    [Fact]
    public void ReadsCommentsContinuationsIncludesOptionsAndHashes()
    {
        using var dir = new TempDir();
        dir.Write("sub/base.txt", "six==1.16.0\n-c ../constraints.txt\n");
        dir.Write("constraints.txt", "urllib3<2\n");
        var main = dir.Write("requirements.txt",
            "# a comment\r\n" +
            "--index-url https://pypi.example/simple\r\n" +
            "--extra-index-url=https://extra.example/simple\n" +
            "-f https://wheels.example/\n" +
            "--pre\n" +
            "requests[socks] >= 2.31 \\\n" +
            "    ; python_version >= '3.8'   # trailing comment\n" +
            "\n" +
            "-r sub/base.txt\n" +
            "Pillow==10.4.0 --hash=sha256:ABCDEF0123 --hash sha256:00ff\n");
        var diagnostics = new List<Diagnostic>();
        var result = RequirementsFile.Read(main, diagnostics);

        Assert.Empty(diagnostics);
        Assert.Equal(["requests[socks]>=2.31; python_version >= \"3.8\"", "six==1.16.0", "pillow==10.4.0"],
            result.Requirements.Select(r => r.Requirement.ToCanonicalString()));
        Assert.Equal(6, result.Requirements[0].Source.Line);
        Assert.Equal(["sha256:00ff", "sha256:abcdef0123"], result.Requirements[2].Hashes);
        Assert.Equal("urllib3<2", Assert.Single(result.Constraints).Requirement.ToCanonicalString());
        Assert.Equal("https://pypi.example/simple", Assert.Single(result.IndexUrls).Url);
        Assert.Equal("https://extra.example/simple", Assert.Single(result.ExtraIndexUrls).Url);
        Assert.Equal("https://wheels.example/", Assert.Single(result.FindLinks).Url);
        Assert.True(result.Pre);
    }

    [Fact]
    public void DetectsIncludeCycles()
    {
        using var dir = new TempDir();
        dir.Write("a.txt", "numpy\n-r b.txt\n");
        dir.Write("b.txt", "-r a.txt\n");
        var diagnostics = new List<Diagnostic>();
        var result = RequirementsFile.Read(Path.Combine(dir.Path, "a.txt"), diagnostics);
        var cycle = Assert.Single(diagnostics);
        Assert.Equal("MLENV1005", cycle.Code);
        Assert.Contains("a.txt -> b.txt -> a.txt", cycle.Message);
        Assert.EndsWith("b.txt", cycle.File);
        Assert.Equal(1, cycle.Line);
        Assert.Single(result.Requirements);
    }

    [Theory]
    [InlineData("-e ./src", "MLENV1004", 2)]
    [InlineData("--editable=git+https://x/y#egg=y", "MLENV1004", 2)]
    [InlineData("--trusted-host example.com", "MLENV1004", 2)]
    [InlineData("./local/pkg", "MLENV1004", 2)]
    [InlineData("foo==1.0 --install-option=x", "MLENV1004", 2)]
    [InlineData("foo >= ", "MLENV1001", 2)]
    [InlineData("-r missing.txt", "MLENV1006", 2)]
    public void ReportsUnsupportedLinesWithFileAndLine(string line, string code, int expectedLine)
    {
        using var dir = new TempDir();
        var path = dir.Write("requirements.txt", "numpy\n" + line + "\n");
        var diagnostics = new List<Diagnostic>();
        RequirementsFile.Read(path, diagnostics);
        var d = Assert.Single(diagnostics);
        Assert.Equal(code, d.Code);
        Assert.Equal(path, d.File);
        Assert.Equal(expectedLine, d.Line);
    }
}

public class CondaEnvironmentFileTests
{
    [Fact]
    public void ReadsChannelsDependenciesPipAndVariables()
    {
        using var dir = new TempDir();
        dir.Write("extra.txt", "six\n");
        var path = dir.Write("environment.yml", """
            name: my-env
            prefix: /home/someone/miniconda3/envs/my-env
            channels:
              - conda-forge
              - defaults
            dependencies:
              - python=3.11
              - numpy>=1.26,<2
              - conda-forge::scipy=1.11=py311h*
              - pip
              - pip:
                  - requests==2.31.0
                  - -r extra.txt
            variables:
              OMP_NUM_THREADS: "1"
            """);
        var diagnostics = new List<Diagnostic>();
        var env = CondaEnvironmentFile.Read(path, diagnostics);
        Assert.Empty(diagnostics);
        Assert.Equal("my-env", env.Name);
        Assert.Equal(["conda-forge", "defaults"], env.Channels.Select(c => c.Channel));
        Assert.Equal(["python 3.11.*", "numpy >=1.26,<2", "conda-forge::scipy 1.11.* py311h*", "pip"], env.Packages.Select(p => p.Spec.ToString()));
        Assert.Equal(["requests==2.31.0", "six"], env.Pip.Requirements.Select(r => r.Requirement.ToCanonicalString()));
        Assert.Equal(("OMP_NUM_THREADS", "1"), (env.Variables[0].Name, env.Variables[0].Value));
        Assert.Equal(8, env.Packages[1].Source.Line);
    }

    [Fact]
    public void ReportsYamlSyntaxErrorsWithLineAndColumn()
    {
        var diagnostics = new List<Diagnostic>();
        CondaEnvironmentFile.Parse("channels:\n  - conda-forge\ndependencies: [numpy\n", "env.yml", diagnostics);
        var d = Assert.Single(diagnostics);
        Assert.Equal("MLENV1007", d.Code);
        Assert.True(d.Line >= 3, d.ToString());
        Assert.True(d.Column > 0);
    }

    [Theory]
    [InlineData("dependencies:\n  - 'numpy; rm -rf /'\n", "MLENV1009", 2)]
    [InlineData("dependencies: numpy\n", "MLENV1008", 1)]
    [InlineData("channels:\n  - 'bad channel'\n", "MLENV1017", 2)]
    [InlineData("unexpected: 1\n", "MLENV1008", 1)]
    [InlineData("dependencies:\n  - pip:\n      - -e .\n", "MLENV1004", 3)]
    public void ReportsShapeErrors(string yaml, string code, int line)
    {
        var diagnostics = new List<Diagnostic>();
        CondaEnvironmentFile.Parse(yaml, "env.yml", diagnostics);
        var d = Assert.Single(diagnostics);
        Assert.Equal(code, d.Code);
        Assert.Equal(line, d.Line);
    }
}

public class MatchSpecTests
{
    [Theory]
    [InlineData("numpy", "numpy")]
    [InlineData("NumPy", "numpy")]
    [InlineData("numpy=1.26", "numpy 1.26.*")]
    [InlineData("numpy==1.26.0", "numpy ==1.26.0")]
    [InlineData("numpy>=1.26,<2", "numpy >=1.26,<2")]
    [InlineData("numpy 1.26.* py311h*", "numpy 1.26.* py311h*")]
    [InlineData("numpy=1.26=py311h*", "numpy 1.26.* py311h*")]
    [InlineData("conda-forge::numpy", "conda-forge::numpy")]
    [InlineData("conda-forge/linux-64::numpy>=1", "conda-forge/linux-64::numpy >=1")]
    [InlineData("numpy[version='>=1.26,<2',build=py311*]", "numpy >=1.26,<2 py311*")]
    [InlineData("pytorch >= 2.1", "pytorch >=2.1")]
    [InlineData("python=3.11|3.12", "python 3.11|3.12")]
    public void Parses(string text, string canonical)
    {
        Assert.True(MatchSpec.TryParse(text, out var spec, out var error), error);
        Assert.Equal(canonical, spec.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("numpy;ls")]
    [InlineData("numpy $(id)")]
    [InlineData("numpy=1.0=`x`")]
    [InlineData("bad channel::numpy")]
    [InlineData("numpy[version='1',color=red]")]
    [InlineData("numpy[version='1'")]
    [InlineData("numpy 1 2 3")]
    [InlineData("numpy>=>1")]
    public void Rejects(string text) => Assert.False(MatchSpec.TryParse(text, out _, out _));
}

public class CondaPrefixReaderTests
{
    [Fact]
    public void ReadsCondaMetaAndPipDistInfoOffline()
    {
        using var dir = new TempDir();
        dir.Write("env/conda-meta/numpy-1.26.4-py311h64a7726_0.json", """{"name":"numpy","version":"1.26.4","build":"py311h64a7726_0","channel":"https://conda.anaconda.org/conda-forge/linux-64"}""");
        dir.Write("env/conda-meta/python-3.11.9-hb806964_0.json", """{"name":"python","version":"3.11.9","build":"hb806964_0","channel":"https://repo.anaconda.com/pkgs/main/linux-64"}""");
        dir.Write("env/conda-meta/history", "");
        dir.Write("env/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n\nbody: Name: nope\n");
        dir.Write("env/lib/python3.11/site-packages/requests-2.31.0.dist-info/INSTALLER", "pip\n");
        dir.Write("env/lib/python3.11/site-packages/numpy-1.26.4.dist-info/METADATA", "Name: numpy\nVersion: 1.26.4\n");
        dir.Write("env/lib/python3.11/site-packages/numpy-1.26.4.dist-info/INSTALLER", "conda\n");
        var diagnostics = new List<Diagnostic>();
        var env = CondaPrefixReader.Read(Path.Combine(dir.Path, "env"), diagnostics);
        Assert.Empty(diagnostics);
        Assert.Equal(["conda-forge::numpy ==1.26.4 py311h64a7726_0", "pkgs/main::python ==3.11.9 hb806964_0"], env.Packages.Select(p => p.Spec.ToString()));
        Assert.Equal(["conda-forge", "pkgs/main"], env.Channels.Select(c => c.Channel));
        Assert.Equal("requests==2.31.0", Assert.Single(env.Pip.Requirements).Requirement.ToCanonicalString());
    }

    [Fact]
    public void ReportsMalformedMetadata()
    {
        using var dir = new TempDir();
        dir.Write("env/conda-meta/broken.json", "{not json");
        var diagnostics = new List<Diagnostic>();
        CondaPrefixReader.Read(Path.Combine(dir.Path, "env"), diagnostics);
        Assert.Equal("MLENV1018", Assert.Single(diagnostics).Code);

        diagnostics.Clear();
        CondaPrefixReader.Read(Path.Combine(dir.Path, "nowhere"), diagnostics);
        Assert.Equal("MLENV1018", Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void APrivateChannelKeepsItsHostAndALocalChannelIsRefused()
    {
        using var dir = new TempDir();
        dir.Write("env/conda-meta/secretlib-1.0-0.json", """{"name":"secretlib","version":"1.0","build":"0","channel":"https://conda.mycorp.example/internal/linux-64"}""");
        var diagnostics = new List<Diagnostic>();
        var env = CondaPrefixReader.Read(Path.Combine(dir.Path, "env"), diagnostics);
        Assert.Empty(diagnostics);
        Assert.Equal("https://conda.mycorp.example/internal::secretlib ==1.0 0", Assert.Single(env.Packages).Spec.ToString());
        Assert.Equal("https://conda.mycorp.example/internal", Assert.Single(env.Channels).Channel);

        dir.Write("env/conda-meta/local-1.0-0.json", """{"name":"local","version":"1.0","build":"0","channel":"file:///opt/channels/localchan"}""");
        diagnostics.Clear();
        CondaPrefixReader.Read(Path.Combine(dir.Path, "env"), diagnostics);
        var d = Assert.Single(diagnostics);
        Assert.Equal("MLENV1017", d.Code);
        Assert.EndsWith("local-1.0-0.json", d.File);
    }
}
