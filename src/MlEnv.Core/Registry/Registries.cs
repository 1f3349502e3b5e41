using System.Text.RegularExpressions;

namespace MlEnv.Registry;

public static partial class Registries
{
    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]+([._-][a-z0-9]+)*)*\z")]
    private static partial Regex Host();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\z")]
    private static partial Regex TagRegex();

    /// <summary>A registry host with an optional port and path prefix: localhost:5000, myacr.azurecr.io, ghcr.io/org.</summary>
    public static bool IsValid(string registry) => Host().IsMatch(registry);

    /// <summary>A registry value for a message: anything up to its last '@' (a user:password someone wrote in) is masked.</summary>
    public static string Display(string registry) =>
        Definition.TextRules.Visible(registry.LastIndexOf('@') is var at and >= 0 ? "***" + registry[at..] : registry);

    public static bool IsValidTag(string tag) => TagRegex().IsMatch(tag);

    /// <summary>
    /// The repository every environment image is also pushed to under its full definition hash, whatever the
    /// project's name: any project with the same definition, on any machine, finds it there (as Azure ML's
    /// <c>azureml_&lt;hash&gt;</c> images are found by any workspace user).
    /// </summary>
    public const string SharedRepository = "mlenv/environments";

    /// <summary>The tag of a definition in <see cref="SharedRepository"/>: the whole hash, so no prefix can collide.</summary>
    public static string SharedTag(string hash) => hash;
}
