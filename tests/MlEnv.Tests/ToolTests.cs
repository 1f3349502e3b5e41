using System.Text.Json;
using MlEnv.Definition;
using MlEnv.Diagnostics;
using MlEnv.Engine;
using MlEnv.Generation;
using MlEnv.Images;
using MlEnv.Registry;
using MlEnv.Store;
using MlEnv.Tool;
using MlEnv.Tool.Cli;
using MlEnv.Tool.Commands;
using Spectre.Console;

namespace MlEnv.Tests;

/// <summary>The dotnet-mlenv tool in-process: prune selection, JSON shapes, credential sources, exit codes, folder registration.</summary>
public class ToolTests
{
    // An address no engine listens on: every command here stays off the engine.
    private const string NoEngine = "unix:///nonexistent/mlenv-test/docker.sock";

    private sealed record Run(int ExitCode, string Stdout, string Stderr)
    {
        public JsonElement Json() => JsonDocument.Parse(Stdout).RootElement;
    }

    private static Run Tool(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, Interactive = InteractionSupport.No, Out = new AnsiConsoleOutput(stdout) });
        var code = ToolApp.RunAsync(args, new ToolContext(console, stdout, stderr, interactive: false)).GetAwaiter().GetResult();
        return new Run(code, stdout.ToString(), stderr.ToString());
    }

    private static MlEnvImage Image(string id, string name, string hash, string kind = "environment", bool ownStep = true) =>
        new(id, [$"mlenv/{name}:{hash[..12]}"], name, hash, kind, DateTime.UtcNow, 1, ownStep);

    private static StoredEnvironment Version(string name, int version, string hash) =>
        new(name, version, hash, "{}", [], DateTime.UtcNow, null);

    [Fact]
    public void PruneTakesOnlyUnreferencedEnvironmentImagesMlEnvMade()
    {
        var h1 = new string('1', 64);
        var h2 = new string('2', 64);
        var h3 = new string('3', 64);
        var images = new[]
        {
            Image("sha256:a", "train", h1),                           // version 1 refers to it
            Image("sha256:b", "train", h2),                           // no version: prunable
            Image("sha256:c", "train", h3, ownStep: false),           // a user's image built FROM an environment: never
            Image("sha256:d", "train", h1, kind: "service"),          // a scoring service image: never
            Image("sha256:e", "other", h1),                           // same definition, another name: train v1 does not keep it
            Image("sha256:f", "train", h3) with { Tags = [$"mlenv/train:{h3[..12]}", "myapp:latest"] },   // a user's tag: kept
            Image("sha256:g", "train", h2) with { Tags = [$"localhost:5000/mlenv/train:v7", $"localhost:5000/mlenv/environments:{h2}", "mlenv/train:v12"] },
            // Tags that only look like MlEnv's: a store-version or hash-prefix tag in a user's repository: kept.
            Image("sha256:h", "train", h2) with { Tags = [$"mlenv/train:{h2[..12]}", "attackuser/myapp:v1"] },
            Image("sha256:i", "train", h2) with { Tags = [$"mlenv/train:{h2[..12]}", $"attackuser/prod:{h2[..12]}"] },
            Image("sha256:j", "train", h2) with { Tags = [$"mlenv/environments:{h1}"] },   // the shared tag of another hash
        };
        var entries = ImageInventory.Match(images, [Version("train", 1, h1), Version("train", 3, h1)]);
        Assert.Equal([1, 3], entries[0].ReferencedBy.Select(v => v.Version));
        Assert.Empty(entries[3].ReferencedBy);
        Assert.Equal(["sha256:b", "sha256:e", "sha256:g"], ImageInventory.PruneCandidates(entries).Select(e => e.Image.Id));
        // With every version gone, still only images MlEnv made as environments and tagged alone.
        Assert.Equal(["sha256:a", "sha256:b", "sha256:e", "sha256:g"], ImageInventory.PruneCandidates(ImageInventory.Match(images, [])).Select(e => e.Image.Id));
    }

    [Fact]
    public void ImageAndVersionJsonHaveTheDocumentedShape()
    {
        var hash = new string('a', 64);
        var entry = ImageInventory.Match([Image("sha256:x", "train", hash)], [Version("train", 2, hash)])[0];
        var image = ImageCommands.ToJson(entry);
        Assert.Equal(["id", "name", "hash", "kind", "tags", "createdAt", "size", "referencedBy", "prunable"], image.Select(p => p.Key));
        Assert.Equal(2, image["referencedBy"]![0]!["version"]!.GetValue<int>());
        Assert.False(image["prunable"]!.GetValue<bool>());

        var version = StoreCommands.ToJson(new StoredEnvironment("train", 2, hash, "{\"python\":\"3.11\"}", ["mlenv/train:aaaaaaaaaaaa"], new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), null, "0.1.0"), withDefinition: true);
        Assert.Equal(["name", "version", "hash", "images", "createdAt", "sdkVersion", "definition"], version.Select(p => p.Key));
        Assert.Equal("2026-01-02T03:04:05Z", version["createdAt"]!.GetValue<string>());
        Assert.Equal("3.11", version["definition"]!["python"]!.GetValue<string>());
    }

    [Fact]
    public void ScaffoldTakesANuGetVersionAndAPlainNameOnly()
    {
        using var dir = new TempDir();
        var folder = Path.Combine(dir.Path, "sc");
        Assert.Equal(DiagnosticCatalog.InvalidStoreRequest.Code, ScaffoldWriter.Write(folder, null, "1.0\"><Target Name=\"Build\"/><X a=\"", "--sdk-version").Problem?.Code);
        Assert.Equal(DiagnosticCatalog.InvalidStoreRequest.Code, ScaffoldWriter.Write(folder, "../escaped", "1.0.0", "dir").Problem?.Code);
        Assert.Equal(DiagnosticCatalog.InvalidStoreRequest.Code, ScaffoldWriter.Write(folder, "a\nb", "1.0.0", "dir").Problem?.Code);
        Assert.False(File.Exists(Path.Combine(dir.Path, "escaped.csproj")));
        var (project, problem) = ScaffoldWriter.Write(folder, "Good", "1.0.0-beta.2", "dir");
        Assert.Null(problem);
        Assert.Equal(Path.Combine(folder, "Good.csproj"), project);
        Assert.Contains("MlEnv.Sdk/1.0.0-beta.2", File.ReadAllText(project!));
    }

    [Fact]
    public void ARegistryValueIsShownWithoutAPasswordWrittenIntoIt()
    {
        Assert.Equal("***@reg.example:5000", MlEnv.Registry.Registries.Display("ci:s3cret@reg.example:5000"));
        Assert.Equal("reg.example:5000", MlEnv.Registry.Registries.Display("reg.example:5000"));
        Assert.DoesNotContain("s3cret", DiagnosticCatalog.InvalidRegistry.Create(MlEnv.Registry.Registries.Display("https://ci:s3cret@reg/x")).Message);
    }

    [Fact]
    public void ValuesHandedToMSBuildStayOneLiteralValue()
    {
        Assert.Equal("/tmp/a%3BMlEnvRefresh=true", MsBuild.Escape("/tmp/a;MlEnvRefresh=true"));
        Assert.Equal("%24(HOME)%40(x)%2525%27%2A%3F%2C%22", MsBuild.Escape("$(HOME)@(x)%25'*?,\""));
        Assert.Equal("tcp://host:2376", MsBuild.Escape("tcp://host:2376"));
    }

    [Fact]
    public void CredentialSourcesNameWhereCredentialsComeFromAndNeverAValue()
    {
        using var dir = new TempDir();
        const string secret = "s3cr3t-value-never-shown";
        var pair = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("ci:" + secret));
        dir.Write("config.json", $$$"""{"auths":{"reg.example:5000":{"auth":"{{{pair}}}"}},"credHelpers":{"helped.example":"mlenv-absent"},"credsStore":"mlenv-store-absent"}""");
        DockerSettings Settings(Dictionary<string, string> env) => new() { Variable = n => n == "DOCKER_CONFIG" ? dir.Path : env.GetValueOrDefault(n), HelperPath = dir.Path };

        var fromEnv = CredentialSources.Describe("reg.example:5000", Settings(new() { ["MLENV_REGISTRY_USERNAME"] = "ci", ["MLENV_REGISTRY_PASSWORD"] = secret }));
        Assert.Equal("environment", fromEnv.Kind);
        var helper = CredentialSources.Describe("helped.example", Settings([]));
        Assert.Equal("credHelpers", helper.Kind);
        Assert.False(helper.Usable);
        Assert.Contains("not on PATH", helper.Detail);
        // credsStore outranks auths (as for the docker CLI); auths is what answers when the helper has nothing.
        var store = CredentialSources.Describe("reg.example:5000", Settings([]));
        Assert.Equal("credsStore", store.Kind);
        Assert.Contains("auths[\"reg.example:5000\"]", store.Fallback);
        dir.Write("config.json", "{\"auths\":{\"reg.example:5000\":{\"auth\":\"" + pair + "\"}}}");
        var auths = CredentialSources.Describe("reg.example:5000", Settings([]));
        Assert.Equal("auths", auths.Kind);
        Assert.Equal("none", CredentialSources.Describe("elsewhere.example", Settings([])).Kind);
        // An auths key written with userinfo in it is never shown with it.
        dir.Write("config.json", "{\"credsStore\":\"mlenv-store-absent\",\"auths\":{\"https://ci:" + secret + "@reg.example:5000\":{\"auth\":\"" + pair + "\"}}}");
        var keyed = CredentialSources.Describe("reg.example:5000", Settings([]));
        Assert.DoesNotContain(secret, keyed.Detail + keyed.Fallback);
        dir.Write("config.json", "{ not json");
        Assert.False(CredentialSources.Describe("reg.example:5000", Settings([])).Usable);

        foreach (var source in new[] { fromEnv, helper, store, auths })
        {
            var text = DoctorCommand.ToJson(new EngineReport(new EngineEndpoint("unix:///x.sock", "test"), null, "1.41", [], null), source, []).ToJsonString();
            Assert.DoesNotContain(secret, text);
            Assert.DoesNotContain(pair, text);
        }
    }

    [Fact]
    public void UsageErrorsAreExitCode2AndNothingOnStdout()
    {
        foreach (var args in new[] { new[] { "list", "--bogus" }, ["nope"], ["show"], ["download", "x"], ["run", "x"], [] })
        {
            var run = Tool(args);
            Assert.True(run.ExitCode == ExitCodes.Usage, $"{string.Join(' ', args)}: {run.ExitCode} {run.Stderr}");
            if (args.Length > 0) Assert.Equal("", run.Stdout);
        }
        Assert.Equal(0, Tool("prune", "--help").ExitCode);
    }

    [Fact]
    public void StoreCommandsReadTheGivenStoreAsJsonWithNothingElseOnStdout()
    {
        using var dir = new TempDir();
        var store = Path.Combine(dir.Path, "store");
        var empty = Tool("list", "--json", "--store", store);
        Assert.Equal(0, empty.ExitCode);
        Assert.Equal(0, empty.Json().GetArrayLength());
        Assert.Equal("", empty.Stderr);

        var missing = Tool("show", "absent", "--store", store, "--json");
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("", missing.Stdout);
        Assert.StartsWith("error MLENV1034: ", missing.Stderr);
    }

    private static string DefinitionFolder(TempDir dir, string wheelName = "demo_lib-1.0-py3-none-any.whl")
    {
        var wheel = dir.WriteBytes(Path.Combine("wheels-src", wheelName), TestZip.Of(1, 2, 3));
        var inputs = Defs.Inputs("demo") with { PipWheels = [wheel], AptPackages = [Defs.Apt("curl")] };
        var folder = Path.Combine(dir.Path, "obj-mlenv");
        GeneratedEnvironment.Write(Defs.Build(inputs), folder);
        return folder;
    }

    [Fact]
    public void AFolderRegistersStraightIntoTheStoreWithItsWheelsAndKeepsItsNumberWhenUnchanged()
    {
        using var dir = new TempDir();
        var folder = DefinitionFolder(dir);
        var store = Path.Combine(dir.Path, "store");
        var first = Tool("register", folder, "--name", "demo-env", "--store", store, "--docker-host", NoEngine, "--json");
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Equal(1, first.Json().GetProperty("version").GetInt32());
        Assert.True(first.Json().GetProperty("created").GetBoolean());
        var hash = File.ReadAllText(Path.Combine(folder, GeneratedEnvironment.HashFile)).Trim();
        Assert.Equal(hash, first.Json().GetProperty("hash").GetString());
        var sha = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "definition.json"))).RootElement.GetProperty("wheels")[0].GetProperty("sha256").GetString()!;
        Assert.True(File.Exists(new EnvironmentStore(store).WheelPath("demo_lib-1.0-py3-none-any.whl", sha)));

        var again = Tool("register", folder, "--name", "demo-env", "--store", store, "--docker-host", NoEngine, "--json");
        Assert.Equal(1, again.Json().GetProperty("version").GetInt32());
        Assert.False(again.Json().GetProperty("created").GetBoolean());

        var show = Tool("show", "demo-env", "1", "--store", store, "--json");
        Assert.Equal("curl", show.Json().GetProperty("definition").GetProperty("apt")[0].GetProperty("name").GetString());
    }

    [Fact]
    public void ABadDefinitionFolderIsCodedAndRegistersNothing()
    {
        using var dir = new TempDir();
        var store = Path.Combine(dir.Path, "store");
        var folder = DefinitionFolder(dir);
        string[] Register(params string[] extra) => ["register", folder, "--store", store, "--docker-host", NoEngine, .. extra];

        Assert.Contains("error MLENV4004", Tool(Register()).Stderr);                     // no name
        Assert.Contains("error MLENV1020", Tool(Register("--name", "Bad Name")).Stderr);

        // The wheel the definition names, with other bytes.
        var source = File.ReadAllLines(Path.Combine(folder, GeneratedEnvironment.ContextListFile))[0].Split('\t')[1];
        var original = File.ReadAllBytes(source);
        File.WriteAllBytes(source, TestZip.Of(9));
        var swapped = Tool(Register("--name", "demo-env"));
        Assert.Equal(1, swapped.ExitCode);
        Assert.Contains("error MLENV4003", swapped.Stderr);
        File.WriteAllBytes(source, original);

        // definition.json edited after definition.sha256 was written.
        var definition = Path.Combine(folder, "definition.json");
        File.WriteAllText(definition, File.ReadAllText(definition).Replace("\"curl\"", "\"wget\""));
        var edited = Tool(Register("--name", "demo-env"));
        Assert.Equal(1, edited.ExitCode);
        Assert.Contains("error MLENV4002", edited.Stderr);

        File.WriteAllText(definition, "[1, 2");
        File.Delete(Path.Combine(folder, GeneratedEnvironment.HashFile));
        var broken = Tool(Register("--name", "demo-env"));
        Assert.Contains("error MLENV4002", broken.Stderr);
        Assert.DoesNotContain("   at ", broken.Stderr);
        Assert.False(Directory.Exists(Path.Combine(store, "demo-env")));
    }

    [Fact]
    public void PruneRefusesAStoreThatIsNotThere()
    {
        using var dir = new TempDir();
        var missing = Path.Combine(dir.Path, "mistyped-store");
        foreach (var args in new[] { new[] { "prune", "--store", missing, "--docker-host", NoEngine }, ["prune", "--force", "--store", missing, "--docker-host", NoEngine] })
        {
            var run = Tool(args);
            Assert.Equal(1, run.ExitCode);
            Assert.StartsWith("error MLENV1059: ", run.Stderr);
            Assert.Contains("mistyped-store", run.Stderr);
        }
    }

    [Fact]
    public void AnUnusableEngineSettingIsItsCodeForEveryEngineCommand()
    {
        using var dir = new TempDir();
        foreach (var command in new[] { "images", "prune", "doctor" })
        {
            var ssh = Tool(command, "--docker-host", "ssh://me@build-host", "--store", dir.Path);
            Assert.Equal(1, ssh.ExitCode);
            Assert.Contains("error MLENV2022", ssh.Stderr);
            Assert.Contains("--docker-host", ssh.Stderr);
            var gone = Tool(command, "--docker-host", NoEngine, "--store", dir.Path);
            Assert.Equal(1, gone.ExitCode);
            Assert.Contains("error MLENV2001", gone.Stderr);
            Assert.DoesNotContain("   at ", gone.Stderr + gone.Stdout);
        }
    }
}

