using System.Xml;
using System.Xml.Linq;
using Microsoft.Build.Framework;
using MlEnv.Diagnostics;
using MlEnv.Specs;

namespace MlEnv.Tasks;

/// <summary>
/// Where in a project file an item or a property is written, so that a diagnostic about it names that line. MSBuild
/// gives tasks an item's DefiningProjectFullPath but no line: the line is found by reading that file (once) and
/// matching the element by type and Include. When the match is not certain (a wildcard, a property in the Include),
/// the location is the file alone.
/// </summary>
public sealed class ProjectLocations
{
    private const long MaxProjectFileBytes = 16 << 20; // a project file larger than this is not read for lines
    private readonly Dictionary<string, XDocument?> documents = new(StringComparer.Ordinal);

    /// <summary>The element that defines the item: the file from DefiningProjectFullPath, the line when it is unambiguous.</summary>
    public SourceLocation Item(string? definingFile, string fallbackFile, string itemType, string itemSpec)
    {
        var file = definingFile is { Length: > 0 } && !SdkFiles.IsOwn(definingFile) ? definingFile : fallbackFile;
        if (Load(file) is not { } document) return new SourceLocation(file);
        var elements = document.Descendants().Where(e => e.Name.LocalName == itemType && e.Attribute("Include") is not null).ToList();
        var exact = elements.FirstOrDefault(e => IncludeParts(e.Attribute("Include")!.Value).Contains(itemSpec, StringComparer.Ordinal));
        var chosen = exact ?? (elements.Count == 1 ? elements[0] : null);
        return At(file, chosen);
    }

    /// <summary>The last element setting the property in the project file (the one that wins), unless it was given on the command line.</summary>
    public SourceLocation Property(string projectFile, string name, bool isGlobal)
    {
        if (isGlobal || Load(projectFile) is not { } document) return new SourceLocation(projectFile);
        var element = document.Descendants().LastOrDefault(e => string.Equals(e.Name.LocalName, name, StringComparison.OrdinalIgnoreCase) && e.Parent?.Name.LocalName == "PropertyGroup");
        return At(projectFile, element);
    }

    /// <summary>Codes that are about exactly one property: such a diagnostic at the project points at the line setting it.</summary>
    private static readonly Dictionary<string, string> PropertyOfCode = new(StringComparer.Ordinal)
    {
        [DiagnosticCatalog.InvalidPythonVersion.Code] = "MlEnvPythonVersion",
        [DiagnosticCatalog.PythonVersionUnavailable.Code] = "MlEnvPythonVersion",
        [DiagnosticCatalog.InvalidGpu.Code] = "MlEnvGpu",
        [DiagnosticCatalog.InvalidName.Code] = "MlEnvName",
        [DiagnosticCatalog.ReservedName.Code] = "MlEnvName",
        [DiagnosticCatalog.InvalidExecutable.Code] = "MlEnvCondaExecutable",
        [DiagnosticCatalog.UnknownCurated.Code] = "MlEnvCurated",
        [DiagnosticCatalog.ConflictingBase.Code] = "MlEnvBaseDockerfile",
        [DiagnosticCatalog.CredentialsWithBaseDockerfile.Code] = "MlEnvBaseDockerfile",
    };

    /// <summary>
    /// A diagnostic without a line, placed where the user wrote its cause: the element of the file item it names (a
    /// wheel, a spec file — also one that is missing and so has no line of its own), or the line that sets the one
    /// property its code is about (the project itself when that property came from the command line).
    /// </summary>
    public Diagnostic Place(Diagnostic d, string project, IEnumerable<(ITaskItem[] Items, string ItemType)> fileItems, IReadOnlyCollection<string> globalProperties)
    {
        if (d.Line > 0) return d;
        foreach (var (items, itemType) in fileItems)
            if (items.FirstOrDefault(i => i.GetMetadata("FullPath") is { Length: > 0 } full
                    && (d.File is null || d.File == project ? d.Message.Contains(full, StringComparison.Ordinal) : string.Equals(d.File, full, StringComparison.Ordinal))) is { } item)
            {
                var element = Item(item.GetMetadata("DefiningProjectFullPath"), project, itemType, item.ItemSpec);
                return d.At(element.File, element.Line, element.Column);
            }
        if ((d.File is not null && d.File != project) || !PropertyOfCode.TryGetValue(d.Code, out var property)) return d;
        var at = Property(project, property, globalProperties.Any(k => string.Equals(k, property, StringComparison.OrdinalIgnoreCase)));
        return d.At(at.File, at.Line, at.Column);
    }

    private static SourceLocation At(string file, XElement? element) =>
        element is IXmlLineInfo info && info.HasLineInfo() ? new SourceLocation(file, info.LineNumber, info.LinePosition) : new SourceLocation(file);

    /// <summary>The parts of an Include as MSBuild reads them: split at ';', trimmed, %XX escapes undone.</summary>
    private static IEnumerable<string> IncludeParts(string include) =>
        include.Split(';').Select(p => Unescape(p.Trim())).Where(p => p.Length > 0);

    private static string Unescape(string text)
    {
        if (!text.Contains('%')) return text;
        var sb = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length && Uri.IsHexDigit(text[i + 1]) && Uri.IsHexDigit(text[i + 2]))
            {
                sb.Append((char)Convert.ToInt32(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else sb.Append(text[i]);
        }
        return sb.ToString();
    }

    private XDocument? Load(string file)
    {
        if (documents.TryGetValue(file, out var cached)) return cached;
        XDocument? document = null;
        try
        {
            var info = new FileInfo(file);
            if (info.Exists && info.Length <= MaxProjectFileBytes)
            {
                using var reader = XmlReader.Create(file, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
                document = XDocument.Load(reader, LoadOptions.SetLineInfo);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or XmlException or ArgumentException or NotSupportedException)
        {
            document = null; // no line then: the file alone still names the right place
        }
        documents[file] = document;
        return document;
    }
}
