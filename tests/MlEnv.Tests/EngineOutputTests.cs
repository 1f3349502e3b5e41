using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using MlEnv.Engine;
using MlEnv.Generation;
using MlEnv.Images;
using MlEnv.Registry;

namespace MlEnv.Tests;

/// <summary>Engine text as MlEnv logs it: no escape sequences or control characters reach MSBuild.</summary>
public class EngineTextTests
{
    [Theory]
    [InlineData("\u001b[91mERROR: No matching distribution found for demo\u001b[0m", "ERROR: No matching distribution found for demo")]
    [InlineData("\u001b[1;31;40mbold\u001b[m plain", "bold plain")]
    [InlineData("\u001b]0;window title\u0007after", "after")]
    [InlineData("\u001b]8;;https://x.invalid\u001b\\link\u001b]8;;\u001b\\", "link")]
    [InlineData("\u009b31mred", "red")]
    [InlineData("\u001b(Bcharset", "charset")]
    [InlineData("Downloading  10%\rDownloading 100%", "Downloading 100%")]
    [InlineData("done\r", "done")]
    [InlineData("a\u0000b\u0007c\u0008d\u007fe\u0085f\u2028g", "abcdefg")]
    [InlineData("tab\tkept", "tab\tkept")]
    [InlineData("unterminated \u001b[", "unterminated ")]
    [InlineData("trailing escape \u001b", "trailing escape ")]
    [InlineData("plain text, ünïcode kept", "plain text, ünïcode kept")]
    public void RemovesControlSequences(string raw, string expected) => Assert.Equal(expected, EngineText.Clean(raw));

