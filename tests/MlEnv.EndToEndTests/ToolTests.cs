using System.Text.Json;
using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

/// <summary>
/// The dotnet-mlenv tool as a user gets it: packed, installed from the feed into a clean folder's tool manifest, and
/// run as `dotnet mlenv` against the real engine (and a real registry). JSON output is parsed; one table is read in a
/// pseudo-terminal. Every store is the test's own, and prune only ever looks at the test's own environment name.
/// </summary>
public sealed class ToolTests(SdkPackage sdk, TemplatePackage templates) : EndToEndTest(sdk), IClassFixture<TemplatePackage>
{
    private string UniqueName(string prefix) => $"{prefix}-{Sdk.RunId}".ToLowerInvariant().Replace('.', '-');

    private static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();

    [Fact]
    public void TheInstalledToolAnswersHelpOnEveryCommandAndUsageErrorsAreExitCode2()
    {
        using var tool = ToolPackage.Install(Sdk);
        var help = tool.Mlenv(["--help"]);
        Assert.True(help.ExitCode == 0, help.All);
        foreach (var command in new[] { "scaffold", "register", "list", "show", "download", "run", "explain", "images", "prune", "doctor" })
        {
            Assert.Contains(command, help.Stdout);
            var commandHelp = tool.Mlenv([command, "--help"]);
            Assert.True(commandHelp.ExitCode == 0, commandHelp.All);
            Assert.Contains($"Usage:", commandHelp.Stdout);
            Assert.Contains("--store", commandHelp.Stdout);
        }
        var unknownOption = tool.Mlenv(["list", "--no-such-option"]);
        Assert.Equal(2, unknownOption.ExitCode);
        Assert.Contains("--no-such-option", unknownOption.Stderr);
        Assert.Equal("", unknownOption.Stdout);
        Assert.Equal(2, tool.Mlenv(["no-such-command"]).ExitCode);
        Assert.Equal(2, tool.Mlenv(["show"]).ExitCode);          // a required argument is missing
        Assert.Equal(2, tool.Mlenv([]).ExitCode);

        // scaffold: a new project naming this tool's SDK version.
        var scaffold = tool.Mlenv(["scaffold", "my-env"]);
        Assert.True(scaffold.ExitCode == 0, scaffold.All);
        Assert.Contains($"MlEnv.Sdk/{Sdk.Version}", File.ReadAllText(Path.Combine(tool.Folder, "my-env", "my-env.csproj")));
        var again = tool.Mlenv(["scaffold", "my-env"]);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("error MLENV1035", again.Stderr);
    }

    [Fact]
    public void TheToolAndTheTemplatesFromThePackedArtefactsWorkTogetherInACleanFolder()
    {
        using var tool = ToolPackage.Install(Sdk);
        templates.EnsureInstalled(Sdk);
        // What a repository around the new project holds: the run's store and label, so nothing reaches the user's.
        File.WriteAllText(Path.Combine(tool.Folder, "global.json"), "{ \"sdk\": { \"version\": \"10.0.100\", \"rollForward\": \"latestFeature\" } }");
        File.WriteAllText(Path.Combine(tool.Folder, "Directory.Build.props"),
            $"<Project><ItemGroup><MlEnvLabel Include=\"{Infrastructure.Images.RunLabel}\" Value=\"{Sdk.RunId}\" /></ItemGroup></Project>");
        var created = templates.New(tool.Folder, "mlenv", "-n", "TrainEnv", "-o", "TrainEnv", "--no-update-check");
        Assert.True(created.ExitCode == 0, created.Output);
        var store = Path.Combine(tool.Folder, "store");

        // The template's project (scikit-learn, pandas: no index here to build it) resolves through the tool, engine or not.
        var explained = tool.Mlenv(["explain", "--project", "TrainEnv", "--store", store, "--json"]);
        Assert.True(explained.ExitCode == 0, explained.All);
        var project = explained.Json().GetProperty("project");
        Assert.Equal("trainenv", project.GetProperty("name").GetString());
        Assert.NotEqual(JsonValueKind.False, project.GetProperty("rebuild").ValueKind);

        // Its resolved definition folder registers straight into the store, and reads back.
        var folder = Path.Combine(tool.Folder, "TrainEnv", "obj", "Debug", "mlenv");
        var registered = tool.Mlenv(["register", folder, "--name", "trainenv", "--store", store, "--json"]);
        Assert.True(registered.ExitCode == 0, registered.All);
        Assert.Equal(project.GetProperty("hash").GetString(), registered.Json().GetProperty("hash").GetString());
        var show = tool.Mlenv(["show", "trainenv", "--store", store, "--json"]);
        Assert.Contains(show.Json().GetProperty("definition").GetProperty("pip").GetProperty("packages").EnumerateArray(),
            p => p.GetProperty("name").GetString() == "scikit-learn");
        Assert.Contains("libgomp1", show.Stdout);
    }

