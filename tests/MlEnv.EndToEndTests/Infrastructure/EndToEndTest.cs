namespace MlEnv.EndToEndTests.Infrastructure;

/// <summary>
/// Base of the Docker test classes: projects made here and every image the run labelled are removed when the test
/// ends, so runs don't fill the disk.
/// </summary>
[Collection("docker")]
public abstract class EndToEndTest(SdkPackage sdk) : IDisposable
{
    private readonly List<TestProject> projects = [];
    protected SdkPackage Sdk { get; } = sdk;
    protected Images Images { get; } = new(sdk.RunId);

    protected TestProject New(string name, TestProject.Style style = TestProject.Style.Standalone, string? root = null)
    {
        var p = TestProject.Create(Sdk, name, style, root);
        projects.Add(p);
        return p;
    }

    protected static string HashOf(TestProject p) => File.ReadAllText(p.Obj("definition.sha256")).Trim();

    public virtual void Dispose()
    {
        foreach (var p in projects) p.Dispose();
        Images.Dispose();
        GC.SuppressFinalize(this);
    }
}
