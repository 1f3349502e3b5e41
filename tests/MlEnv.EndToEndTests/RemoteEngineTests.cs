using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

/// <summary>
/// A shared build engine reached over TCP with TLS client certificates, as a CI fleet reaches one: through
/// DOCKER_HOST + DOCKER_TLS_VERIFY + DOCKER_CERT_PATH, and through a Docker context that names it.
/// </summary>
public sealed class RemoteEngineTests(SdkPackage sdk) : EndToEndTest(sdk)
{
    private static Dictionary<string, string> TlsVariables(TlsEngine engine, string certs) => new()
    {
        ["DOCKER_HOST"] = engine.Host,
        ["DOCKER_TLS_VERIFY"] = "1",
        ["DOCKER_CERT_PATH"] = certs,
        ["DOCKER_CONTEXT"] = "",
    };

    private TestProject Remote(string name) => New(name).Wheel("remote-lib", "1.0", "ANSWER = 42\n")
        .File("train.py", "import remote_lib\nprint('trained remotely', remote_lib.ANSWER, flush=True)\n");

    [DockerFact]
    public void DockerHostWithTlsVerifyBuildsReusesPublishesAndRunsThroughTheRemoteEngine()
    {
        using var engine = new TlsEngine();
        using var registry = new LocalRegistry(withAuth: false);
        var env = TlsVariables(engine, engine.ClientCerts);
        var p = Remote("remote-tls").Property("MlEnvRegistry", registry.Address).Property("MlEnvRequireDocker", "true");

        var build = p.Run(["build", p.ProjectFile, "-nologo", "-v:n"], environment: env);
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Contains($"MlEnv: Docker engine {engine.Host} (from DOCKER_HOST, TLS verified with the CA and client certificate in {engine.ClientCerts})", build.Output);
        Assert.Contains("Built environment image", build.Output);
        Assert.True(engine.Connections > 0, "the build never came through the TLS endpoint");

        var before = engine.Connections;
        var again = p.Run(["build", p.ProjectFile, "-nologo", "-v:n"], environment: env);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.DoesNotContain("Step 1/", again.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("is up to date", again.Output); // the one-request probe, through TLS
        Assert.True(engine.Connections > before, "the no-op build did not check the image on the remote engine");

        var published = p.Run(["publish", p.ProjectFile, "-nologo", "-v:n"], environment: env);
        Assert.True(published.ExitCode == 0, published.Output);
        Assert.Contains(p.PublishManifest().GetProperty("pushed").EnumerateArray(),
            pushed => pushed.GetProperty("reference").GetString()!.StartsWith($"{registry.Address}/mlenv/remote-tls:", StringComparison.Ordinal));

        var run = p.Run(["build", p.ProjectFile, "-nologo", "-v:n", "-t:MlEnvRun", "-p:MlEnvRunScript=train.py"], environment: env);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("trained remotely 42", run.Output);
        Assert.Contains($"MlEnv: Docker engine {engine.Host} (from DOCKER_HOST", run.Output);
    }

    [DockerFact]
    public void ADockerContextNamingTheRemoteEngineBuildsReusesPublishesAndRunsThroughIt()
    {
        using var engine = new TlsEngine();
        using var registry = new LocalRegistry(withAuth: false);
        var config = engine.WriteContext(Path.Combine(engine.Root, "docker-config"), "shared-builder", engine.ClientCerts, current: true);
        var env = new Dictionary<string, string> { ["DOCKER_CONFIG"] = config, ["DOCKER_HOST"] = "", ["DOCKER_CONTEXT"] = "" };
        var p = Remote("remote-context").Property("MlEnvRequireDocker", "true").Property("MlEnvRegistry", registry.Address);

        var build = p.Run(["build", p.ProjectFile, "-nologo", "-v:n"], environment: env);
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Contains($"MlEnv: Docker engine {engine.Host} (from Docker context \"shared-builder\" (currentContext in {Path.Combine(config, "config.json")}), TLS verified", build.Output);
        Assert.True(engine.Connections > 0, "the build never came through the TLS endpoint");
        var again = p.Run(["build", p.ProjectFile, "-nologo", "-v:n"], environment: env);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("is up to date", again.Output);
        var published = p.Run(["publish", p.ProjectFile, "-nologo", "-v:n"], environment: env);
        Assert.True(published.ExitCode == 0, published.Output);
        Assert.NotEqual(0, p.PublishManifest().GetProperty("pushed").GetArrayLength());
        var before = engine.Connections;
        var run = p.Run(["build", p.ProjectFile, "-nologo", "-v:n", "-t:MlEnvRun", "-p:MlEnvRunScript=train.py"], environment: env);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("trained remotely 42", run.Output);
        Assert.True(engine.Connections > before, "the run never came through the TLS endpoint");

        // DOCKER_CONTEXT picks a context over the config file's, and an unknown one is a coded error, not "no engine".
        env["DOCKER_CONTEXT"] = "no-such-context";
        var unknown = p.Run(["build", p.ProjectFile, "-nologo", "-v:n", "-p:MlEnvRefresh=true"], environment: env);
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("error MLENV2020", unknown.Output);
        Assert.Contains("'no-such-context'", unknown.Output);
        Assert.Contains("shared-builder", unknown.Output);
        Assert.DoesNotContain("MSB4018", unknown.Output);
    }

    [DockerFact]
    public void AClientCertificateTheEngineDoesNotTrustIsMlenv2024NamingTheEndpoint()
    {
        using var engine = new TlsEngine();
        var p = Remote("remote-wrong-cert");
        var build = p.Run(["build", p.ProjectFile, "-nologo", "-v:n"], environment: TlsVariables(engine, engine.WrongClientCerts));
        Assert.NotEqual(0, build.ExitCode);
        Assert.True(build.Output.Contains("error MLENV2024", StringComparison.Ordinal), build.Output);
        Assert.Contains(engine.Host, build.Output);
        Assert.Contains(engine.WrongClientCerts, build.Output);
        Assert.DoesNotContain("MSB4018", build.Output);
        Assert.DoesNotContain("   at ", build.Output);
        var key = File.ReadAllLines(Path.Combine(engine.WrongClientCerts, "key.pem"))[1];
        Assert.DoesNotContain(key, build.Output);

        // Nothing listening on the endpoint: MLENV2001 naming it (an error with MlEnvRequireDocker).
        var closed = $"tcp://127.0.0.1:{LocalRegistry.FreePort()}";
        var unreachable = p.Run(["build", p.ProjectFile, "-nologo", "-v:n", "-p:MlEnvRequireDocker=true"],
            environment: new Dictionary<string, string> { ["DOCKER_HOST"] = closed, ["DOCKER_TLS_VERIFY"] = "1", ["DOCKER_CERT_PATH"] = engine.ClientCerts });
        Assert.NotEqual(0, unreachable.ExitCode);
        Assert.True(unreachable.Output.Contains($"error MLENV2001: The Docker engine at '{closed}' cannot be reached", StringComparison.Ordinal), unreachable.Output);
        Assert.DoesNotContain("MSB4018", unreachable.Output);

        // ssh:// is refused up front with what to use instead.
        var ssh = p.Run(["build", p.ProjectFile, "-nologo", "-v:n"], environment: new Dictionary<string, string> { ["DOCKER_HOST"] = "ssh://builder@127.0.0.1" });
        Assert.NotEqual(0, ssh.ExitCode);
        Assert.Contains("error MLENV2022", ssh.Output);
        Assert.DoesNotContain("MSB4018", ssh.Output);
    }

    /// <summary>In the Podman pass this engine is Podman's socket: a context naming it builds there.</summary>
    [DockerFact]
    [Trait("Engine", "Podman")]
    public void AContextNamingTheTestEnginesSocketBuildsThere()
    {
        var socket = MlEnv.Engine.DockerEngine.ResolveEndpoint(null);
        var config = Directory.CreateTempSubdirectory("mlenv-docker-config-").FullName;
        try
        {
            var id = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("local-engine"u8));
            Directory.CreateDirectory(Path.Combine(config, "contexts", "meta", id));
            File.WriteAllText(Path.Combine(config, "contexts", "meta", id, "meta.json"),
                $"{{\"Name\":\"local-engine\",\"Metadata\":{{}},\"Endpoints\":{{\"docker\":{{\"Host\":\"{socket}\",\"SkipTLSVerify\":false}}}}}}");
            var p = Remote("context-socket").Property("MlEnvRequireDocker", "true");
            var env = new Dictionary<string, string> { ["DOCKER_CONFIG"] = config, ["DOCKER_HOST"] = "", ["DOCKER_CONTEXT"] = "local-engine" };
            var build = p.Run(["build", p.ProjectFile, "-nologo", "-v:n"], environment: env);
            Assert.True(build.ExitCode == 0, build.Output);
            Assert.Contains($"MlEnv: Docker engine {socket} (from Docker context \"local-engine\" (DOCKER_CONTEXT))", build.Output);
            Assert.Contains("Built environment image", build.Output);
        }
        finally
        {
            Directory.Delete(config, recursive: true);
        }
    }
}
