using System.Text.RegularExpressions;

namespace MlEnv.Specs;

/// <summary>PEP 503 name normalisation: runs of '-', '_' and '.' become one '-', letters are lower-cased.</summary>
public static partial class PackageName
{
    public static string Normalize(string name) => Separators().Replace(name, "-").ToLowerInvariant();

    [GeneratedRegex("[-_.]+")]
    private static partial Regex Separators();
}
