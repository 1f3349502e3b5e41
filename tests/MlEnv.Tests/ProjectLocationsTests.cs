using MlEnv.Tasks;

namespace MlEnv.Tests;

/// <summary>Item and property diagnostics name the user's file and the line that wrote the item or property.</summary>
public sealed class ProjectLocationsTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("mlenv-locations-").FullName;

    private string Write(string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private const string Project = """
        <Project Sdk="MlEnv.Sdk/0.1.0">
          <PropertyGroup>
            <MlEnvRegister>true</MlEnvRegister>
          </PropertyGroup>
          <PropertyGroup>
            <mlenvregister>banana</mlenvregister>
          </PropertyGroup>
          <ItemGroup>
            <MlEnvAptPackage Include="libgomp1;Bad%20Name" />
            <MlEnvPipPackage Include="requests" Version="2" />
            <MlEnvPipWheel Include="wheels/*.whl" />
          </ItemGroup>
        </Project>
        """;

    [Fact]
    public void AnItemPointsAtItsElementInTheDefiningFile()
    {
        var project = Write("app.csproj", Project);
        var at = new ProjectLocations().Item(project, "/elsewhere/fallback.csproj", "MlEnvAptPackage", "Bad Name");
        Assert.Equal((project, 9, 6), (at.File, at.Line, at.Column));
        var pip = new ProjectLocations().Item(project, project, "MlEnvPipPackage", "requests");
        Assert.Equal(10, pip.Line);
    }

    [Fact]
    public void AWildcardItemPointsAtTheOnlyElementOfItsType()
    {
        var project = Write("app.csproj", Project);
        Assert.Equal(11, new ProjectLocations().Item(project, project, "MlEnvPipWheel", "wheels/a-1.0-py3-none-any.whl").Line);
    }

    [Fact]
    public void AnItemFromAnImportedFileNamesThatFile()
    {
        var props = Write("Directory.Build.props", "<Project>\n  <ItemGroup>\n    <MlEnvVariable Include=\"FOO\" Value=\"1\" />\n  </ItemGroup>\n</Project>\n");
        var project = Write("app.csproj", Project);
        var at = new ProjectLocations().Item(props, project, "MlEnvVariable", "FOO");
        Assert.Equal((props, 3), (at.File, at.Line));
    }

    [Fact]
    public void AnItemMlEnvsOwnTargetsDefineNamesTheProject()
    {
        var project = Write("app.csproj", Project);
        var targets = Write("MlEnv.Sdk.targets", "<Project><ItemGroup><MlEnvLabel Include=\"x\" /></ItemGroup></Project>");
        var at = new ProjectLocations().Item(targets, project, "MlEnvLabel", "x");
        Assert.Equal(project, at.File);
    }

    [Fact]
    public void AnUnknownItemOrUnreadableFileStillNamesTheFile()
    {
        var project = Write("app.csproj", Project);
        var none = new ProjectLocations().Item(project, project, "MlEnvLabel", "missing");
        Assert.Equal((project, 0), (none.File, none.Line));
        var broken = Write("broken.csproj", "<Project><ItemGroup>");
        Assert.Equal((broken, 0), (new ProjectLocations().Item(broken, project, "MlEnvLabel", "x").File, 0));
    }

    [Fact]
    public void APropertyPointsAtTheLastElementThatSetsItUnlessGlobal()
    {
        var project = Write("app.csproj", Project);
        var locations = new ProjectLocations();
        Assert.Equal(6, locations.Property(project, "MlEnvRegister", isGlobal: false).Line);
        Assert.Equal(0, locations.Property(project, "MlEnvRegister", isGlobal: true).Line);
        Assert.Equal(0, locations.Property(project, "MlEnvShmSize", isGlobal: false).Line);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