    [Fact]
    public void NoControlCharacterSurvivesAnyInput()
    {
        var random = new Random(9);
        var alphabet = "\u001b[]();0123456789m\u0007\\\r\n\t\u0085\u009bab ".ToCharArray();
        for (int round = 0; round < 2000; round++)
        {
            var text = new string(Enumerable.Range(0, random.Next(0, 40)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            var clean = EngineText.Clean(text);
            Assert.DoesNotContain(clean, c => c != '\t' && (char.IsControl(c) || c is '\u2028' or '\u2029'));
        }
    }

    [Fact]
    public void EngineAndRegistryErrorsCarryNoEscapes()
    {
        Assert.Equal("denied: requested access", new RegistryException("\u001b[31mdenied\u001b[0m: requested access").Message);
        Assert.Equal("the engine answered 500: boom", new EngineUnavailableException("the engine answered 500: \u001b[1mboom\u001b[0m").Message);
    }

    [Fact]
    public void ABuildFailureDiagnosticCarriesNoEscapes()
    {
        var outcome = new BuildOutcome(null, "Step 5/9 : RUN pip install", EngineText.Clean("\u001b[91mThe command returned a non-zero code: 1\u001b[0m"),
            [EngineText.Clean("\u001b[91mERROR: boom\u001b[0m")]);
        var message = outcome.ToDiagnostic().Message;
        Assert.DoesNotContain('\u001b', message);
        Assert.Contains("ERROR: boom", message);
    }
}

/// <summary>The build's intermediate images as read from a classic-builder transcript.</summary>
public class BuildTraceTests
{
    // A credentialed build as dockerd 20.10's classic builder prints it: system stage, packages stage (first run,
    // then cached steps), final stage that copies from the packages stage.
    private const string Staged = """
        Step 1/12 : FROM mlenv-test/bookworm-python:1 AS mlenv-system
         ---> aaaaaaaaaaa1
        Step 2/12 : RUN apt-get update
         ---> Running in c0c0c0c0c0c1
        Removing intermediate container c0c0c0c0c0c1
         ---> aaaaaaaaaaa2
        Step 3/12 : FROM mlenv-system AS mlenv-packages
         ---> aaaaaaaaaaa2
        Step 4/12 : ARG MLENV_PIP_INDEX_USERNAME
         ---> Using cache
         ---> bbbbbbbbbbb1
        Step 5/12 : ARG MLENV_PIP_INDEX_PASSWORD
         ---> Running in c0c0c0c0c0c2
        Removing intermediate container c0c0c0c0c0c2
         ---> bbbbbbbbbbb2
        Step 6/12 : RUN python3 -m venv /opt/mlenv/venv
         ---> Running in c0c0c0c0c0c3
        Removing intermediate container c0c0c0c0c0c3
         ---> bbbbbbbbbbb3
        Step 7/12 : RUN umask 077 && printf … && python -m pip install -r /tmp/mlenv/requirements.txt
         ---> Running in c0c0c0c0c0c4
        Removing intermediate container c0c0c0c0c0c4
         ---> bbbbbbbbbbb4
        Step 8/12 : FROM mlenv-system
         ---> aaaaaaaaaaa2
        Step 9/12 : COPY --from=mlenv-packages /opt/mlenv /opt/mlenv
         ---> ddddddddddd1
        Step 10/12 : ENV VIRTUAL_ENV=/opt/mlenv/venv
         ---> Running in c0c0c0c0c0c5
        Removing intermediate container c0c0c0c0c0c5
         ---> ddddddddddd2
        Successfully built ddddddddddd2
        """;

    private static readonly string[] Arguments = ["MLENV_PIP_INDEX_USERNAME", "MLENV_PIP_INDEX_PASSWORD"];

    private static BuildTrace Read(string transcript)
    {
        var trace = new BuildTrace();
        foreach (var line in transcript.Split('\n')) trace.Observe(line);
        return trace;
    }

    [Fact]
    public void ThePackagesStageImagesAreTheSideStageAndNothingElse()
    {
        var trace = Read(Staged);
        Assert.Equal(["bbbbbbbbbbb1", "bbbbbbbbbbb2", "bbbbbbbbbbb3", "bbbbbbbbbbb4"], trace.SideStageImages(Arguments, completed: true));
        // Arguments the build was not given leave every stage alone.
        Assert.Empty(trace.SideStageImages(["OTHER"], completed: true));
        Assert.Equal(5, trace.Containers.Count);
    }

    [Fact]
    public void AFailedBuildIsTracedUpToTheFailingStep()
    {
        var cut = Staged[..Staged.IndexOf("Step 7/12", StringComparison.Ordinal)] + "Step 7/12 : RUN pip install\n ---> Running in c0c0c0c0c0c4\n";
        var trace = Read(cut);
        // The packages stage is the last one seen: of a build that did not complete it is still a side stage.
        Assert.Equal(["bbbbbbbbbbb1", "bbbbbbbbbbb2", "bbbbbbbbbbb3"], trace.SideStageImages(Arguments, completed: false));
        Assert.Contains("c0c0c0c0c0c4", trace.Containers);
    }

    // Podman 4.3's compat API, as it printed a staged build here: stages prefixed, FROM naming image ids, 11-hex ids.
    private const string Podman = """
        [1/3] STEP 1/1: FROM mlenv-test/bookworm-python:1 AS mlenv-system
        --> 02841054ff4
        [3/3] STEP 1/3: FROM 02841054ff4abb00a6d7209bd1f1ae0d358102ffb09893c23a8c46e46ec000b3
        [3/3] STEP 2/3: COPY --from=mlenv-packages /opt/mlenv /opt/mlenv
        [2/3] STEP 1/4: FROM 02841054ff4abb00a6d7209bd1f1ae0d358102ffb09893c23a8c46e46ec000b3 AS mlenv-packages
        [2/3] STEP 2/4: ARG MLENV_PIP_INDEX_USERNAME
        --> 5a3e38b1659
        [2/3] STEP 3/4: ARG MLENV_PIP_INDEX_PASSWORD
        --> Using cache 6b3e38b1659aaaa
        [2/3] STEP 4/4: RUN pip install
        --> 1455782bb7e
        [3/3] STEP 3/3: ENV A=1
        [3/3] COMMIT
        --> 4befd2470c8
        4befd2470c80e95632882bfe417223fcb162c1794619383952a2688b9c223beb
        Successfully built 4befd2470c80
        """;

    [Fact]
    public void PodmansInterleavedStagesAreTracedByTheirPrefix()
    {
        var trace = Read(Podman);
        Assert.Equal(["5a3e38b1659", "6b3e38b1659aaaa", "1455782bb7e"], trace.SideStageImages(Arguments, completed: true));
        Assert.True(BuildTrace.IsStep("[2/3] STEP 4/4: RUN pip install"));
        Assert.True(BuildTrace.IsStep("Step 4/9 : RUN pip install"));
        Assert.True(BuildTrace.IsStep("STEP 1/5: FROM x"));
        Assert.False(BuildTrace.IsStep(" ---> Running in c0c0c0c0c0c1"));
    }

    [Fact]
    public void ASingleStageBuildHasNoSideStage()
    {
        var trace = Read("Step 1/3 : FROM base\n ---> aaaaaaaaaaa1\nStep 2/3 : ARG MLENV_PIP_INDEX_PASSWORD\n ---> aaaaaaaaaaa2\nStep 3/3 : RUN x\n ---> Running in c0c0c0c0c0c1\n ---> aaaaaaaaaaa3\n");
        Assert.Empty(trace.SideStageImages(Arguments, completed: true));
        Assert.Equal(["aaaaaaaaaaa2", "aaaaaaaaaaa3"], trace.SideStageImages(Arguments, completed: false));
    }

    [Fact]
    public void AStageUsedAsABaseLaterIsKept()
    {
        var trace = Read("""
            Step 1/4 : FROM base AS builder
             ---> aaaaaaaaaaa1
            Step 2/4 : ARG MLENV_PIP_INDEX_PASSWORD
             ---> aaaaaaaaaaa2
            Step 3/4 : FROM --platform=linux/amd64 BUILDER
             ---> aaaaaaaaaaa2
            Step 4/4 : RUN test
             ---> aaaaaaaaaaa3
            """);
        Assert.Empty(trace.SideStageImages(Arguments, completed: true));
    }
}

/// <summary>The context tar streams through a pipe; hashes stream too, beyond what an array can hold.</summary>
public class StreamingContextTests
{
    [Fact]
    public async Task TheStreamedTarIsTheSameAsTheWrittenOne()
    {
        using var dir = new TempDir();
        var files = new List<ContextFile>
        {
            ContextFile.Text("Dockerfile", "FROM x\n"),
            ContextFile.FromDisk("model/weights.bin", dir.WriteBytes("w.bin", RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17))),
        };
        var streamed = await BuildContext.StreamAsync(files, async stream =>
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            return copy.ToArray();
        });
        Assert.Equal(BuildContext.ToTarBytes(files), streamed);
    }

