using MlEnv.Specs;

namespace MlEnv.Definition;

/// <summary>
/// A definition read back from a file — a store record, an image label, a downloaded or copied folder — did not pass
/// the builder; the builder's rules are applied to it again before any of it reaches a generated file. Each value
/// must be one the builder could have written: names and versions by the same patterns, specs and requirements as
/// MlEnv prints them, URLs plain http(s) without credentials, no control character anywhere.
/// </summary>
public static class DefinitionCheck
{
    /// <summary>Why the definition is not one MlEnv makes (the first reason), or null.</summary>
    public static string? Problem(EnvironmentDefinition d)
    {
        if (d.FormatVersion != EnvironmentDefinition.CurrentFormatVersion) return $"its format version is {d.FormatVersion}, and this MlEnv writes {EnvironmentDefinition.CurrentFormatVersion}";
        if (d.PythonVersion is { } python && !DefinitionBuilder.IsValidPythonVersion(python)) return Bad("python version", python);
        if (d.Base.Image is { } image && !DefinitionBuilder.IsValidImageReference(image)) return Bad("base image", image);
        if (d.Base.Dockerfile is { } dockerfile)
        {
            // The text comes beside the definition (a store record): it must be the one the hash names, and one the
            // builder takes as a first stage.
            // The hash is of the file's bytes; the store keeps its text, which lost a byte-order mark if it had one.
            var bytes = System.Text.Encoding.UTF8.GetBytes(dockerfile);
            string Sha(byte[] b) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(b));
            if (Sha(bytes) != d.Base.DockerfileSha256 && Sha([0xEF, 0xBB, 0xBF, .. bytes]) != d.Base.DockerfileSha256)
                return "its base Dockerfile is not the one its hash names";
            var refused = 0;
            BaseDockerfileRules.Check(dockerfile, "base Dockerfile", (_, _) => refused++);
            if (refused > 0) return "its base Dockerfile is not one MlEnv takes as a first stage";
        }
        if (d.Parent is { } parent && (!DefinitionBuilder.IsValidImageReference(parent.Image) || !DefinitionBuilder.IsValidEnvironmentName(parent.Name) || !IsSha256(parent.Hash)))
            return Bad("referenced environment", parent.Name);
        if (!Enum.IsDefined(d.Manager)) return Bad("environment manager", d.Manager.ToString());
        if (!DefinitionBuilder.IsValidExecutable(d.CondaExecutable)) return Bad("conda executable", d.CondaExecutable);
        foreach (var channel in d.CondaChannels)
            if (MatchSpec.ChannelProblem(channel, PipLine.Redact) is not null) return Bad("conda channel", channel);
        foreach (var package in d.CondaPackages)
            if (!MatchSpec.TryParse(package.Spec, out var spec, out _) || spec.ToString() != package.Spec || spec.NormalizedName != package.Name)
                return Bad("conda package", package.Spec);
        foreach (var requirement in d.PipPackages.Select(p => (p.Requirement, Name: (string?)p.Name)).Concat(d.PipConstraints.Select(c => (Requirement: c, Name: (string?)null))))
        {
            if (!Pep508Requirement.TryParse(requirement.Requirement, out var parsed, out _, out _) || parsed.ToCanonicalString() != requirement.Requirement
                || (requirement.Name is { } name && parsed.NormalizedName != name) || PipLine.LineProblem(requirement.Requirement) is not null)
                return Bad("pip requirement", PipLine.Redact(requirement.Requirement));
        }
        if (d.PipPackages.SelectMany(p => p.Hashes).FirstOrDefault(h => !PipLine.IsHash(h)) is { } hash) return Bad("pip hash", hash);
        foreach (var url in d.PipIndex.ExtraIndexUrls.Concat(d.PipIndex.FindLinks).Prepend(d.PipIndex.IndexUrl).OfType<string>())
            if (UrlProblem(url)) return Bad("package index URL", PipLine.Redact(url));
        foreach (var wheel in d.Wheels)
            if (!DefinitionBuilder.IsValidWheelFileName(wheel.FileName) || !IsSha256(wheel.Sha256))
                return Bad("wheel", wheel.FileName);
        foreach (var apt in d.AptPackages)
            if (!DefinitionBuilder.IsValidAptPackage(apt.Name, apt.Version)) return Bad("apt package", apt.Name + (apt.Version is null ? "" : "=" + apt.Version));
        foreach (var (name, value) in d.Variables)
            if (!DefinitionBuilder.IsValidVariableName(name) || TextRules.FirstForbidden(value) >= 0) return Bad("environment variable", name);
        foreach (var (key, value) in d.Labels)
            if (!DefinitionBuilder.IsValidLabelKey(key) || key.StartsWith("org.mlenv.", StringComparison.Ordinal) || TextRules.FirstForbidden(value) >= 0) return Bad("label", key);
        return null;
    }

    private static bool IsSha256(string text) => text.Length == 64 && text.All(char.IsAsciiHexDigitLower);

    // The builder writes a URL as Uri.AbsoluteUri spells it: anything else (a "${VAR}" pip would fill in from the
    // environment, a credential, another scheme) did not come from it.
    private static bool UrlProblem(string url) =>
        TextRules.FirstForbidden(url) >= 0 || PipLine.SecretParameter(url) is not null || IndexCredentials.FromUrl(url) is not null
        || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        || uri.AbsoluteUri != url || PipLine.EnvironmentReference().IsMatch(url)
        || url.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '`' or '\\');

    private static string Bad(string what, string value) => $"its {what} '{TextRules.Visible(value.Length > 200 ? value[..200] + "…" : value)}' is not one MlEnv writes";
}
