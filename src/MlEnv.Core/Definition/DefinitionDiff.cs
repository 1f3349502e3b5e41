using System.Text.Json.Nodes;
using K = MlEnv.Definition.CanonicalKeys;

namespace MlEnv.Definition;

/// <summary>
/// Explains what changed between two canonical definitions, in the words a user would use:
/// "pip: pillow ==10.3.0 → ==10.4.0; apt: +libgomp1; base image changed". Works on the canonical JSON so that a
/// definition stored by an older build (in obj/ or in an image label) can be compared with the current one.
/// </summary>
public static class DefinitionDiff
{
    public static IReadOnlyList<string> Explain(string oldCanonical, string newCanonical) =>
        Explain(JsonNode.Parse(oldCanonical)!.AsObject(), JsonNode.Parse(newCanonical)!.AsObject());

    public static IReadOnlyList<string> Explain(JsonObject before, JsonObject after)
    {
        var changes = new List<string>();
        Scalar(K.FormatVersion, "generator format version");
        Scalar(K.Python, "python");
        Scalar(K.Manager, "environment manager");
        Scalar(K.Gpu, "gpu");
        Scalar(K.UserManagedDependencies, "user-managed dependencies");

        // A referenced project's environment: its hash changes its image tag, so one line says both.
        var parentBefore = before[K.Parent];
        var parentAfter = after[K.Parent];
        bool parentChanged = parentBefore?.ToJsonString() != parentAfter?.ToJsonString();
        if (parentChanged)
        {
            string Describe(JsonNode? p) => p is null ? "(none)" : $"{Str(p, K.Name)} {Str(p, K.Hash)![..12]}";
            changes.Add(parentBefore is not null && parentAfter is not null && Str(parentBefore, K.Name) == Str(parentAfter, K.Name)
                ? $"referenced environment {Str(parentAfter, K.Name)} changed: {Str(parentBefore, K.Hash)![..12]} → {Str(parentAfter, K.Hash)![..12]}"
                : $"referenced environment: {Describe(parentBefore)} → {Describe(parentAfter)}");
        }

        var baseBefore = before[K.Base]?.ToJsonString();
        var baseAfter = after[K.Base]?.ToJsonString();
        if (baseBefore != baseAfter && !parentChanged)
        {
            var imageBefore = before[K.Base]?[K.Image]?.GetValue<string>();
            var imageAfter = after[K.Base]?[K.Image]?.GetValue<string>();
            changes.Add(imageBefore is not null && imageAfter is not null
                ? $"base image changed: {imageBefore} → {imageAfter}"
                : imageAfter is null && imageBefore is null ? "base Dockerfile changed" : "base changed between an image and a Dockerfile");
        }

        Keyed("apt", before[K.Apt], after[K.Apt], p => Str(p, K.Name), p => Str(p, K.Version) ?? "(any version)");
        List("conda channels", before[K.Conda]?[K.Channels], after[K.Conda]?[K.Channels], ordered: true);
        Keyed("conda", before[K.Conda]?[K.Packages], after[K.Conda]?[K.Packages], p => Str(p, K.Name), p => Str(p, K.Spec));
        Scalar2(K.Conda, K.Executable, "conda executable");
        Scalar2(K.Pip, K.IndexUrl, "pip index URL");
        Scalar2(K.Pip, K.Pre, "pip --pre");
        List("pip extra index URLs", before[K.Pip]?[K.ExtraIndexUrls], after[K.Pip]?[K.ExtraIndexUrls], ordered: false);
        List("pip find-links", before[K.Pip]?[K.FindLinks], after[K.Pip]?[K.FindLinks], ordered: false);
        Keyed("pip", before[K.Pip]?[K.Packages], after[K.Pip]?[K.Packages], PipKey, p => Spec(Str(p, K.Requirement)!, Str(p, K.Name)!) + (p[K.Hashes] is JsonArray h ? $" ({h.Count} hash(es))" : ""));
        List("pip constraints", before[K.Pip]?[K.Constraints], after[K.Pip]?[K.Constraints], ordered: false);
        Keyed("wheels", before[K.Wheels], after[K.Wheels], p => Str(p, K.FileName), p => "sha256 " + Str(p, K.Sha256)![..12]);
        Map("variables", before[K.Variables], after[K.Variables]);
        Map("labels", before[K.Labels], after[K.Labels]);
        return changes;

        void Scalar(string key, string label)
        {
            var a = before[key]?.ToJsonString() ?? "(none)";
            var b = after[key]?.ToJsonString() ?? "(none)";
            if (a != b) changes.Add($"{label}: {Unquote(a)} → {Unquote(b)}");
        }

        void Scalar2(string section, string key, string label)
        {
            var a = before[section]?[key]?.ToJsonString() ?? "(none)";
            var b = after[section]?[key]?.ToJsonString() ?? "(none)";
            if (a != b) changes.Add($"{label}: {Unquote(a)} → {Unquote(b)}");
        }

        void List(string label, JsonNode? a, JsonNode? b, bool ordered)
        {
            var x = Strings(a);
            var y = Strings(b);
            var parts = y.Except(x).Select(s => "+" + s).Concat(x.Except(y).Select(s => "-" + s)).ToList();
            if (parts.Count == 0 && ordered && !x.SequenceEqual(y)) parts.Add($"order [{string.Join(", ", x)}] → [{string.Join(", ", y)}]");
            if (parts.Count > 0) changes.Add($"{label}: {string.Join(", ", parts)}");
        }

        void Keyed(string label, JsonNode? a, JsonNode? b, Func<JsonNode, string?> key, Func<JsonNode, string?> value)
        {
            var x = Items(a).ToDictionary(p => key(p) ?? "", p => value(p) ?? "");
            var y = Items(b).ToDictionary(p => key(p) ?? "", p => value(p) ?? "");
            var parts = new List<string>();
            foreach (var k in x.Keys.Union(y.Keys).Order(StringComparer.Ordinal))
            {
                bool inX = x.TryGetValue(k, out var vx), inY = y.TryGetValue(k, out var vy);
                if (inX && inY && vx != vy) parts.Add($"{k} {vx} → {vy}");
                else if (!inX) parts.Add($"+{k}{Suffix(vy)}");
                else if (!inY) parts.Add($"-{k}");
            }
            if (parts.Count > 0) changes.Add($"{label}: {string.Join(", ", parts)}");
        }

        void Map(string label, JsonNode? a, JsonNode? b)
        {
            var x = (a as JsonObject)?.ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "") ?? [];
            var y = (b as JsonObject)?.ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "") ?? [];
            var parts = new List<string>();
            foreach (var k in x.Keys.Union(y.Keys).Order(StringComparer.Ordinal))
            {
                bool inX = x.TryGetValue(k, out var vx), inY = y.TryGetValue(k, out var vy);
                if (inX && inY && vx != vy) parts.Add($"{k} changed");
                else if (!inX) parts.Add($"+{k}");
                else if (!inY) parts.Add($"-{k}");
            }
            if (parts.Count > 0) changes.Add($"{label}: {string.Join(", ", parts)}");
        }
    }

    private static string Suffix(string? v) => string.IsNullOrEmpty(v) || v.StartsWith('(') ? "" : " " + v;
    private static string Unquote(string json) => json.Length >= 2 && json[0] == '"' ? json[1..^1] : json;
    private static string? Str(JsonNode p, string key) => p[key]?.GetValue<string>();
    private static IEnumerable<JsonNode> Items(JsonNode? a) => (a as JsonArray)?.OfType<JsonNode>() ?? [];
    private static List<string> Strings(JsonNode? a) => Items(a).Select(n => n.GetValue<string>()).ToList();

    private static string? PipKey(JsonNode p)
    {
        var requirement = Str(p, K.Requirement)!;
        var marker = requirement.IndexOf(';') is var i and >= 0 ? "; " + requirement[(i + 1)..].Trim() : "";
        return Str(p, K.Name) + marker;
    }

    /// <summary>The part of a requirement after its name and before its marker: "[extra]==1.0", "@ url" or "(any version)".</summary>
    private static string Spec(string requirement, string name)
    {
        var rest = requirement[name.Length..];
        var semicolon = rest.IndexOf(';');
        if (semicolon >= 0) rest = rest[..semicolon];
        rest = rest.Trim();
        return rest.Length == 0 ? "(any version)" : rest;
    }
}
