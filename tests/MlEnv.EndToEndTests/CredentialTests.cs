using System.Formats.Tar;
using System.Text;
using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

/// <summary>
/// Private index credentials reach pip during the build and nothing else: not the final image's layers, history,
/// config or labels, not the logs, not a generated file.
/// </summary>
public sealed class CredentialTests(SdkPackage sdk) : EndToEndTest(sdk)
{

    [DockerFact]
    public async Task CredentialsFromTheEnvironmentInstallPrivatePackagesAndLeaveNoTrace()
    {
        using var index = new PackageIndex();
        index.Add("private-model-lib", "2.0", "def predict():\n    return 42\n");
        var p = New("private-index")
            .Property("MlEnvPipIndexUrl", index.Url)
            .Property("MlEnvBuildNetwork", "host")
            .Item("MlEnvPipPackage", "private-model-lib", ("Version", "2.0"))
            .Wheel("local-helper", "1.0");
        var env = new Dictionary<string, string> { ["MLENV_PIP_INDEX_USERNAME"] = index.Username, ["MLENV_PIP_INDEX_PASSWORD"] = index.Password };
        var build = p.Run(["build", p.ProjectFile, "-nologo", "-v:d"], environment: env);
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.True(index.Authorised > 0, "pip never sent the credentials");

        var hash = File.ReadAllText(p.Obj("definition.sha256")).Trim();
        var reference = $"mlenv/private-index:{hash[..12]}";
        Assert.Equal("42", BuildTests.Docker("run", "--rm", reference, "python", "-c", "import private_model_lib; print(private_model_lib.predict())").Trim());

        var secrets = new[] { index.Password, index.Username, Convert.ToBase64String(Encoding.UTF8.GetBytes($"{index.Username}:{index.Password}")) };
        await AssertNowhere(secrets, reference, p, build.Output);
    }

    [DockerFact]
    public async Task CredentialsInTheIndexUrlAreSplitOffTheDefinitionAndTheImage()
    {
        using var index = new PackageIndex();
        index.Add("private-model-lib", "2.0");
        var withUserInfo = index.Url.Replace("http://", $"http://{index.Username}:{index.Password}@");
        var p = New("private-index-url")
            .Property("MlEnvPipIndexUrl", withUserInfo)
            .Property("MlEnvBuildNetwork", "host")
            .Item("MlEnvPipPackage", "private-model-lib", ("Version", "2.0"));
        var build = p.Build();
        Assert.True(build.ExitCode == 0, build.Output);
        var definition = File.ReadAllText(p.Obj("definition.json"));
        Assert.Contains(index.Url, definition);

        var hash = File.ReadAllText(p.Obj("definition.sha256")).Trim();
        await AssertNowhere([index.Password], $"mlenv/private-index-url:{hash[..12]}", p, build.Output);
    }

    [DockerFact]
    public void WithoutCredentialsThePrivateIndexRefusesAndTheBuildFailsWithACode()
    {
        using var index = new PackageIndex();
        index.Add("private-model-lib", "2.0");
        var p = New("private-index-anon")
            .Property("MlEnvPipIndexUrl", index.Url).Property("MlEnvBuildNetwork", "host")
            .Item("MlEnvPipPackage", "private-model-lib", ("Version", "2.0"));
        var build = p.Build();
        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("error MLENV2002", build.Output);
        Assert.True(index.Refused > 0);
        Assert.Equal(0, index.Authorised);
    }

    private async Task AssertNowhere(string[] secrets, string reference, TestProject p, string buildOutput)
    {
        var places = new Dictionary<string, string>
        {
            ["build output"] = buildOutput,
            ["docker history"] = BuildTests.Docker("history", "--no-trunc", "--format", "{{.CreatedBy}} {{.Comment}}", reference),
            ["docker inspect"] = BuildTests.Docker("inspect", reference),
        };
        // Everything MlEnv wrote (obj/, bin/); the project file is the user's own input.
        foreach (var file in Directory.EnumerateFiles(p.Directory, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".whl") && f != p.ProjectFile))
            places[Path.GetRelativePath(p.Directory, file)] = File.ReadAllText(file);

        // Every file of every layer of the saved image, and its config.
        var save = Path.Combine(p.Directory, "saved.tar");
        BuildTests.Docker("save", "-o", save, reference);
        var saved = new StringBuilder();
        await using (var outer = new TarReader(File.OpenRead(save)))
        {
            while (await outer.GetNextEntryAsync(copyData: true) is { } entry)
            {
                if (entry.DataStream is null) continue;
                using var ms = new MemoryStream();
                await entry.DataStream.CopyToAsync(ms);
                var bytes = ms.ToArray();
                if (entry.Name.EndsWith("layer.tar"))
                {
                    using var inner = new TarReader(new MemoryStream(bytes));
                    while (inner.GetNextEntry(copyData: true) is { } file)
                    {
                        if (file.DataStream is null) continue;
                        using var content = new MemoryStream();
                        file.DataStream.CopyTo(content);
                        saved.Append(file.Name).Append('\n').Append(Encoding.Latin1.GetString(content.ToArray())).Append('\n');
                    }
                }
                else saved.Append(Encoding.Latin1.GetString(bytes)).Append('\n');
            }
        }
        File.Delete(save);
        places["docker save (every layer, config, manifest)"] = saved.ToString();

        foreach (var secret in secrets)
            foreach (var (place, text) in places)
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"a credential appears in {place}");
    }

}
