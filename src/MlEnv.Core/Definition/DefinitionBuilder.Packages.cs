using System.Security.Cryptography;
using System.Text.RegularExpressions;
using MlEnv.Diagnostics;
using MlEnv.Specs;

namespace MlEnv.Definition;

/// <summary>The sections beside conda and pip: private wheels, Debian packages, environment variables and labels.</summary>
public static partial class DefinitionBuilder
{
    /// <summary>Private wheels, identified by name and bytes.</summary>
    private static List<WheelFile> Wheels(Context c)
    {
        var wheels = new List<WheelFile>();
        foreach (var path in c.Inputs.PipWheels)
        {
            var fileName = Path.GetFileName(path);
            var at = c.Project;
            if (!WheelName().IsMatch(fileName)) { c.Report(DiagnosticCatalog.InvalidWheel.Create(TextRules.Visible(path), "not a wheel file name (name-version-python-abi-platform.whl)"), at); continue; }
            if (InputFiles.Problem(path) is { } notAFile) { c.Report(notAFile, at); continue; }
            c.ReadFiles.Add(Path.GetFullPath(path));
            if (WheelArchive.Problem(path) is { } notAZip) { c.Report(DiagnosticCatalog.InvalidWheel.Create(path, notAZip), at); continue; }
            string sha;
            long size;
            using (var stream = File.OpenRead(path))
            {
                sha = Convert.ToHexStringLower(SHA256.HashData(stream));
                size = stream.Length;
            }
            var wheel = new WheelFile(fileName, sha, size, Path.GetFullPath(path));
            var same = wheels.FirstOrDefault(w => w.FileName == fileName);
            if (same is null) wheels.Add(wheel);
            else if (same.Sha256 != sha) c.Report(DiagnosticCatalog.ConflictingSpecs.Create(fileName, same.SourcePath, wheel.SourcePath), at);
        }
        wheels.Sort((a, b) => string.CompareOrdinal(a.FileName, b.FileName));
        return wheels;
    }

    private static List<AptPackage> AptPackages(Context c)
    {
        var apt = new List<AptPackage>();
        foreach (var item in c.Inputs.AptPackages)
        {
            var name = item.Name.Trim();
            var version = string.IsNullOrWhiteSpace(item.Version) ? null : item.Version.Trim();
            if (!AptName().IsMatch(name)) { c.Report(DiagnosticCatalog.InvalidAptPackage.Create(Shorten(TextRules.Visible(name)), "a Debian package name has lower-case letters, digits, '+', '-' and '.'"), item.Source); continue; }
            if (version is not null && !AptVersion().IsMatch(version)) { c.Report(DiagnosticCatalog.InvalidAptPackage.Create(name, $"'{Shorten(TextRules.Visible(version))}' is not a Debian version"), item.Source); continue; }
            var existing = apt.FirstOrDefault(a => a.Name == name);
            if (existing is null) apt.Add(new AptPackage(name, version));
            else if (existing.Version != version) c.Report(DiagnosticCatalog.ConflictingSpecs.Create(name, existing.Argument, new AptPackage(name, version).Argument), item.Source);
        }
        apt.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return apt;
    }

    /// <summary>Environment variables or labels: a name the rule allows, a value without control characters, one value per name.</summary>
    private static SortedDictionary<string, string> NamedValues(Context c, IEnumerable<NamedValueItem> items, Regex nameRule, DiagnosticDescriptor invalid, string valueWhat, string? reservedPrefix)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!nameRule.IsMatch(item.Name)) { c.Report(invalid.Create(Shorten(TextRules.Visible(item.Name)), "the name has characters that are not allowed"), item.Source); continue; }
            if (reservedPrefix is not null && item.Name.StartsWith(reservedPrefix, StringComparison.Ordinal)) { c.Report(invalid.Create(item.Name, $"the prefix '{reservedPrefix}' is reserved for MlEnv"), item.Source); continue; }
            if (TextRules.Check($"{valueWhat} {item.Name}", item.Value) is { } forbidden) { c.Report(forbidden, item.Source); continue; }
            if (result.TryGetValue(item.Name, out var existing) && existing != item.Value) { c.Report(DiagnosticCatalog.ConflictingSpecs.Create(item.Name, existing, item.Value), item.Source); continue; }
            result[item.Name] = item.Value;
        }
        return result;
    }
}
