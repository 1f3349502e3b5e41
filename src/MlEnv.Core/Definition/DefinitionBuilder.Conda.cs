using MlEnv.Diagnostics;
using MlEnv.Specs;

namespace MlEnv.Definition;

/// <summary>The conda section: spec files and existing prefixes, channels, and packages (MatchSpecs).</summary>
public static partial class DefinitionBuilder
{
    /// <summary>Spec files and existing environments: they add to what the items say.</summary>
    private static (CondaEnvironment Conda, PipInputs Pip) ReadSpecFiles(Context c)
    {
        var conda = new CondaEnvironment();
        foreach (var file in c.Inputs.CondaSpecifications) Merge(conda, CondaEnvironmentFile.Read(file, c.Diagnostics, c.ReadFiles));
        foreach (var prefix in c.Inputs.ExistingCondaEnvironments) Merge(conda, CondaPrefixReader.Read(prefix, c.Diagnostics, c.ReadFiles));
        var pip = new PipInputs();
        foreach (var file in c.Inputs.PipRequirements) pip.AddRange(RequirementsFile.Read(file, c.Diagnostics, c.ReadFiles));
        pip.AddRange(conda.Pip);
        return (conda, pip);
    }

    private static void Merge(CondaEnvironment into, CondaEnvironment from)
    {
        into.Channels.AddRange(from.Channels);
        into.Packages.AddRange(from.Packages);
        into.Pip.AddRange(from.Pip);
        into.Variables.AddRange(from.Variables);
    }

    /// <summary>Order matters to the solver: items first, then files, each channel once.</summary>
    private static List<string> CondaChannels(Context c, CondaEnvironment conda)
    {
        var channels = new List<string>();
        foreach (var (channel, source) in c.Inputs.CondaChannels.Concat(conda.Channels))
        {
            if (ChannelProblem(channel) is { } problem) c.Report(problem, source);
            else if (!channels.Contains(channel)) channels.Add(channel);
        }
        return channels;
    }

    private static List<CondaPackage> CondaPackages(Context c, CondaEnvironment conda)
    {
        var specs = new List<CondaPackageInput>();
        foreach (var item in c.Inputs.CondaPackages)
        {
            // A bare version reads as in environment.yml ("numpy=1.26" matches 1.26.*); operators and globs pass through.
            var version = item.Version?.Trim() is { Length: > 0 } v ? (char.IsAsciiDigit(v[0]) && !v.Contains(' ') ? "=" + v : " " + v) : "";
            var build = item.Build?.Trim() is { Length: > 0 } b ? (version.Length == 0 ? " * " : version.StartsWith('=') ? "=" : " ") + b : "";
            var text = (item.Channel?.Trim() is { Length: > 0 } ch ? ch + "::" : "") + item.Name.Trim() + version + build;
            if (item.Channel?.Trim() is { Length: > 0 } itemChannel && ChannelProblem(itemChannel) is { } problem) c.Report(problem, item.Source);
            else if (MatchSpec.TryParse(text, out var spec, out var error)) specs.Add(new CondaPackageInput(spec, item.Source));
            else c.Report(DiagnosticCatalog.InvalidMatchSpec.Create(Redact(TextRules.Visible(text)), error is null ? null : Redact(TextRules.Visible(error))), item.Source);
        }
        specs.AddRange(conda.Packages);
        return MergeCondaSpecs(specs, c.Diagnostics)
            .Select(p => new CondaPackage(p.Spec.NormalizedName, p.Spec.ToString())).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Conda accepts one package listed twice when the specs agree (a real environment.yml lists both "pip" and
    /// "pip=20.3.4"): each part (channel, version, build) given on one side only is taken; two different values conflict.
    /// </summary>
    private static List<CondaPackageInput> MergeCondaSpecs(IEnumerable<CondaPackageInput> specs, List<Diagnostic> diagnostics)
    {
        var merged = new Dictionary<string, CondaPackageInput>(StringComparer.Ordinal);
        foreach (var item in specs)
        {
            var key = item.Spec.NormalizedName;
            if (!merged.TryGetValue(key, out var first)) { merged[key] = item; continue; }
            if (MatchSpec.Unify(first.Spec, item.Spec) is { } both) merged[key] = first with { Spec = both };
            else diagnostics.Add(DiagnosticCatalog.ConflictingSpecs.Create(key, first.Spec.ToString(), item.Spec.ToString()).At(item.Source.File, item.Source.Line, item.Source.Column));
        }
        return merged.Values.ToList();
    }

    private static Diagnostic? ChannelProblem(string channel) => MatchSpec.ChannelProblem(channel, Redact);
}
