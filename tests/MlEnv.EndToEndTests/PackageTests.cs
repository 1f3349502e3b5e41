using System.IO.Compression;
using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

[Collection("docker")]
public sealed class PackageTests(SdkPackage sdk)
{
    [Fact]
    public void ThePackageHoldsTheSdkFilesAndEveryDependencyBesideTheTaskAssembly()
    {
        using var zip = ZipFile.OpenRead(sdk.Nupkg);
        var entries = zip.Entries.Select(e => e.FullName).Where(n => !n.StartsWith("package/") && !n.StartsWith("_rels/") && n != "[Content_Types].xml")
            .Order(StringComparer.Ordinal).ToList();
        string[] expected =
        [
            "MlEnv.Sdk.nuspec",
            "Sdk/Sdk.props",
            "Sdk/Sdk.targets",
            "build/MlEnv.Definition.targets",
            "build/MlEnv.DesignTime.targets",
            "build/MlEnv.Image.targets",
            "build/MlEnv.Publish.targets",
            "build/MlEnv.Run.targets",
            "build/MlEnv.Sdk.props",
            "build/MlEnv.Sdk.targets",
            "build/MlEnv.Standalone.targets",
            "build/MlEnv.Store.targets",
            "build/curated/mlenv-minimal.json",
            "build/curated/mlenv-tutorial.json",
            "build/scoring/mlenv_score_server.py",
            "tools/net10.0/Docker.DotNet.Handler.Abstractions.dll",
            "tools/net10.0/Docker.DotNet.LegacyHttp.dll",
            "tools/net10.0/Docker.DotNet.NPipe.dll",
            "tools/net10.0/Docker.DotNet.NativeHttp.dll",
            "tools/net10.0/Docker.DotNet.Unix.dll",
            "tools/net10.0/Docker.DotNet.X509.dll",
            "tools/net10.0/Docker.DotNet.dll",
            "tools/net10.0/Microsoft.Extensions.DependencyInjection.Abstractions.dll",
            "tools/net10.0/Microsoft.Extensions.Logging.Abstractions.dll",
            "tools/net10.0/Microsoft.Net.Http.Client.dll",
            "tools/net10.0/MlEnv.Core.dll",
            "tools/net10.0/MlEnv.Tasks.deps.json",
            "tools/net10.0/MlEnv.Tasks.dll",
            "tools/net10.0/NuGet.Versioning.dll",
            "tools/net10.0/YamlDotNet.dll",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), entries);
        // MSBuild provides its own assemblies: shipping them would load a second copy.
        Assert.DoesNotContain(entries, e => e.Contains("Microsoft.Build", StringComparison.Ordinal));
        var nuspec = new StreamReader(zip.GetEntry("MlEnv.Sdk.nuspec")!.Open()).ReadToEnd();
        Assert.Contains("<packageType name=\"MSBuildSdk\" />", nuspec);
        Assert.DoesNotContain("<dependency ", nuspec);
    }

    [Fact]
    public void TheTasksLoadTheShippedNuGetVersioningNotTheSdksOlderCopy()
    {
        using var p = TestProject.Create(sdk, "loadcontext").Property("MlEnvBuildImage", "false");
        var result = p.Build("-v:d");
        Assert.True(result.ExitCode == 0, result.Output);
        var line = result.Output.Split('\n').Single(l => l.Contains("MlEnv: NuGet.Versioning ", StringComparison.Ordinal));
        Assert.Contains(Path.Combine(sdk.PackagesFolder, "mlenv.sdk", sdk.Version.ToLowerInvariant(), "tools", "net10.0", "NuGet.Versioning.dll"), line);
        Assert.Contains("NuGet.Versioning 8.0.0", line);
        // The core library the tasks adapt is the package's copy too.
        var core = result.Output.Split('\n').Single(l => l.Contains("MlEnv: MlEnv.Core ", StringComparison.Ordinal));
        Assert.Contains(Path.Combine(sdk.PackagesFolder, "mlenv.sdk", sdk.Version.ToLowerInvariant(), "tools", "net10.0", "MlEnv.Core.dll"), core);
    }
}