    [Fact]
    public async Task AConsumerThatStopsEarlyEndsTheWriterOfAHugeContext()
    {
        using var dir = new TempDir();
        var big = Path.Combine(dir.Path, "huge.bin");
        using (var f = File.Create(big)) f.SetLength(8L * 1024 * 1024 * 1024); // sparse: no disk, no memory
        var files = new List<ContextFile> { ContextFile.FromDisk("model/huge.bin", big) };
        var task = BuildContext.StreamAsync(files, async stream =>
        {
            var buffer = new byte[4096];
            return await stream.ReadAsync(buffer);
        });
        Assert.Same(task, await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(30))));
        Assert.True(await task > 0);
    }

    [Fact]
    public async Task AFileOverUstarsLimitStreamsWithItsWholeSize()
    {
        using var dir = new TempDir();
        var big = Path.Combine(dir.Path, "huge.bin");
        const long size = 9L * 1024 * 1024 * 1024;
        using (var f = File.Create(big)) f.SetLength(size);
        var deep = "model/" + string.Join('/', Enumerable.Repeat("a-rather-long-folder-name", 12)) + "/w.bin";
        var files = new List<ContextFile> { ContextFile.FromDisk("model/huge.bin", big), ContextFile.Text(deep, "x") };
        Assert.False(BuildContext.FitsUstar(deep));
        var headers = await BuildContext.StreamAsync(files, async stream =>
        {
            // Headers only: the reader skips the deep file's data and stops before the huge one's.
            using var reader = new TarReader(stream);
            var seen = new List<(string, long)>();
            while (await reader.GetNextEntryAsync() is { } entry)
            {
                if (entry.EntryType != TarEntryType.Directory) seen.Add((entry.Name, entry.Length));
                if (entry.Name == "model/huge.bin") break;
            }
            return seen;
        });
        Assert.Equal([(deep, 1L), ("model/huge.bin", size)], headers);
    }

    [Fact]
    public void TheTarIsDeterministicWithPaxEntriesToo()
    {
        var deep = "model/" + string.Join('/', Enumerable.Repeat("a-rather-long-folder-name", 12)) + "/w.bin";
        var files = new List<ContextFile> { ContextFile.Text(deep, "x"), ContextFile.Text("Dockerfile", "FROM x\n") };
        var first = BuildContext.ToTarBytes(files);
        Thread.Sleep(1100);
        Assert.Equal(first, BuildContext.ToTarBytes(files));
    }

    [Fact]
    public async Task AFileThatCannotBeReadIsTheErrorNotTheCutOffTar()
    {
        using var dir = new TempDir();
        var files = new List<ContextFile> { ContextFile.Text("Dockerfile", "FROM x\n"), ContextFile.FromDisk("model/gone.bin", Path.Combine(dir.Path, "gone.bin")) };
        var e = await Assert.ThrowsAsync<BuildContextException>(() => BuildContext.StreamAsync<int>(files, async stream =>
        {
            await stream.CopyToAsync(Stream.Null);
            throw new IOException("the engine saw a truncated tar");
        }));
        Assert.Contains("gone.bin", e.Message);
    }

    [Fact]
    public void AServiceHashCoversAModelBiggerThanAnArray()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "model.bin");
        const long size = (2L << 30) + 1; // one byte over 2 GiB: File.ReadAllBytes refuses it
        using (var f = File.Create(path)) { f.SetLength(size); f.Position = size - 1; f.WriteByte(7); }
        var build = new GeneratedBuild("FROM x\n", [ContextFile.Text("Dockerfile", "FROM x\n"), ContextFile.FromDisk("model/model.bin", path)]);

        var actual = ServiceGenerator.Hash("sha256:env", build);

        // The same bytes, hashed without any file: the image id, then each file's path and content in path order.
        using var expected = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        expected.AppendData(Encoding.UTF8.GetBytes("sha256:env\n"));
        expected.AppendData(Encoding.UTF8.GetBytes("Dockerfile\n"));
        expected.AppendData(Encoding.UTF8.GetBytes("FROM x\n"));
        expected.AppendData(Encoding.UTF8.GetBytes("model/model.bin\n"));
        var zeros = new byte[1 << 20];
        for (long left = size - 1; left > 0; left -= Math.Min(left, zeros.Length)) expected.AppendData(zeros, 0, (int)Math.Min(left, zeros.Length));
        expected.AppendData([7]);
        Assert.Equal(Convert.ToHexStringLower(expected.GetHashAndReset()), actual);
    }
}

