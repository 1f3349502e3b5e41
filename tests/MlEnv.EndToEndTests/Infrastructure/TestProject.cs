using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;

namespace MlEnv.EndToEndTests.Infrastructure;

/// <summary>
/// A small fluent project-creation helper (MSBuild.ProjectCreation is not available here): a temp directory with a
/// project file, nuget.config pointing at the test feed, global.json, wheels the test makes, and `dotnet` runs.
/// </summary>
public sealed class TestProject : IDisposable
{
    private readonly SdkPackage sdk;
    private readonly XElement project;
    private readonly List<(string Path, string Text)> extraFiles = [];
    public string Directory { get; }
    public string Name { get; }
    public string ProjectFile => Path.Combine(Directory, Name + ".csproj");

    private readonly Style style;

    private TestProject(SdkPackage sdk, string directory, string name, XElement project, Style style)
    {
        this.style = style;
        this.sdk = sdk;
        Directory = directory;
        Name = name;
        this.project = project;
    }

    public enum Style { Standalone, Additive, PinnedInGlobalJson }

    /// <summary>A project whose environment carries the run's label, so tests never reuse an earlier run's images.</summary>
    public static TestProject Create(SdkPackage sdk, string name, Style style = Style.Standalone, string? root = null)
    {
        var dir = root is null ? System.IO.Directory.CreateTempSubdirectory("mlenv-proj-").FullName : Path.Combine(root, name);
        System.IO.Directory.CreateDirectory(dir);
        var element = style switch
        {
            Style.Standalone => new XElement("Project", new XAttribute("Sdk", $"MlEnv.Sdk/{sdk.Version}")),
            Style.PinnedInGlobalJson => new XElement("Project", new XAttribute("Sdk", "MlEnv.Sdk")),
            _ => new XElement("Project", new XAttribute("Sdk", "Microsoft.NET.Sdk"),
                new XElement("Sdk", new XAttribute("Name", "MlEnv.Sdk"), new XAttribute("Version", sdk.Version)),
                new XElement("PropertyGroup", new XElement("OutputType", "Exe"), new XElement("TargetFramework", "net10.0"))),
        };
        var p = new TestProject(sdk, dir, name, element, style);
        p.Property("MlEnvBaseImage", TestEnvironment.BaseImage)
         .Property("MlEnvStore", sdk.Store)
         .Label("org.mlenv-test.run", sdk.RunId);
        if (style == Style.Additive) p.File("Program.cs", "System.Console.WriteLine(\"hi\");\n");
        p.WriteSupportFiles(dir, style);
        return p;
    }

    private void WriteSupportFiles(string dir, Style style)
    {
        System.IO.File.WriteAllText(Path.Combine(dir, "nuget.config"), sdk.NuGetConfig);
        var sdks = style == Style.PinnedInGlobalJson ? $", \"msbuild-sdks\": {{ \"MlEnv.Sdk\": \"{sdk.Version}\" }}" : "";
        System.IO.File.WriteAllText(Path.Combine(dir, "global.json"), $"{{ \"sdk\": {{ \"version\": \"10.0.100\", \"rollForward\": \"latestFeature\" }}{sdks} }}");
    }

    public TestProject Property(string name, string value)
    {
        var group = project.Elements("PropertyGroup").LastOrDefault() ?? Add(new XElement("PropertyGroup"));
        group.Elements(name).Remove();
        group.Add(new XElement(name, value));
        return this;
    }

    /// <summary>A PropertyGroup that applies only when the condition holds (e.g. to one target framework).</summary>
    public TestProject ConditionalProperties(string condition, params (string Name, string Value)[] properties)
    {
        project.Add(new XElement("PropertyGroup", new XAttribute("Condition", condition), properties.Select(p => new XElement(p.Name, p.Value))));
        return this;
    }

    public TestProject RemoveProperty(string name)
    {
        foreach (var group in project.Elements("PropertyGroup")) group.Elements(name).Remove();
        return this;
    }

    public TestProject RemoveItems(string type)
    {
        foreach (var group in project.Elements("ItemGroup")) group.Elements(type).Remove();
        return this;
    }

    public TestProject Item(string type, string include, params (string Name, string Value)[] metadata)
    {
        var group = project.Elements("ItemGroup").LastOrDefault() ?? Add(new XElement("ItemGroup"));
        group.Add(new XElement(type, new XAttribute("Include", include), metadata.Select(m => new XAttribute(m.Name, m.Value))));
        return this;
    }

    /// <summary>An &lt;Import&gt; of a file of the project's own (items it defines name that file in diagnostics).</summary>
    public TestProject Import(string relative)
    {
        project.Add(new XElement("Import", new XAttribute("Project", relative)));
        return this;
    }

    public TestProject Label(string name, string value) => Item("MlEnvLabel", name, ("Value", value));

    public TestProject File(string relative, string text)
    {
        var full = Path.Combine(Directory, relative);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllText(full, text);
        return this;
    }

    /// <summary>Writes a pure-Python wheel (METADATA, WHEEL, RECORD and one module) and adds it as MlEnvPipWheel.</summary>
    public TestProject Wheel(string name, string version, string? moduleSource = null, bool addItem = true)
    {
        var path = Path.Combine(Directory, "wheels", Wheels.FileName(name, version));
        Wheels.Write(path, name, version, moduleSource);
        return addItem ? Item("MlEnvPipWheel", Path.Combine("wheels", Path.GetFileName(path))) : this;
    }

    private XElement Add(XElement e) { project.Add(e); return e; }

