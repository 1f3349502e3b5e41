using MlEnv.Definition;
using MlEnv.Diagnostics;
using MlEnv.Specs;

namespace MlEnv.Tests;

/// <summary>A temporary directory removed when the test ends.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("mlenv-test-").FullName;

    public string Write(string relative, string text)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
        return full;
    }

    public string WriteBytes(string relative, byte[] bytes)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, bytes);
        return full;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

internal static class Defs
{
    public static DefinitionInputs Inputs(string name = "demo") => new()
    {
        Name = name,
        Project = new SourceLocation("/proj/demo.csproj"),
        BaseImage = "debian:bookworm-slim",
    };

    public static EnvironmentDefinition Build(DefinitionInputs inputs)
    {
        var result = DefinitionBuilder.Build(inputs);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        return result.Definition!;
    }

    public static IReadOnlyList<Diagnostic> Errors(DefinitionInputs inputs)
    {
        var result = DefinitionBuilder.Build(inputs);
        Assert.False(result.Success);
        return result.Diagnostics.Where(d => d.IsError).ToList();
    }

    public static string Hash(DefinitionInputs inputs) => CanonicalJson.Hash(Build(inputs));

    public static PipPackageItem Pip(string name, string? version = null, string? extras = null, string? markers = null) =>
        new(name, version, extras, markers, new SourceLocation("/proj/demo.csproj"));

    public static AptPackageItem Apt(string name, string? version = null) => new(name, version, new SourceLocation("/proj/demo.csproj"));
}

/// <summary>The bytes of a small, deterministic zip archive: what a wheel must at least be to pass resolution.</summary>
internal static class TestZip
{
    public static byte[] Of(params byte[] content)
    {
        using var memory = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(memory, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            var entry = zip.CreateEntry("pkg-1.0.dist-info/WHEEL", System.IO.Compression.CompressionLevel.NoCompression);
            entry.LastWriteTime = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
            using var stream = entry.Open();
            stream.Write(content);
        }
        return memory.ToArray();
    }
}
