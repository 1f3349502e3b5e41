using System.Net.Http.Headers;
using System.Text.Json;
using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

/// <summary>The store a team shares through its registry: versions as v&lt;N&gt; tags, read back by another machine.</summary>
public sealed class SharedStoreTests(SdkPackage sdk) : EndToEndTest(sdk)
{
    private static DotnetResult Target(TestProject p, Dictionary<string, string>? env, string target, params string[] properties) =>
        p.Run(["build", p.ProjectFile, "-nologo", "-v:n", $"-t:{target}", .. properties.Select(x => "-p:" + x)], environment: env);

    [RegistryFact]
    public async Task RegistrationsArePushedAsVersionTagsAndAnotherMachineListsShowsAndReferencesThem()
    {
        using var registry = new LocalRegistry(withAuth: true);
        var credentials = new Dictionary<string, string> { ["MLENV_REGISTRY_USERNAME"] = registry.Username!, ["MLENV_REGISTRY_PASSWORD"] = registry.Password! };
        var name = $"shared-{Sdk.RunId}".ToLowerInvariant().Replace('.', '-');

        // Machine A registers version 1, then (changed) version 2; unchanged stays 2.
        var a = New("shared-a").Property("MlEnvName", name).Property("MlEnvRegistry", registry.Address)
            .Wheel("shared-lib", "1.0").Item("MlEnvVariable", "STAGE", ("Value", "one"));
        var first = a.Run(["build", a.ProjectFile, "-nologo", "-v:n"], environment: credentials);
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains($"registered {name} version 1", first.Output);
        Assert.Contains($"{registry.Address}/mlenv/{name}:v1", first.Output);
        var hash1 = HashOf(a);

        a.RemoveItems("MlEnvVariable").Item("MlEnvVariable", "STAGE", ("Value", "two"));
        var second = a.Run(["build", a.ProjectFile, "-nologo", "-v:n"], environment: credentials);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains($"registered {name} version 2", second.Output);
        var unchanged = Target(a, credentials, "MlEnvRegister");
        Assert.True(unchanged.ExitCode == 0, unchanged.Output);
        Assert.Contains($"{name} is registered in {registry.Address} as version 2", unchanged.Output);

        // What the registry holds, read over its own HTTP API: v1, v2 and both hash tags; v1's labels carry its definition.
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{registry.Username}:{registry.Password}")));
        var tags = JsonDocument.Parse(await http.GetStringAsync($"http://{registry.Address}/v2/mlenv/{name}/tags/list")).RootElement.GetProperty("tags")
            .EnumerateArray().Select(t => t.GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "v1", "v2", hash1[..12], HashOf(a)[..12] }, tags);

        // Machine B: an empty store of its own; list, show and reference read the registry.
        var storeB = Directory.CreateTempSubdirectory("mlenv-store-b-").FullName;
        try
        {
            var b = New("shared-b").Property("MlEnvStore", storeB).Property("MlEnvRegistry", registry.Address).Property("MlEnvBuildImage", "false")
                .Item("MlEnvReference", name, ("Version", "[1,2)"));
            var listFile = Path.Combine(b.Directory, "list.json");
            var list = Target(b, credentials, "MlEnvList", "MlEnvOutputFormat=json", $"MlEnvOutputFile={listFile}");
            Assert.True(list.ExitCode == 0, list.Output);
            var entries = JsonDocument.Parse(File.ReadAllText(listFile)).RootElement.EnumerateArray().Where(e => e.GetProperty("name").GetString() == name).ToList();
            Assert.Equal([1, 2], entries.Select(e => e.GetProperty("version").GetInt32()));
            Assert.Equal(hash1, entries[0].GetProperty("hash").GetString());
            Assert.Contains($"{registry.Address}/mlenv/{name}:v1", entries[0].GetProperty("images").EnumerateArray().Select(i => i.GetString()));
            Assert.False(Directory.Exists(Path.Combine(storeB, name)));   // nothing came from a local record

            var show = Target(b, credentials, "MlEnvShow", $"MlEnvName={name}", "MlEnvVersion=1");
            Assert.True(show.ExitCode == 0, show.Output);
            Assert.Contains($"hash {hash1}", show.Output);
            Assert.Contains("\"STAGE\": \"one\"", show.Output);

            // The reference takes version 1 from the registry; its wheel bytes come from the store that registered it.
            var referenced = b.Run(["build", b.ProjectFile, "-nologo", "-v:n", $"-p:MlEnvStore={Sdk.Store}"], environment: credentials);
            Assert.True(referenced.ExitCode == 0, referenced.Output);
            Assert.Contains("\"STAGE\":\"one\"", File.ReadAllText(b.Obj("definition.json")));

            // B's own store lacks the wheel: a coded error that says why, not a stack trace.
            var download = Target(b, credentials, "MlEnvDownload", $"MlEnvName={name}", "MlEnvVersion=1", $"MlEnvDownloadDir={Path.Combine(b.Directory, "dl")}");
            Assert.NotEqual(0, download.ExitCode);
            Assert.Contains("error MLENV1035", download.Output);
            Assert.Contains("shared_lib-1.0-py3-none-any.whl", download.Output);

            // Without credentials the registry refuses: a coded error naming it, and the password never shows.
            var refused = Target(b, new Dictionary<string, string> { ["DOCKER_CONFIG"] = storeB }, "MlEnvList");
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("error MLENV3007", refused.Output);
            Assert.DoesNotContain("   at ", refused.Output);
        }
        finally
        {
            Directory.Delete(storeB, recursive: true);
        }
    }
}