    [Fact]
    public void BadInputIsACodedDiagnosticOnStderrNeverAStackTrace()
    {
        using var tool = ToolPackage.Install(Sdk);
        var store = Path.Combine(tool.Folder, "store");
        var cases = new (string[] Args, string Code)[]
        {
            (["show", "no-such-env", "--store", store], "MLENV1034"),
            (["show", "Bad Name!", "--store", store], "MLENV1020"),
            (["download", "x", "[1,", "-o", "out", "--store", store], "MLENV1035"),
            (["register", Path.Combine(tool.Folder, "missing"), "--store", store], "MLENV4001"),
            (["images", "--docker-host", "ssh://user@host"], "MLENV2022"),
            (["images", "--docker-host", "bogus"], "MLENV2025"),
            (["list", "--registry", "not a registry"], "MLENV3003"),
            (["run", "x", "--script", "train.py", "--store", store], "MLENV1034"),
        };
        foreach (var (args, code) in cases)
        {
            var result = tool.Mlenv(args);
            Assert.True(result.ExitCode == 1, $"{string.Join(' ', args)}: {result.ExitCode}\n{result.All}");
            Assert.Contains($"error {code}", result.Stderr);
            Assert.DoesNotContain("   at ", result.All);
            Assert.DoesNotContain("Exception", result.All);
        }

        // A definition folder that was edited after its hash was written, and one whose wheel was swapped.
        var folder = Directory.CreateDirectory(Path.Combine(tool.Folder, "edited")).FullName;
        File.WriteAllText(Path.Combine(folder, "definition.json"), "{\"not\":\"a definition\"}");
        var invalid = tool.Mlenv(["register", folder, "--name", "edited", "--store", store]);
        Assert.Equal(1, invalid.ExitCode);
        Assert.Contains("error MLENV4002", invalid.Stderr);
        Assert.False(Directory.Exists(Path.Combine(store, "edited")));
    }

