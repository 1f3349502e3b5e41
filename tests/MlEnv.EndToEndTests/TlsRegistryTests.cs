using System.Text.Json;
using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

/// <summary>A registry serving HTTPS with a private CA, by host name: MlEnv's own calls trust the CA in certs.d.</summary>
public sealed class TlsRegistryTests(SdkPackage sdk) : EndToEndTest(sdk)
{
    [RegistryFact]
    public void PublishListAndReferenceWorkWithTheCaInCertsDAndFailCodedWithoutIt()
    {
        using var registry = new TlsRegistry();
        var env = new Dictionary<string, string> { ["MLENV_DOCKER_CERTS_D"] = registry.CertsRoot };
        var name = $"tls-{Sdk.RunId}".ToLowerInvariant().Replace('.', '-');

        var a = New("tls-registry-a").Property("MlEnvName", name).Property("MlEnvRegistry", registry.Address).Item("MlEnvVariable", "TLS_REGISTRY", ("Value", "yes"));
        var built = a.Run(["build", a.ProjectFile, "-nologo", "-v:n"], environment: env);
        Assert.True(built.ExitCode == 0, built.Output);
        Assert.Contains($"registered {name} version 1", built.Output);
        var published = a.Run(["publish", a.ProjectFile, "-nologo", "-v:n"], environment: env);
        Assert.True(published.ExitCode == 0, published.Output);
        Assert.Contains(a.PublishManifest().GetProperty("pushed").EnumerateArray(),
            p => p.GetProperty("reference").GetString()!.StartsWith($"{registry.Address}/mlenv/{name}:", StringComparison.Ordinal));

        var storeB = Directory.CreateTempSubdirectory("mlenv-store-b-").FullName;
        try
        {
            var b = New("tls-registry-b").Property("MlEnvStore", storeB).Property("MlEnvRegistry", registry.Address).Property("MlEnvBuildImage", "false")
                .Item("MlEnvReference", name, ("Version", "1"));
            var listFile = Path.Combine(b.Directory, "list.json");
            var list = b.Run(["build", b.ProjectFile, "-nologo", "-v:n", "-t:MlEnvList", "-p:MlEnvOutputFormat=json", $"-p:MlEnvOutputFile={listFile}"], environment: env);
            Assert.True(list.ExitCode == 0, list.Output);
            var entry = Assert.Single(JsonDocument.Parse(File.ReadAllText(listFile)).RootElement.EnumerateArray(), e => e.GetProperty("name").GetString() == name);
            Assert.Equal(HashOf(a), entry.GetProperty("hash").GetString());

            var referenced = b.Run(["build", b.ProjectFile, "-nologo", "-v:n"], environment: env);
            Assert.True(referenced.ExitCode == 0, referenced.Output);
            Assert.Equal(HashOf(a), HashOf(b));

            // Without the CA, MlEnv does not fall back to plain HTTP or to trusting anything: a coded error.
            var noCa = new Dictionary<string, string> { ["MLENV_DOCKER_CERTS_D"] = Path.Combine(storeB, "no-certs") };
            var refused = b.Run(["build", b.ProjectFile, "-nologo", "-v:n", "-t:MlEnvList"], environment: noCa);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("error MLENV3007", refused.Output);
            Assert.Contains("SSL", refused.Output);
            Assert.Contains(registry.Address, refused.Output);
            Assert.DoesNotContain("MSB4018", refused.Output);
        }
        finally
        {
            Directory.Delete(storeB, recursive: true);
        }
    }
}
