using System.Text.RegularExpressions;
using MlEnv.Diagnostics;
using MlEnv.Specs;

namespace MlEnv.Definition;

/// <summary>
/// The pip section: requirements from items, files and environment.yml merged as pip merges them, constraints, and
/// the package indexes (credentials are split off here and never enter the definition).
/// </summary>
public static partial class DefinitionBuilder
{
    private static (List<PipPackage> Packages, List<string> Constraints) PipPackages(Context c, PipInputs pip)
    {
        foreach (var item in c.Inputs.PipPackages)
        {
            // Checked before trimming: a trailing line break is refused, not quietly dropped.
            if (new[] { item.Name, item.Version, item.Extras, item.Markers }.FirstOrDefault(f => f is not null && PipLine.IndexOfForbidden(f) >= 0) is { } raw)
            {
                c.Report(RequirementsFile.Refusal(raw, $"it contains the control character {PipLine.Describe(raw[PipLine.IndexOfForbidden(raw)])}", RequirementErrorKind.ControlCharacter), item.Source);
                continue;
            }
            var text = item.Name.Trim();
            if (item.Extras is { Length: > 0 } extras) text += "[" + extras.Trim().Trim('[', ']') + "]";
            if (item.Version is { Length: > 0 } version)
            {
                var v = version.Trim();
                text += Regex.IsMatch(v, @"^[0-9]") ? "==" + v : v;
            }
            // A space before ";" ends a URL for pip; PEP 508 allows it after a version too.
            if (item.Markers is { Length: > 0 } markers) text += " ; " + markers;
            if (Pep508Requirement.TryParse(text, out var requirement, out var error, out _, out var kind))
                pip.Requirements.Add(new PipRequirementInput(requirement, [], item.Source));
            else
                c.Report(RequirementsFile.Refusal(text, error, kind), item.Source);
        }
        var merged = MergePip(pip.Requirements, c.Diagnostics);
        var packages = merged
            .Select(r => new PipPackage(r.Requirement.NormalizedName, r.Requirement.ToCanonicalString(), r.Hashes))
            .OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        // Pointed at the first requirement without a hash, in whichever file or item it came from.
        if (merged.Any(r => r.Hashes.Count > 0) && merged.FirstOrDefault(r => r.Hashes.Count == 0) is { } unhashed)
            c.Report(DiagnosticCatalog.PartialHashes.Create(unhashed.Requirement.ToCanonicalString()), unhashed.Source);
        var constraints = pip.Constraints.Select(r => r.Requirement.ToCanonicalString()).Distinct().Order(StringComparer.Ordinal).ToList();
        return (packages, constraints);
    }

    private static string PipKey(Pep508Requirement r) => r.NormalizedName + (r.Marker is null ? "" : ";" + r.Marker);

    /// <summary>
    /// One requirement per package and marker, as pip combines repeated requirements: extras and specifier clauses
    /// are joined ("pip" and "pip==20.3.4" are "pip==20.3.4"). Two different pins (or URLs, or hash lists) for one
    /// package cannot both hold: MLENV1010 at the second.
    /// </summary>
    private static List<PipRequirementInput> MergePip(IEnumerable<PipRequirementInput> inputs, List<Diagnostic> diagnostics)
    {
        var merged = new Dictionary<string, PipRequirementInput>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            var key = PipKey(input.Requirement);
            if (!merged.TryGetValue(key, out var first)) { merged[key] = input; continue; }
            if (MergeTwo(first, input) is { } both) { merged[key] = both; continue; }
            var at = input.Source;
            diagnostics.Add(DiagnosticCatalog.ConflictingSpecs.Create(key, Describe(first), Describe(input)).At(at.File, at.Line, at.Column));
        }
        return merged.Values.ToList();

        static string Describe(PipRequirementInput r) => Redact(r.Requirement.ToCanonicalString()) + string.Concat(r.Hashes.Select(h => " --hash=" + h));
    }

    private static PipRequirementInput? MergeTwo(PipRequirementInput a, PipRequirementInput b)
    {
        var (x, y) = (a.Requirement, b.Requirement);
        if (x.ToCanonicalString() == y.ToCanonicalString() && a.Hashes.SequenceEqual(b.Hashes)) return a;
        if (a.Hashes.Count > 0 && b.Hashes.Count > 0 && !a.Hashes.SequenceEqual(b.Hashes)) return null;
        var hashes = a.Hashes.Count > 0 ? a.Hashes : b.Hashes;
        var extras = x.Extras.Concat(y.Extras).ToList();
        if (x.Url is not null || y.Url is not null)
        {
            // A URL is a pin: it merges only with the same URL, or with a requirement that asks for no version.
            if (x.Url is not null && y.Url is not null && x.Url != y.Url) return null;
            if ((x.Url is null && !x.Specifier.IsEmpty) || (y.Url is null && !y.Specifier.IsEmpty)) return null;
            return a with { Requirement = x with { Extras = extras, Url = x.Url ?? y.Url, Specifier = Pep440SpecifierSet.Any }, Hashes = hashes };
        }
        var clauses = x.Specifier.Clauses.Concat(y.Specifier.Clauses).ToList();
        var specifier = Pep440SpecifierSet.FromClauses(clauses);
        var pins = specifier.ToCanonicalString().Split(',').Count(c => c.StartsWith("==", StringComparison.Ordinal) && !c.EndsWith(".*", StringComparison.Ordinal));
        if (pins > 1) return null;
        return a with { Requirement = x with { Extras = extras, Specifier = specifier }, Hashes = hashes };
    }
}
