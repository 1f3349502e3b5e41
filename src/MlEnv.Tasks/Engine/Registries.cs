using System.Text.RegularExpressions;

namespace MlEnv.Engine;

public static partial class Registries
{
    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]+([._-][a-z0-9]+)*)*$")]
    private static partial Regex Host();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagRegex();

    /// <summary>A registry host with an optional port and path prefix: localhost:5000, myacr.azurecr.io, ghcr.io/org.</summary>
    public static bool IsValid(string registry) => Host().IsMatch(registry);

    public static bool IsValidTag(string tag) => TagRegex().IsMatch(tag);
}
