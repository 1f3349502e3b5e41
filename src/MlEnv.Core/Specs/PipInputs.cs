namespace MlEnv.Specs;

/// <summary>A pip requirement as read from some source, with the per-requirement hashes pip checks.</summary>
public sealed record PipRequirementInput(Pep508Requirement Requirement, IReadOnlyList<string> Hashes, SourceLocation Source);

/// <summary>Everything pip-related that a requirements file, an environment file or project items can say.</summary>
public sealed class PipInputs
{
    public List<PipRequirementInput> Requirements { get; } = [];
    public List<PipRequirementInput> Constraints { get; } = [];
    public List<(string Url, SourceLocation Source)> IndexUrls { get; } = [];
    public List<(string Url, SourceLocation Source)> ExtraIndexUrls { get; } = [];
    public List<(string Url, SourceLocation Source)> FindLinks { get; } = [];
    public bool Pre { get; set; }

    public void AddRange(PipInputs other)
    {
        Requirements.AddRange(other.Requirements);
        Constraints.AddRange(other.Constraints);
        IndexUrls.AddRange(other.IndexUrls);
        ExtraIndexUrls.AddRange(other.ExtraIndexUrls);
        FindLinks.AddRange(other.FindLinks);
        Pre |= other.Pre;
    }
}
