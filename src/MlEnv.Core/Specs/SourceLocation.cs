namespace MlEnv.Specs;

/// <summary>Where an input came from, for diagnostics. Line and column are 1-based; 0 means unknown.</summary>
public readonly record struct SourceLocation(string? File, int Line = 0, int Column = 0)
{
    public static readonly SourceLocation None = new(null);
}
