using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

/// <summary>
/// Registry credentials from a credential helper, as Docker Desktop, `az acr login` and the ECR/GCR helpers store
/// them: a fake docker-credential-* script on PATH answers for a basic-auth docker-registry.
/// </summary>
public sealed class CredentialHelperTests(SdkPackage sdk) : EndToEndTest(sdk)
{
    [RegistryFact]
    public async Task AHelperOnPathSuppliesTheCredentialsToPublishAndToPullOnAnotherMachine()
    {
        using var registry = new LocalRegistry(withAuth: true);
        var root = Directory.CreateTempSubdirectory("mlenv-cred-helper-").FullName;
        try
        {
            var bin = Directory.CreateDirectory(Path.Combine(root, "bin")).FullName;
            var log = Path.Combine(root, "asked.log");
            var helper = Path.Combine(bin, "docker-credential-mlenv-fake");
            File.WriteAllText(helper, $"#!/bin/sh\n[ \"$1\" = get ] || exit 2\nread server\necho \"$server\" >> '{log}'\n" +
                $"if [ \"$server\" = '{registry.Address}' ]; then echo '{{\"ServerURL\":\"{registry.Address}\",\"Username\":\"{registry.Username}\",\"Secret\":\"{registry.Password}\"}}'; exit 0; fi\n" +
                "echo 'credentials not found in native keychain'; exit 1\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(helper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var config = Directory.CreateDirectory(Path.Combine(root, "docker")).FullName;
            File.WriteAllText(Path.Combine(config, "config.json"), "{\"credsStore\":\"mlenv-fake\",\"auths\":{}}");
            var env = new Dictionary<string, string>
            {
                ["DOCKER_CONFIG"] = config,
                ["PATH"] = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"),
            };

            var a = New("helper-machine-a").Wheel("helper-lib", "1.0").Property("MlEnvRegistry", registry.Address);
            var published = a.Run(["publish", a.ProjectFile, "-nologo", "-v:n"], environment: env);
            Assert.True(published.ExitCode == 0, published.Output);
            var hash = HashOf(a);
            Assert.Contains(a.PublishManifest().GetProperty("pushed").EnumerateArray(),
                p => p.GetProperty("reference").GetString() == $"{registry.Address}/mlenv/helper-machine-a:{hash[..12]}");
            Assert.Contains(registry.Address, File.ReadAllLines(log));
            Assert.DoesNotContain(registry.Password!, published.Output);

            // Machine B: no images, the same helper; it pulls with the helper's credentials instead of building.
            foreach (var image in await Images.WithHashAsync(hash)) BuildTests.Docker("rmi", "-f", image.ID);
            var b = New("helper-machine-b").Wheel("helper-lib", "1.0")
                .Property("MlEnvRegistry", registry.Address).Property("MlEnvImageRepository", "mlenv/helper-machine-a");
            var asked = File.ReadAllLines(log).Length;
            var build = b.Run(["build", b.ProjectFile, "-nologo", "-v:n"], environment: env);
            Assert.True(build.ExitCode == 0, build.Output);
            Assert.Contains("Pulled environment image", build.Output);
            Assert.True(File.ReadAllLines(log).Length > asked, "machine B never asked the helper");
            Assert.DoesNotContain(registry.Password!, build.Output);

            // Without the helper on PATH: a warning naming it, then the registry's refusal, never a crash.
            env["PATH"] = Environment.GetEnvironmentVariable("PATH")!;
            var missing = a.Run(["publish", a.ProjectFile, "-nologo", "-v:n"], environment: env);
            Assert.NotEqual(0, missing.ExitCode);
            Assert.Contains("warning MLENV3013", missing.Output);
            Assert.Contains("docker-credential-mlenv-fake", missing.Output);
            Assert.Contains("error MLENV3002", missing.Output);
            Assert.DoesNotContain("MSB4018", missing.Output);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
