namespace MlEnv.EndToEndTests.Infrastructure;

/// <summary>
/// Packs src/MlEnv.Templates once per test class under the run's SDK version (so the templates' default
/// --sdk-version is the MlEnv.Sdk in the run's feed) and installs it into a template cache of its own: DOTNET_CLI_HOME
/// points `dotnet new` at a folder this fixture made, so the user's installed templates are never read or changed and
/// no run sees another's. Uninstalls and deletes it all at the end.
/// </summary>
public sealed class TemplatePackage : IDisposable
{
    public const string PackageId = "MlEnv.Templates";
    private readonly Lock gate = new();
    private readonly string root = Directory.CreateTempSubdirectory("mlenv-templates-").FullName;
    private string? nupkg;

    public string CliHome => Path.Combine(root, "cli-home");
    public string Nupkg => nupkg ?? throw new InvalidOperationException("The template package is not installed yet.");

    /// <summary>Packs and installs on the first call; later calls reuse it.</summary>
    public void EnsureInstalled(SdkPackage sdk)
    {
        lock (gate)
        {
            if (nupkg is not null) return;
            var feed = Path.Combine(root, "feed");
            var repo = SdkPackage.RepoRoot();
            var pack = Dotnet.Run(repo, ["pack", Path.Combine(repo, "src", "MlEnv.Templates", "MlEnv.Templates.csproj"), "-c", "Release", "-o", feed, $"-p:Version={sdk.Version}", "-nologo"], null);
            var path = Path.Combine(feed, $"{PackageId}.{sdk.Version}.nupkg");
            if (pack.ExitCode != 0 || !File.Exists(path)) throw new InvalidOperationException("dotnet pack of the templates failed:\n" + pack.Output);
            var install = New(root, "install", path);
            if (install.ExitCode != 0) throw new InvalidOperationException("dotnet new install failed:\n" + install.Output);
            nupkg = path;
        }
    }

    /// <summary>`dotnet new ...` against this fixture's template cache only.</summary>
    public DotnetResult New(string workingDirectory, params string[] args) =>
        Dotnet.Run(workingDirectory, ["new", .. args], new Dictionary<string, string> { ["DOTNET_CLI_HOME"] = CliHome }, TimeSpan.FromMinutes(3));

    public void Dispose()
    {
        if (nupkg is not null) New(root, "uninstall", PackageId);
        try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
