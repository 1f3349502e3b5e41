using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MlEnv.Definition;
using MlEnv.Diagnostics;
using MlEnv.Engine;
using MlEnv.Generation;
using MlEnv.Specs;

namespace MlEnv.Store;

/// <summary>
/// A folder holding definition.json — a download, or a project's obj/…/mlenv — read as something to register: its
/// canonical bytes checked against definition.sha256, its name, its wheels checked against the SHA-256 the definition
/// names, and (for a download) its generated files made again, which must give the same hash.
/// </summary>
public static class DefinitionFolder
{
    private const long MaxDefinitionBytes = 64 * 1024 * 1024;

    public sealed record Folder(string Canonical, string Hash, string Name, Diagnostic? Problem);

    /// <summary>definition.json (checked against definition.sha256 when present) and the name: --name, else mlenv.json's.</summary>
    public static Folder? Read(string folder, string? name)
    {
        string canonical;
        var file = Path.Combine(folder, GeneratedEnvironment.DefinitionFile);
        // A regular file only (a FIFO would wait, /dev/zero never end), read up to the limit.
        if (InputFiles.Problem(file) is { } notAFile) return Fail(notAFile);
        try
        {
            if (InputFiles.ReadBytesCapped(file, MaxDefinitionBytes) is not { } bytes) return Fail(DiagnosticCatalog.ToolFolderUnreadable.Create(folder, $"{file} is larger than 64 MiB"));
            canonical = new System.Text.UTF8Encoding(false, true).GetString(bytes).TrimEnd('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return Fail(DiagnosticCatalog.ToolFolderUnreadable.Create(folder, EngineText.Clean(e.Message)));
        }
        try
        {
            // Its values reach generated files (and, with --build, an image): the builder's rules apply to them again.
            if (DefinitionCheck.Problem(CanonicalReader.Read(canonical, "check", (f, _) => f)) is { } why)
                return Fail(DiagnosticCatalog.ToolInvalidDefinition.Create(file, why));
        }
        catch (System.Text.Json.JsonException e)
        {
            // Where, not what: the text may be any file's (a link to a secret), and the parser's message quotes it.
            return Fail(DiagnosticCatalog.ToolInvalidDefinition.Create(file, $"it is not JSON (line {e.LineNumber + 1})"));
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or ArgumentException or FormatException or KeyNotFoundException)
        {
            return Fail(DiagnosticCatalog.ToolInvalidDefinition.Create(file, "it is not a definition MlEnv writes"));
        }
        var hash = CanonicalJson.HashOf(canonical);
        var hashFile = Path.Combine(folder, GeneratedEnvironment.HashFile);
        if (File.Exists(hashFile) && File.ReadAllText(hashFile).Trim() is var recorded && recorded != hash)
            return Fail(DiagnosticCatalog.ToolInvalidDefinition.Create(file, $"its bytes hash to {hash[..12]}, and {GeneratedEnvironment.HashFile} says {TextRules.Visible(recorded[..Math.Min(12, recorded.Length)])}: it was edited"));
        name ??= ManifestName(folder);
        if (name is null) return Fail(DiagnosticCatalog.ToolNameUnknown.Create(folder));
        if (!DefinitionBuilder.IsValidEnvironmentName(name)) return Fail(DiagnosticCatalog.InvalidName.Create(TextRules.Visible(name)));
        return new Folder(canonical, hash, name, null);

        static Folder Fail(Diagnostic d) => new("", "", "", d);
    }

    /// <summary>A project's obj/.../mlenv folder holds mlenv.json once an image was built; its name is the environment's.</summary>
    private static string? ManifestName(string folder)
    {
        try
        {
            var manifest = Path.Combine(folder, "mlenv.json");
            return File.Exists(manifest) ? JsonNode.Parse(File.ReadAllText(manifest))?["name"]?.GetValue<string>() : null;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The definition's wheels: from context.txt (a project's folder) or wheels/ (a download), each checked against the
    /// SHA-256 the definition names; one already in the store may be absent.
    /// </summary>
    public static IReadOnlyList<ContextFile>? Wheels(string folder, EnvironmentDefinition definition, EnvironmentStore local, out Diagnostic? problem)
    {
        problem = null;
        // context.txt names where a project's wheels are: only a wheel the definition names, with its SHA-256, is taken
        // from there; any other line is ignored.
        var listed = new Dictionary<string, string>(StringComparer.Ordinal);
        var contextList = Path.Combine(folder, GeneratedEnvironment.ContextListFile);
        if (InputFiles.Problem(contextList) is null && InputFiles.ReadBytesCapped(contextList, 1 << 20) is { } listBytes)
            foreach (var line in System.Text.Encoding.UTF8.GetString(listBytes).Split('\n'))
                if (line.Split('\t', 2) is [var entry, var source] && entry.StartsWith("wheels/", StringComparison.Ordinal))
                    listed.TryAdd(entry["wheels/".Length..], source);
        var wheels = new List<ContextFile>();
        foreach (var wheel in definition.Wheels)
        {
            var source = listed.GetValueOrDefault(wheel.FileName) ?? Path.Combine(folder, "wheels", wheel.FileName);
            if (!File.Exists(source) || InputFiles.Problem(source) is not null)
            {
                if (File.Exists(local.WheelPath(wheel.FileName, wheel.Sha256))) continue;
                problem = DiagnosticCatalog.ToolWheelMismatch.Create(wheel.FileName, folder, "the file is missing, and the store does not have it");
                return null;
            }
            using (var stream = File.OpenRead(source))
            {
                var sha = Convert.ToHexStringLower(SHA256.HashData(stream));
                if (sha != wheel.Sha256)
                {
                    problem = DiagnosticCatalog.ToolWheelMismatch.Create(wheel.FileName, folder, $"its SHA-256 is {sha[..12]}, the definition names {wheel.Sha256[..12]}");
                    return null;
                }
            }
            wheels.Add(ContextFile.FromDisk("wheels/" + wheel.FileName, source));
        }
        return wheels;
    }

    /// <summary>The generated files of a definition (its wheels from the store), or why they cannot be made with its hash.</summary>
    public static Diagnostic? Regenerate(EnvironmentDefinition definition, string hash, string directory)
    {
        if (definition.Base.Image is null)
            return DiagnosticCatalog.ToolInvalidDefinition.Create(definition.Name, "it starts from a base Dockerfile whose text a definition does not hold: register it from its project");
        var generated = GeneratedEnvironment.Write(definition, directory);
        return generated.Hash == hash ? null
            : DiagnosticCatalog.ToolInvalidDefinition.Create(definition.Name, $"generated again, it hashes to {generated.Hash[..12]}, not {hash[..12]}");
    }
}
