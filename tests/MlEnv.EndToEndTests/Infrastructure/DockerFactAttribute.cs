using MlEnv.Engine;

namespace MlEnv.EndToEndTests.Infrastructure;

/// <summary>
/// A test that needs a Docker engine. Without one it is skipped with the reason, unless MLENV_REQUIRE_DOCKER=1
/// (as .ci/run sets), where it runs and fails: CI never passes for want of an engine.
/// </summary>
public sealed class DockerFactAttribute : FactAttribute
{
    public DockerFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("MLENV_REQUIRE_DOCKER") == "1") return;
        if (Availability.Value is { } reason) Skip = reason;
    }

    private static readonly Lazy<string?> Availability = new(() =>
    {
        var endpoint = DockerEngine.ResolveEndpoint(null);
        try
        {
            using var engine = new DockerEngine(endpoint);
            engine.PingAsync(CancellationToken.None).GetAwaiter().GetResult();
            return engine.InspectAsync(TestEnvironment.BaseImage, CancellationToken.None).GetAwaiter().GetResult() is null
                ? $"The base image {TestEnvironment.BaseImage} is missing: run eng/prepare-engine.sh."
                : null;
        }
        catch (Exception e)
        {
            return $"No Docker engine at {endpoint} ({e.Message}): run eng/prepare-engine.sh, or set MLENV_REQUIRE_DOCKER=1 to fail instead.";
        }
    });
}

public static class TestEnvironment
{
    /// <summary>The offline-made image the tests build FROM (eng/prepare-engine.sh makes it).</summary>
    public static string BaseImage => Environment.GetEnvironmentVariable("MLENV_TEST_BASE_IMAGE") is { Length: > 0 } image ? image : "mlenv-test/bookworm-python:1";
}
