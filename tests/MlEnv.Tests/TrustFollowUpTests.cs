using System.Diagnostics;
using MlEnv.Definition;
using MlEnv.Engine;
using MlEnv.Generation;
using MlEnv.Specs;

namespace MlEnv.Tests;

/// <summary>What an attacker's pass over the trust fixes still found: each case here broke before its fix.</summary>
public class TrustFollowUpTests
{
    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/null")]
    public void AModelThatIsADeviceIsRefusedWithoutBeingRead(string device)
    {
        var diagnostics = new List<MlEnv.Diagnostics.Diagnostic>();
        var models = ServiceGenerator.ExpandModels([device], diagnostics);
        Assert.Empty(models);
        Assert.Equal("MLENV1050", Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void AFifoInsideAModelFolderIsRefusedAndRegularFilesStay()
    {
        using var dir = new TempDir();
        dir.Write("model/weights.bin", "w");
        var fifo = Path.Combine(dir.Path, "model", "pipe");
        using (var mkfifo = Process.Start("mkfifo", [fifo])) mkfifo.WaitForExit();
        var diagnostics = new List<MlEnv.Diagnostics.Diagnostic>();
        var models = ServiceGenerator.ExpandModels([Path.Combine(dir.Path, "model")], diagnostics);
        Assert.Equal("model/model/weights.bin", Assert.Single(models).ContextPath);
        Assert.Equal("MLENV1050", Assert.Single(diagnostics).Code);
    }

    [Theory]
    [InlineData("u7", "@ https://host/u7.zip")]
    [InlineData("u7 @ https://host/u7.zip", null)]
    public void AUrlRequirementItemTakesItsMarkersMetadata(string name, string? version)
    {
        var inputs = Defs.Inputs();
        inputs.PipPackages.Add(Defs.Pip(name, version, markers: "os_name == 'posix'"));
        var definition = Defs.Build(inputs);
        Assert.Equal("u7 @ https://host/u7.zip ; os_name == \"posix\"", Assert.Single(definition.PipPackages).Requirement);
    }

    [Theory]
    [InlineData("no-such-env\n", "*", "MLENV1020")]
    [InlineData("Bad Name", "*", "MLENV1020")]
    [InlineData("demo", "[bad", "MLENV1035")]
    public void AReferenceWithAnInvalidNameOrRangeSaysSoInsteadOfListingTheStore(string name, string range, string code)
    {
        using var dir = new TempDir();
        var store = new EnvironmentStore(Path.Combine(dir.Path, "store"));
        Assert.Null(store.Find(name, range, out var error));
        Assert.Equal(code, error!.Code);
        Assert.DoesNotContain('\n', error.Message);
    }
}
