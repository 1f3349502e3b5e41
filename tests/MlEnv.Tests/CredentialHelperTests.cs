using System.Text;
using MlEnv.Diagnostics;
using MlEnv.Engine;
using MlEnv.Registry;

namespace MlEnv.Tests;

/// <summary>Registry credentials from credHelpers, credsStore and auths, through fake docker-credential-* scripts.</summary>
public sealed class CredentialHelperTests : IDisposable
{
    private readonly TempDir dir = new();
    private readonly Dictionary<string, string> env = new();
    private readonly List<Diagnostic> warnings = [];

    public CredentialHelperTests()
    {
        env["DOCKER_CONFIG"] = Path.Combine(dir.Path, "docker");
        env["PATH"] = Path.Combine(dir.Path, "bin") + Path.PathSeparator + "/usr/bin" + Path.PathSeparator + "/bin";
    }

    private DockerSettings Settings => new() { Variable = n => env.TryGetValue(n, out var v) ? v : null, Home = dir.Path };

    private Docker.DotNet.Models.AuthConfig? For(string registry) => RegistryAuth.For(registry, warnings.Add, Settings);

    private void Config(string json) => dir.Write("docker/config.json", json);

    /// <summary>A helper that records the server address it was asked for and prints <paramref name="body"/>'s output.</summary>
    private void Helper(string name, string body)
    {
        var path = dir.Write($"bin/docker-credential-{name}",
            $"#!/bin/sh\n[ \"$1\" = get ] || exit 9\ncat > \"{dir.Path}/asked-{name}\"\n{body}\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private string Asked(string name) => File.ReadAllText(Path.Combine(dir.Path, $"asked-{name}"));

    private static string Basic(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    [Fact]
    public void CredHelpersForTheRegistryComeBeforeCredsStoreAndAuths()
    {
        Helper("acr", """echo '{"ServerURL":"x","Username":"from-acr","Secret":"acr-secret"}'""");
        Helper("desktop", """echo '{"ServerURL":"x","Username":"from-store","Secret":"store-secret"}'""");
        Config("{\"credHelpers\":{\"myacr.azurecr.io\":\"acr\"},\"credsStore\":\"desktop\",\"auths\":{\"myacr.azurecr.io\":{\"auth\":\"" + Basic("from-auths", "p") + "\"}}}");
        var auth = For("myacr.azurecr.io/team");
        Assert.Equal(("from-acr", "acr-secret"), (auth?.Username, auth?.Password));
        Assert.Equal("myacr.azurecr.io", Asked("acr"));
        Assert.False(File.Exists(Path.Combine(dir.Path, "asked-desktop")));

        var other = For("127.0.0.1:5000");
        Assert.Equal(("from-store", "store-secret"), (other?.Username, other?.Password));
        Assert.Equal("127.0.0.1:5000", Asked("desktop"));
        Assert.Empty(warnings);
    }

    [Fact]
    public void AHelperWithoutCredentialsForTheRegistryFallsBackToAuths()
    {
        Helper("desktop", "echo 'credentials not found in native keychain'; exit 1");
        Config("{\"credsStore\":\"desktop\",\"auths\":{\"https://127.0.0.1:5000\":{\"auth\":\"" + Basic("ci", "pw:with:colons") + "\"}}}");
        var auth = For("127.0.0.1:5000");
        Assert.Equal(("ci", "pw:with:colons"), (auth?.Username, auth?.Password));
        Assert.Empty(warnings);
    }

    [Fact]
    public void AnIdentityTokenIsPassedAsOneNotAsAPassword()
    {
        Helper("ecr", """echo '{"ServerURL":"x","Username":"<token>","Secret":"refresh-token-1"}'""");
        Config("""{"credHelpers":{"registry.example:443":"ecr"}}""");
        var auth = For("registry.example:443");
        Assert.Equal("refresh-token-1", auth?.IdentityToken);
        Assert.Null(auth?.Username);
        Assert.Null(auth?.Password);
        Config("""{"auths":{"registry.example:443":{"identitytoken":"stored-token"}}}""");
        Assert.Equal("stored-token", For("registry.example:443")?.IdentityToken);
    }

    [Fact]
    public void AMissingHelperIsMlenv3013NamingItAndAuthsStillServe()
    {
        Config("{\"credsStore\":\"osxkeychain\",\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"" + Basic("ci", "pw") + "\"}}}");
        var auth = For("127.0.0.1:5000");
        Assert.Equal("ci", auth?.Username);
        var warning = Assert.Single(warnings);
        Assert.Equal(("MLENV3013", DiagnosticSeverity.Warning), (warning.Code, warning.Severity));
        Assert.Contains("docker-credential-osxkeychain", warning.Message);
        Assert.Contains("credsStore in", warning.Message);
    }

    [Fact]
    public void AFailingHelperIsMlenv3014WithItsExitCodeNeverItsSecret()
    {
        Helper("broken", "echo 'keychain locked' >&2; exit 4");
        Config("""{"credHelpers":{"127.0.0.1:5000":"broken"}}""");
        Assert.Null(For("127.0.0.1:5000"));
        var warning = Assert.Single(warnings);
        Assert.Equal("MLENV3014", warning.Code);
        Assert.Contains("docker-credential-broken", warning.Message);
        Assert.Contains("exit code 4: keychain locked", warning.Message);

        warnings.Clear();
        Helper("garbled", "echo 'Username=me Secret=hunter2'");
        Config("""{"credHelpers":{"127.0.0.1:5000":"garbled"}}""");
        Assert.Null(For("127.0.0.1:5000"));
        Assert.Contains("not JSON", Assert.Single(warnings).Message);
        Assert.DoesNotContain("hunter2", warnings[0].Message);
    }

    [Fact]
    public void AHelperWhoseChildKeepsItsOutputOpenDoesNotHoldTheBuild()
    {
        // The helper answers and exits, but leaves a child that holds its stdout for a minute (an agent it starts).
        Helper("agent", """echo '{"Username":"from-agent","Secret":"agent-secret"}'; (sleep 60) & exit 0""");
        Config("{\"credsStore\":\"agent\",\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"" + Basic("from-auths", "p") + "\"}}}");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var auth = For("127.0.0.1:5000");
        // The answer it wrote before exiting counts, within a moment, not when the child ends.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"{watch.Elapsed}");
        Assert.Equal(("from-agent", "agent-secret"), (auth?.Username, auth?.Password));
        Assert.Empty(warnings);
    }

    [Fact]
    public void AHelperNameIsNeverAPath()
    {
        Helper("x", "echo '{}'");
        Config("""{"credsStore":"../bin/docker-credential-x"}""");
        Assert.Null(For("127.0.0.1:5000"));
        Assert.Equal("MLENV3014", Assert.Single(warnings).Code);
        Assert.False(File.Exists(Path.Combine(dir.Path, "asked-x")));
    }

    [Fact]
    public void TheEnvironmentVariablesComeFirstAndAnUnreadableConfigIsMlenv3015()
    {
        Helper("desktop", """echo '{"Username":"store","Secret":"s"}'""");
        Config("""{"credsStore":"desktop"}""");
        env["MLENV_REGISTRY_USERNAME"] = "env-user";
        env["MLENV_REGISTRY_PASSWORD"] = "env-pw";
        Assert.Equal("env-user", For("127.0.0.1:5000")?.Username);
        env.Remove("MLENV_REGISTRY_USERNAME");
        Config("{\"auths\": ");
        Assert.Null(For("127.0.0.1:5000"));
        Assert.Equal("MLENV3015", Assert.Single(warnings).Code);
    }

    public void Dispose() => dir.Dispose();
}