    [DockerFact]
    public async Task EveryCommandAgainstTheEngine()
    {
        using var tool = ToolPackage.Install(Sdk);
        var name = UniqueName("tool");
        var store = Path.Combine(tool.Folder, "store");
        var s = new[] { "--store", store };
        var p = New("tool-project").Property("MlEnvName", name).Item("MlEnvVariable", "STAGE", ("Value", "one")).Save();

        // register a project: its MSBuild pass builds the image and registers it in the tool's store.
        var first = tool.Mlenv(["register", p.ProjectFile, "--json", .. s]);
        Assert.True(first.ExitCode == 0, first.All);
        var registered = first.Json();
        Assert.Equal(name, registered.GetProperty("name").GetString());
        Assert.Equal(1, registered.GetProperty("version").GetInt32());
        var hash1 = registered.GetProperty("hash").GetString()!;
        Assert.Contains($"mlenv/{name}:{hash1[..12]}", Strings(registered.GetProperty("images")));
        Assert.NotNull(await Images.InspectAsync($"mlenv/{name}:{hash1[..12]}"));

        // explain before the next build: the project changed, so it rebuilds, and says why.
        p.RemoveItems("MlEnvVariable").Item("MlEnvVariable", "STAGE", ("Value", "two")).Save();
        var why = tool.Mlenv(["explain", "--project", p.ProjectFile, "--json", .. s]);
        Assert.True(why.ExitCode == 0, why.All);
        Assert.True(why.Json().GetProperty("project").GetProperty("rebuild").GetBoolean());
        var comparisons = why.Json().GetProperty("comparisons").EnumerateArray().ToList();
        Assert.Contains(comparisons, c => c.GetProperty("from").GetProperty("kind").GetString() == "image");
        Assert.All(comparisons, c => Assert.Equal(["variables: STAGE changed"], Strings(c.GetProperty("changes"))));
        Assert.Equal(3, tool.Mlenv(["explain", "--project", p.ProjectFile, "--exit-code", .. s]).ExitCode);

        var second = tool.Mlenv(["register", p.ProjectFile, "--json", .. s]);
        Assert.True(second.ExitCode == 0, second.All);
        Assert.Equal(2, second.Json().GetProperty("version").GetInt32());
        var hash2 = second.Json().GetProperty("hash").GetString()!;
        var reuse = tool.Mlenv(["explain", "--project", p.ProjectFile, "--json", "--exit-code", .. s]);
        Assert.True(reuse.ExitCode == 0, reuse.All);
        Assert.False(reuse.Json().GetProperty("project").GetProperty("rebuild").GetBoolean());

        // list and show, as JSON for scripts and as a table in a terminal.
        var list = tool.Mlenv(["list", "--json", .. s]);
        Assert.True(list.ExitCode == 0, list.All);
        var versions = list.Json().EnumerateArray().Where(e => e.GetProperty("name").GetString() == name).ToList();
        Assert.Equal([1, 2], versions.Select(v => v.GetProperty("version").GetInt32()));
        Assert.Equal([hash1, hash2], versions.Select(v => v.GetProperty("hash").GetString()));
        var piped = tool.Mlenv(["list", .. s]);
        Assert.False(piped.Stdout.Contains('\u001b'), piped.Stdout.Replace("\u001b", "<ESC>"));   // no ANSI when output is redirected
        Assert.Contains($"│ {name} │ v2 │ {hash2[..12]} │", System.Text.RegularExpressions.Regex.Replace(piped.Stdout, " +", " "));
        var terminal = tool.MlenvInTerminal($"list --store {store}");
        Assert.True(terminal.ExitCode == 0, terminal.All);
        Assert.Contains("╭", terminal.Stdout);
        Assert.Contains("Version", terminal.Stdout);
        Assert.Contains(name, terminal.Stdout);
        Assert.Contains(hash2[..12], terminal.Stdout);

        var show = tool.Mlenv(["show", name, "1", "--json", .. s]);
        Assert.True(show.ExitCode == 0, show.All);
        Assert.Equal("one", show.Json().GetProperty("definition").GetProperty("variables").GetProperty("STAGE").GetString());
        Assert.Equal(1, show.Json().GetProperty("version").GetInt32());

        // explain between versions, and a version against the image on the engine.
        var between = tool.Mlenv(["explain", name, "1", "2", "--json", .. s]);
        Assert.True(between.ExitCode == 0, between.All);
        Assert.Equal(["variables: STAGE changed"], Strings(between.Json().GetProperty("comparisons")[0].GetProperty("changes")));
        Assert.Equal(3, tool.Mlenv(["explain", name, "1", "2", "--exit-code", .. s]).ExitCode);
        var image = tool.Mlenv(["explain", name, "2", "--image", "--json", .. s]);
        Assert.True(image.ExitCode == 0, image.All);
        Assert.True(image.Json().GetProperty("comparisons")[0].GetProperty("identical").GetBoolean());
        Assert.Contains("MLENV4011", tool.Mlenv(["explain", name, "1", .. s]).Stderr);

        // download version 1, and register that folder into a second store under another name.
        var download = Path.Combine(tool.Folder, "v1");
        var downloaded = tool.Mlenv(["download", name, "1", "-o", download, .. s]);
        Assert.True(downloaded.ExitCode == 0, downloaded.All);
        Assert.True(File.Exists(Path.Combine(download, "Dockerfile")));
        var otherStore = Path.Combine(tool.Folder, "other-store");
        var folder = tool.Mlenv(["register", download, "--name", name + "-copy", "--store", otherStore, "--json"]);
        Assert.True(folder.ExitCode == 0, folder.All);
        Assert.Equal(hash1, folder.Json().GetProperty("hash").GetString());
        Assert.Equal(1, folder.Json().GetProperty("version").GetInt32());
        Assert.Contains("error MLENV4004", tool.Mlenv(["register", download, "--store", otherStore]).Stderr);   // a download carries no name

        // run: the script's output streams to stdout and its exit code is the tool's.
        var work = Directory.CreateDirectory(Path.Combine(tool.Folder, "work")).FullName;
        File.WriteAllText(Path.Combine(work, "train.py"), "import os, sys\nprint('stage', os.environ['STAGE'], sys.argv[1:])\nopen(os.environ['MLENV_OUTPUTS'] + '/m.txt', 'w').write('ok')\nsys.exit(7)\n");
        var run = tool.Mlenv(["run", $"{name}:1", "--script", "train.py", "--project-dir", work, .. s, "--", "a", "b c"]);
        Assert.True(run.ExitCode == 7, run.All);
        Assert.Contains("stage one ['a', 'b c']", run.Stdout);
        Assert.Contains("error MLENV2009", run.Stderr);
        var runDir = Directory.GetDirectories(Path.Combine(work, "mlenv-runs")).Single();
        Assert.Equal("ok", File.ReadAllText(Path.Combine(runDir, "outputs", "m.txt")));
        Assert.Equal(1, tool.Mlenv(["run", name, "--script", "../escape.py", "--project-dir", work, .. s]).ExitCode);

        // Ctrl+C: the run stops, its container is removed (containers carry the image's labels), and the exit code is 130.
        File.WriteAllText(Path.Combine(work, "slow.py"), "import time\nprint('sleeping', flush=True)\ntime.sleep(300)\n");
        var interrupted = tool.MlenvInterrupted(["run", $"{name}:1", "--script", "slow.py", "--project-dir", work, .. s], "sleeping");
        Assert.True(interrupted.ExitCode == 130, interrupted.All);
        Assert.Contains("cancelled", interrupted.Stderr);
        Assert.Equal("", BuildTests.Docker("ps", "-aq", "--filter", $"label=org.mlenv.definition-hash={hash1}").Trim());

        // images: both environment images, each referred to by its version.
        var images = tool.Mlenv(["images", "--name", name, "--json", .. s]);
        Assert.True(images.ExitCode == 0, images.All);
        var listed = images.Json().EnumerateArray().ToList();
        Assert.Equal(2, listed.Count);
        Assert.All(listed, i => Assert.False(i.GetProperty("prunable").GetBoolean()));
        Assert.Equal([1, 2], listed.OrderBy(i => i.GetProperty("referencedBy")[0].GetProperty("version").GetInt32())
            .Select(i => i.GetProperty("referencedBy")[0].GetProperty("version").GetInt32()));

        // prune: nothing while both are registered; a dry run (the default) removes nothing; --force removes only v1's.
        var nothing = tool.Mlenv(["prune", "--name", name, "--json", .. s]);
        Assert.True(nothing.ExitCode == 0, nothing.All);
        Assert.Equal(0, nothing.Json().GetProperty("candidates").GetArrayLength());
        File.Delete(Path.Combine(store, name, "v1.json"));
        var dry = tool.Mlenv(["prune", "--name", name, "--json", .. s]);
        Assert.True(dry.ExitCode == 0, dry.All);
        Assert.True(dry.Json().GetProperty("dryRun").GetBoolean());
        Assert.Equal([hash1], dry.Json().GetProperty("candidates").EnumerateArray().Select(c => c.GetProperty("hash").GetString()));
        Assert.Equal(0, dry.Json().GetProperty("removed").GetArrayLength());
        Assert.NotNull(await Images.InspectAsync($"mlenv/{name}:{hash1[..12]}"));
        var dryText = tool.Mlenv(["prune", "--name", name, .. s]);
        Assert.Contains("Would remove", dryText.Stdout);
        Assert.NotNull(await Images.InspectAsync($"mlenv/{name}:{hash1[..12]}"));
        var forced = tool.Mlenv(["prune", "--name", name, "--force", "--json", .. s]);
        Assert.True(forced.ExitCode == 0, forced.All);
        Assert.False(forced.Json().GetProperty("dryRun").GetBoolean());
        Assert.Equal(1, forced.Json().GetProperty("removed").GetArrayLength());
        Assert.Null(await Images.InspectAsync($"mlenv/{name}:{hash1[..12]}"));
        Assert.NotNull(await Images.InspectAsync($"mlenv/{name}:{hash2[..12]}"));

        // The downloaded version 1 registers again (as v3: v2 is the newest) and --build makes its image again.
        var rebuilt = tool.Mlenv(["register", download, "--name", name, "--build", "--json", .. s]);
        Assert.True(rebuilt.ExitCode == 0, rebuilt.All);
        Assert.Equal(3, rebuilt.Json().GetProperty("version").GetInt32());
        Assert.Equal(hash1, rebuilt.Json().GetProperty("hash").GetString());
        Assert.Contains($"mlenv/{name}:{hash1[..12]}", Strings(rebuilt.Json().GetProperty("images")));
        Assert.NotNull(await Images.InspectAsync($"mlenv/{name}:{hash1[..12]}"));

        // run --project: the project's own MSBuild pass (-t:MlEnvRun); arguments MSBuild would split or expand
        // (';', ',', '$(…)', '%') reach the script as written.
        File.WriteAllText(Path.Combine(p.Directory, "args.py"), "import sys\nprint('args', sys.argv[1:])\n");
        var viaProject = tool.Mlenv(["run", "--project", p.ProjectFile, "--script", "args.py", .. s, "--", "a b", "c;d", "$(HOME)", "x,y", "50%"]);
        Assert.True(viaProject.ExitCode == 0, viaProject.All);
        Assert.Contains("args ['a b', 'c;d', '$(HOME)', 'x,y', '50%']", viaProject.Stdout);
    }

