using MlEnv.EndToEndTests.Infrastructure;

namespace MlEnv.EndToEndTests;

/// <summary>
/// Runs only with a conda-capable base image (MLENV_TEST_CONDA_BASE_IMAGE, e.g. a micromamba image loaded into the
/// engine): no conda or micromamba can run on this project's machines, and conda is never faked.
/// </summary>
public sealed class CondaFactAttribute : FactAttribute
{
    public static string? Image => Environment.GetEnvironmentVariable("MLENV_TEST_CONDA_BASE_IMAGE") is { Length: > 0 } i ? i : null;

    public CondaFactAttribute()
    {
        if (Image is null) Skip = "No conda-capable base image: set MLENV_TEST_CONDA_BASE_IMAGE to a micromamba image on the engine.";
    }
}

public sealed class CondaTests(SdkPackage sdk) : EndToEndTest(sdk)
{
    [CondaFact]
    public void ACondaEnvironmentBuildsAndImportsItsPackages()
    {
        var p = New("conda-env")
            .Property("MlEnvBaseImage", CondaFactAttribute.Image!)
            .Property("MlEnvPythonVersion", "3.11")
            .Item("MlEnvCondaChannel", "conda-forge")
            .Item("MlEnvCondaPackage", "numpy", ("Version", "1.26"));
        var result = p.Build();
        Assert.True(result.ExitCode == 0, result.Output);
        var image = File.ReadAllText(p.Obj("definition.sha256")).Trim()[..12];
        var output = BuildTests.Docker("run", "--rm", $"mlenv/conda-env:{image}", "python", "-c", "import numpy, sys; print(numpy.__version__, sys.version_info[:2])");
        Assert.StartsWith("1.26.", output.Trim());
    }
}