public class ToolOutputTests
{
    private static ToolContext Quiet(StringWriter stderr) =>
        new(AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, Out = new AnsiConsoleOutput(new StringWriter()) }), new StringWriter(), stderr, interactive: false);

    [Fact]
    public void BuildStepsMoveTheProgressBarDockerAndPodmanAlike()
    {
        var seen = new List<(int Step, int Steps, string Text)>();
        var output = new BuildProgressOutput(Quiet(new StringWriter()), (step, steps, text) => seen.Add((step, steps, text)));
        ((MlEnv.Images.IBuildOutput)output).Line("Step 3/9 : RUN apt-get install -y curl");
        ((MlEnv.Images.IBuildOutput)output).Line(" ---> Running in 0123456789ab");
        ((MlEnv.Images.IBuildOutput)output).Line("[2/2] STEP 5/9: COPY requirements.txt /tmp/");
        ((MlEnv.Images.IBuildOutput)output).Progress("Pulling the base image");
        Assert.Equal([(2, 9, "RUN apt-get install -y curl"), (4, 9, "COPY requirements.txt /tmp/"), (4, 9, "Pulling the base image")], seen);
    }

    [Fact]
    public void AComparisonIsIdenticalOnlyForTheSameHashAndSaysWhatChanged()
    {
        var a = Defs.Build(Defs.Inputs() with { AptPackages = [Defs.Apt("curl")] });
        var b = Defs.Build(Defs.Inputs() with { AptPackages = [Defs.Apt("curl"), Defs.Apt("libgomp1")] });
        Side Of(EnvironmentDefinition d, string label) => new("version", label, CanonicalJson.Hash(d), CanonicalJson.Serialize(d));
        var same = Comparison.Of(Of(a, "v1"), Of(a, "v2"));
        Assert.True(same.Identical);
        Assert.Empty(same.Changes);
        var changed = Comparison.Of(Of(a, "v1"), Of(b, "v2"));
        Assert.False(changed.Identical);
        Assert.Equal(["apt: +libgomp1"], changed.Changes);
        Assert.Equal(["from", "to", "identical", "changes"], changed.ToJson().Select(p => p.Key));
    }
}