    public TestProject Save()
    {
        // Unchanged text keeps its timestamp, as an unedited project file would: incremental builds depend on it.
        var text = project.ToString();
        if (!System.IO.File.Exists(ProjectFile) || System.IO.File.ReadAllText(ProjectFile) != text) System.IO.File.WriteAllText(ProjectFile, text);
        return this;
    }

    public DotnetResult Build(params string[] args) => Run(["build", ProjectFile, "-nologo", "-v:n", .. args]);

    /// <summary>
    /// `dotnet build` that also returns the MlEnvImage item MlEnvBuild produced (MSBuild's -getTargetResult), so tests
    /// assert on its Reused and UpToDate metadata rather than on log text. MSBuild prints only the JSON then.
    /// </summary>
    public (DotnetResult Result, IReadOnlyDictionary<string, string>? Image) BuildImage(params string[] args)
    {
        var result = Run(["build", ProjectFile, "-nologo", "-t:Build", "-getTargetResult:MlEnvBuild", .. args]);
        var start = result.Output.IndexOf("{\n  \"TargetResults\"", StringComparison.Ordinal);
        if (start < 0) start = result.Output.IndexOf('{');
        if (start < 0) return (result, null);
        using var json = System.Text.Json.JsonDocument.Parse(result.Output[start..]);
        var items = json.RootElement.GetProperty("TargetResults").GetProperty("MlEnvBuild").GetProperty("Items");
        var image = items.GetArrayLength() == 0 ? null
            : items[0].EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
        return (result, image);
    }

    public DotnetResult Run(IEnumerable<string> args, TimeSpan? timeout = null, Action<System.Diagnostics.Process, string>? onLine = null, IDictionary<string, string>? environment = null)
    {
        Save();
        var env = new Dictionary<string, string> { ["NUGET_PACKAGES"] = sdk.PackagesFolder };
        if (environment is not null) foreach (var (k, v) in environment) env[k] = v;
        return Dotnet.Run(Directory, args, env, timeout, onLine);
    }

    public DotnetResult Publish(params string[] args) => Run(["publish", ProjectFile, "-nologo", "-v:n", .. args]);

    /// <summary>Copies a file or folder from the repository (a sample's files) into the project.</summary>
    public TestProject CopyFromRepo(string relative, string? target = null)
    {
        var source = Path.Combine(SdkPackage.RepoRoot(), relative);
        var destination = Path.Combine(Directory, target ?? Path.GetFileName(relative));
        if (System.IO.File.Exists(source)) { System.IO.Directory.CreateDirectory(Path.GetDirectoryName(destination)!); System.IO.File.Copy(source, destination, overwrite: true); }
        else
            foreach (var file in System.IO.Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                var to = Path.Combine(destination, Path.GetRelativePath(source, file));
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                System.IO.File.Copy(file, to, overwrite: true);
            }
        return this;
    }

    /// <summary>The publish directory's mlenv.json.</summary>
    public System.Text.Json.JsonElement PublishManifest() => System.Text.Json.JsonDocument.Parse(System.IO.File.ReadAllText(style == Style.Additive
        ? Path.Combine(Directory, "bin", "Debug", "net10.0", "publish", "mlenv.json")
        : Path.Combine(Directory, "bin", "Debug", "publish", "mlenv.json"))).RootElement;

    public string PublishDirectory => style == Style.Additive
        ? Path.Combine(Directory, "bin", "Debug", "net10.0", "publish")
        : Path.Combine(Directory, "bin", "Debug", "publish");

    /// <summary>A file MlEnv writes under $(IntermediateOutputPath)mlenv/.</summary>
    public string Obj(string file) => style == Style.Additive
        ? Path.Combine(Directory, "obj", "Debug", "net10.0", "mlenv", file)
        : Path.Combine(Directory, "obj", "Debug", "mlenv", file);

    /// <summary>The copy of mlenv.json in $(OutDir).</summary>
    public string OutputManifest => style == Style.Additive
        ? Path.Combine(Directory, "bin", "Debug", "net10.0", "mlenv.json")
        : Path.Combine(Directory, "bin", "Debug", "mlenv.json");

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

public static class Wheels
{
    public static string FileName(string name, string version) => $"{name.Replace('-', '_')}-{version}-py3-none-any.whl";

    public static void Write(string path, string name, string version, string? moduleSource = null)
    {
        var module = name.Replace('-', '_').ToLowerInvariant();
        var dist = $"{module}-{version}";
        var files = new Dictionary<string, byte[]>
        {
            [$"{module}/__init__.py"] = Encoding.UTF8.GetBytes(moduleSource ?? $"VERSION = \"{version}\"\n"),
            [$"{dist}.dist-info/METADATA"] = Encoding.UTF8.GetBytes($"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"),
            [$"{dist}.dist-info/WHEEL"] = Encoding.UTF8.GetBytes("Wheel-Version: 1.0\nGenerator: mlenv-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
        };
        var record = files.Select(f => $"{f.Key},sha256={Convert.ToBase64String(SHA256.HashData(f.Value)).TrimEnd('=').Replace('+', '-').Replace('/', '_')},{f.Value.Length}")
            .Append($"{dist}.dist-info/RECORD,,");
        files[$"{dist}.dist-info/RECORD"] = Encoding.UTF8.GetBytes(string.Join("\n", record) + "\n");
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.Delete(path);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (entry, bytes) in files)
        {
            var e = zip.CreateEntry(entry);
            e.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
            using var s = e.Open();
            s.Write(bytes);
        }
    }
}
