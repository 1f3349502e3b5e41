using System.Text.RegularExpressions;

namespace MlEnv.Engine;

/// <summary>
/// What a classic-builder (or Podman) build made, read from its output stream: for each stage, the images its steps
/// committed (cached ones too) and the containers its steps ran in. The build output is the only record the engine
/// gives of a build's intermediate images; it is read as it arrives, so a failed or cancelled build is traced too.
/// </summary>
public sealed partial class BuildTrace
{
    private sealed record Stage(string? Name, string From, List<string> Images, HashSet<string> Arguments);

    private readonly List<Stage> stages = [];
    private readonly List<string> containers = [];
    private bool baseImageNext;

    // "Step 2/9 : FROM mlenv-system AS mlenv-packages" (Docker) or "STEP 2/9: FROM …" (Podman); FROM may carry flags.
    [GeneratedRegex(@"^(?:Step|STEP) [0-9]+/[0-9]+ ?: ?(?i:FROM)[ \t]+(?:--[^ \t]+[ \t]+)*([^ \t]+)(?:[ \t]+(?i:AS)[ \t]+([A-Za-z0-9._-]+))?[ \t]*\z")]
    private static partial Regex FromStep();

    [GeneratedRegex(@"^(?:Step|STEP) [0-9]+/[0-9]+ ?: ?(?i:ARG)[ \t]+([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex ArgStep();

    [GeneratedRegex(@"^ ?-{2,3}> (?:Using cache )?([0-9a-f]{12,64})\z")]
    private static partial Regex ImageLine();

    [GeneratedRegex(@"^ ?-{2,3}> Running in ([0-9a-f]{12,64})\z")]
    private static partial Regex ContainerLine();

    public IReadOnlyList<string> Containers => containers;

    /// <summary>Reads one (already cleaned) line of build output.</summary>
    public void Observe(string line)
    {
        if (FromStep().Match(line) is { Success: true } from)
        {
            stages.Add(new Stage(from.Groups[2].Success ? from.Groups[2].Value.ToLowerInvariant() : null, from.Groups[1].Value.ToLowerInvariant(), [], []));
            // Docker prints the stage's base image right after FROM: it belongs to the base, not to this stage.
            baseImageNext = line.StartsWith("Step ", StringComparison.Ordinal);
            return;
        }
        if (ArgStep().Match(line) is { Success: true } argument && stages.Count > 0)
        {
            stages[^1].Arguments.Add(argument.Groups[1].Value);
            return;
        }
        if (ContainerLine().Match(line) is { Success: true } container)
        {
            containers.Add(container.Groups[1].Value);
            return;
        }
        if (ImageLine().Match(line) is { Success: true } image && stages.Count > 0)
        {
            if (baseImageNext) { baseImageNext = false; return; }
            stages[^1].Images.Add(image.Groups[1].Value);
        }
    }

    /// <summary>
    /// The images of every stage that declares one of <paramref name="arguments"/> (so its RUN steps recorded their
    /// values) and that no later stage is built FROM, in build order. The last stage of a build that produced its
    /// image is never one: the final image descends from it. Of a failed or cancelled build, it can be.
    /// </summary>
    public IReadOnlyList<string> SideStageImages(IEnumerable<string> arguments, bool completed)
    {
        var names = arguments.ToHashSet(StringComparer.Ordinal);
        var side = new List<string>();
        var kept = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < stages.Count; i++)
        {
            var stage = stages[i];
            var index = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            bool keep = (completed && i == stages.Count - 1)
                || !stage.Arguments.Overlaps(names)
                || stages.Skip(i + 1).Any(later => later.From == index || (stage.Name is not null && later.From == stage.Name));
            if (keep) kept.UnionWith(stage.Images);
            else side.AddRange(stage.Images);
        }
        return side.Where(image => !kept.Contains(image)).Distinct().ToList();
    }
}