    [DockerFact]
    public async Task AFoldersOwnDockerfileAndContextListAreNeverBuilt()
    {
        using var tool = ToolPackage.Install(Sdk);
        var name = UniqueName("tool-resolved");
        var p = New("tool-resolved").Property("MlEnvName", name).Property("MlEnvBuildImage", "false").Save();
        Assert.Equal(0, p.Build().ExitCode);
        // A project's resolved folder, copied and tampered with: its Dockerfile gains a step, context.txt a host file.
        var folder = Path.Combine(tool.Folder, "tampered");
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(p.Obj("definition.json"))!))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        File.AppendAllText(Path.Combine(folder, "Dockerfile"), "RUN echo injected > /pwned\nCOPY leak /leak\n");
        File.AppendAllText(Path.Combine(folder, "context.txt"), "leak\t/etc/hostname\nno tab here\n");
        var registered = tool.Mlenv(["register", folder, "--name", name, "--build", "--store", Path.Combine(tool.Folder, "store"), "--json"]);
        Assert.True(registered.ExitCode == 0, registered.All);
        var hash = registered.Json().GetProperty("hash").GetString()!;
        // The image is the definition's, generated again: neither the added step nor the host file is in it.
        var image = $"mlenv/{name}:{hash[..12]}";
        Assert.NotNull(await Images.InspectAsync(image));
        Assert.Equal("clean", BuildTests.Docker("run", "--rm", "--label", $"{Infrastructure.Images.RunLabel}={Sdk.RunId}", image,
            "sh", "-c", "test -e /pwned || test -e /leak || echo clean").Trim());
    }

    [DockerFact]
    public void DoctorNamesTheEndpointVersionsBaseImagesAndCredentialSourcesButNeverASecret()
    {
        using var tool = ToolPackage.Install(Sdk);
        var secret = "tool-secret-" + Guid.NewGuid().ToString("N");
        var env = new Dictionary<string, string> { ["MLENV_REGISTRY_USERNAME"] = "ci", ["MLENV_REGISTRY_PASSWORD"] = secret };
        var doctor = tool.Mlenv(["doctor", "--json", "--base-image", TestEnvironment.BaseImage, "--registry", "127.0.0.1:5999"], env);
        Assert.True(doctor.ExitCode == 0, doctor.All);
        var report = doctor.Json();
        Assert.True(report.GetProperty("ok").GetBoolean());
        Assert.StartsWith("unix://", report.GetProperty("endpoint").GetProperty("host").GetString());
        Assert.False(string.IsNullOrEmpty(report.GetProperty("endpoint").GetProperty("reason").GetString()));
        Assert.False(string.IsNullOrEmpty(report.GetProperty("engine").GetProperty("apiVersion").GetString()));
        Assert.Equal("1.41", report.GetProperty("clientApiVersion").GetString());
        Assert.Contains(report.GetProperty("baseImages").EnumerateArray(), b => b.GetProperty("image").GetString() == TestEnvironment.BaseImage && b.GetProperty("present").GetBoolean());
        Assert.Equal("environment", report.GetProperty("registryCredentials").GetProperty("source").GetString());
        Assert.DoesNotContain(secret, doctor.All);
        Assert.DoesNotContain(secret, tool.Mlenv(["doctor", "--registry", "127.0.0.1:5999"], env).All);

        // From the Docker config file's auths: the entry is named, the base64 pair never shown (nor its decoding).
        var config = Directory.CreateDirectory(Path.Combine(tool.Folder, "docker-config")).FullName;
        var pair = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("ci:" + secret));
        File.WriteAllText(Path.Combine(config, "config.json"), $"{{\"auths\":{{\"127.0.0.1:5999\":{{\"auth\":\"{pair}\"}}}},\"credHelpers\":{{\"reg.example:443\":\"mlenv-absent\"}}}}");
        var auths = tool.Mlenv(["doctor", "--json", "--registry", "127.0.0.1:5999"], new Dictionary<string, string> { ["DOCKER_CONFIG"] = config });
        Assert.Equal("auths", auths.Json().GetProperty("registryCredentials").GetProperty("source").GetString());
        Assert.DoesNotContain(secret, auths.All);
        Assert.DoesNotContain(pair, auths.All);
        var helper = tool.Mlenv(["doctor", "--json", "--registry", "reg.example:443"], new Dictionary<string, string> { ["DOCKER_CONFIG"] = config });
        Assert.Equal("credHelpers", helper.Json().GetProperty("registryCredentials").GetProperty("source").GetString());
        Assert.False(helper.Json().GetProperty("registryCredentials").GetProperty("usable").GetBoolean());

        // A base image that is asked for and missing fails the check; the table says which engine was asked.
        var missing = tool.Mlenv(["doctor", "--base-image", "mlenv-test/no-such-image:0"]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("error MLENV4010", missing.Stderr);
        Assert.Contains("Engine endpoint", missing.Stdout);
        var unreachable = tool.Mlenv(["doctor", "--json", "--docker-host", "unix:///tmp/no-engine-here.sock"]);
        Assert.Equal(1, unreachable.ExitCode);
        Assert.Contains("error MLENV2001", unreachable.Stderr);
        Assert.Equal("--docker-host", unreachable.Json().GetProperty("endpoint").GetProperty("reason").GetString());
    }

    [RegistryFact]
    public void ASharedRegistryStoreIsWrittenWithPushProgressAndListedFromAnotherStore()
    {
        using var registry = new LocalRegistry(withAuth: true);
        var credentials = new Dictionary<string, string> { ["MLENV_REGISTRY_USERNAME"] = registry.Username!, ["MLENV_REGISTRY_PASSWORD"] = registry.Password! };
        using var tool = ToolPackage.Install(Sdk);
        var name = UniqueName("toolreg");
        // A variable of its own: no other test's image shares this definition (the image is removed below).
        var p = New("tool-registry").Property("MlEnvName", name).Item("MlEnvVariable", "TOOL_TEST", ("Value", name)).Save();
        var built = p.Build();
        Assert.True(built.ExitCode == 0, built.Output);

        // The project's own obj/.../mlenv folder, pushed as version 1 through the tool (an image with that hash exists).
        var pushed = tool.Mlenv(["register", Path.GetDirectoryName(p.Obj("definition.json"))!, "--name", name, "--registry", registry.Address, "--store", Path.Combine(tool.Folder, "a"), "--json"], credentials);
        Assert.True(pushed.ExitCode == 0, pushed.All);
        Assert.Equal(1, pushed.Json().GetProperty("version").GetInt32());
        Assert.Contains($"{registry.Address}/mlenv/{name}:v1", Strings(pushed.Json().GetProperty("images")));

        var list = tool.Mlenv(["list", "--registry", registry.Address, "--store", Path.Combine(tool.Folder, "b"), "--json"], credentials);
        Assert.True(list.ExitCode == 0, list.All);
        Assert.Contains(list.Json().EnumerateArray(), e => e.GetProperty("name").GetString() == name && e.GetProperty("version").GetInt32() == 1);
        // Another machine: the engine lacks the image, so run pulls the version's image from the registry first.
        var hash = pushed.Json().GetProperty("hash").GetString()!;
        var id = BuildTests.Docker("image", "inspect", "--format", "{{.Id}}", $"mlenv/{name}:{hash[..12]}").Trim();
        BuildTests.Docker("rmi", "-f", id);
        var work = Directory.CreateDirectory(Path.Combine(tool.Folder, "work")).FullName;
        File.WriteAllText(Path.Combine(work, "hello.py"), "import os\nprint('pulled', os.environ['TOOL_TEST'])\n");
        var run = tool.Mlenv(["run", $"{name}:1", "--script", "hello.py", "--project-dir", work, "--registry", registry.Address, "--store", Path.Combine(tool.Folder, "b")], credentials);
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains($"pulled {name}", run.Stdout);

        var refused = tool.Mlenv(["list", "--registry", registry.Address], new Dictionary<string, string> { ["DOCKER_CONFIG"] = tool.Folder });
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("error MLENV3007", refused.Stderr);
        Assert.DoesNotContain(registry.Password!, refused.All);
    }
}