/// <summary>Which image is the environment: derived images inherit its labels, the kind says which is which.</summary>
public class EnvironmentKindTests
{
    [Fact]
    public void ServiceImagesAreNotEnvironmentImages()
    {
        Assert.True(DockerEngine.IsEnvironmentImage(new Dictionary<string, string> { [DockerEngine.HashLabel] = "h" }));
        Assert.True(DockerEngine.IsEnvironmentImage(new Dictionary<string, string> { [DockerEngine.KindLabel] = "environment" }));
        Assert.False(DockerEngine.IsEnvironmentImage(new Dictionary<string, string> { [DockerEngine.KindLabel] = "service" }));
        // A service image built before the kind label existed still says what it is.
        Assert.False(DockerEngine.IsEnvironmentImage(new Dictionary<string, string> { [DockerEngine.ServiceHashLabel] = "s", [DockerEngine.KindLabel] = "environment" }));
    }

    [Fact]
    public void OnlyAnImageWhoseLastStepSetTheHashIsTheEnvironment()
    {
        var hash = new string('d', 64);
        var labels = EnvironmentImages.Labels("n", hash, "1.0.0", "{}", null);
        var step = EnvironmentImages.WithLabels([ContextFile.Text("Dockerfile", "FROM x\n")], labels).Single().Content!;
        var labelLine = Encoding.UTF8.GetString(step).Split("\n", 2)[1].Replace("\\\n", " ");
        Assert.True(DockerEngine.EndsWithOwnLabelStep("/bin/sh -c #(nop)  " + labelLine, hash));
        Assert.False(DockerEngine.EndsWithOwnLabelStep("/bin/sh -c #(nop)  ENV DERIVED=1", hash));
        Assert.False(DockerEngine.EndsWithOwnLabelStep("/bin/sh -c #(nop)  LABEL mine=1", hash));
        Assert.False(DockerEngine.EndsWithOwnLabelStep("/bin/sh -c #(nop)  " + labelLine, new string('e', 64)));
        Assert.False(DockerEngine.EndsWithOwnLabelStep(null, hash));
    }

    [Fact]
    public void EnvironmentLabelsMarkTheKindAndTheServiceDockerfileSetsTheRunMode()
    {
        var labels = EnvironmentImages.Labels("n", new string('a', 64), "1.0.0", "{}", null);
        Assert.Equal("environment", labels[DockerEngine.KindLabel]);
        Assert.Contains("MLENV_SCORING_CONCURRENT_RUN=false", ServiceGenerator.Generate("env:1", 5001, "s.py", "score.py", []).Dockerfile);
        Assert.Contains("MLENV_SCORING_CONCURRENT_RUN=true", ServiceGenerator.Generate("env:1", 5001, "s.py", "score.py", [], concurrentRun: true).Dockerfile);
    }

    [Fact]
    public void TheSharedRegistryTagIsTheWholeHashAndAValidTag()
    {
        var hash = new string('c', 64);
        Assert.Equal(hash, Registries.SharedTag(hash));
        Assert.True(Registries.IsValidTag(Registries.SharedTag(hash)));
        Assert.False(Registries.IsValidTag("latest\n"));
        Assert.False(Registries.IsValid("localhost:5000\n"));
    }
}
