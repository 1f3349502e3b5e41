using System.Text.RegularExpressions;

namespace MlEnv.Images;

/// <summary>
/// What a classic-builder (or Podman) build made, read from its output stream: for each stage, the images its steps
/// committed (cached ones too) and the containers its steps ran in. The build output is the only record the engine
/// gives of a build's intermediate images; it is read as it arrives, so a failed or cancelled build is traced too.
/// </summary>
public sealed partial class BuildTrace
{
    private sealed record Stage(int Order, string? Name, string From, List<string> Images, HashSet<string> Arguments);

    private readonly List<Stage> stages = [];
    private readonly List<string> containers = [];
    private Stage? current;
    private bool baseImageNext;

    // Docker: "Step 2/9 : FROM mlenv-system AS mlenv-packages". Podman 4: "[2/3] STEP 1/3: FROM <image id> AS
    // mlenv-packages", where the prefix names the stage (Podman may interleave independent stages).
    [GeneratedRegex(@"^(?:\[([0-9]{1,4})/[0-9]{1,4}\] )?(?:Step|STEP) [0-9]+/[0-9]+ ?: ?(.*)\z")]
    private static partial Regex StepLine();

    [GeneratedRegex(@"^\[([0-9]{1,4})/[0-9]{1,4}\] COMMIT")]
    private static partial Regex PodmanCommit();

    // FROM may carry flags (--platform).
    [GeneratedRegex(@"^(?i:FROM)[ \t]+(?:--[^ \t]+[ \t]+)*([^ \t]+)(?:[ \t]+(?i:AS)[ \t]+([A-Za-z0-9._-]+))?[ \t]*\z")]
    private static partial Regex From();

    [GeneratedRegex(@"^(?i:ARG)[ \t]+([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Arg();

    // Docker " ---> 0123456789ab" (12 hex), Podman "--> 0123456789a" (11 hex), or "--> Using cache <id>".
    [GeneratedRegex(@"^ ?-{2,3}> (?:Using cache )?([0-9a-f]{11,64})\z")]
    private static partial Regex ImageLine();

    [GeneratedRegex(@"^ ?-{2,3}> Running in ([0-9a-f]{12,64})\z")]
    private static partial Regex ContainerLine();

    /// <summary>A step header, as Docker or Podman prints it.</summary>
    public static bool IsStep(string line) => StepLine().IsMatch(line);

    public IReadOnlyList<string> Containers => containers;

    /// <summary>Reads one (already cleaned) line of build output.</summary>
    public void Observe(string line)
    {
        if (StepLine().Match(line) is { Success: true } step)
        {
            int? podmanStage = step.Groups[1].Success ? int.Parse(step.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
            var instruction = step.Groups[2].Value;
            if (From().Match(instruction) is { Success: true } from)
            {
                current = StageFor(podmanStage, create: true, from.Groups[2].Success ? from.Groups[2].Value.ToLowerInvariant() : null, from.Groups[1].Value.ToLowerInvariant());
                // Docker prints the stage's base image right after FROM: it belongs to the base, not to this stage.
                baseImageNext = podmanStage is null;
                return;
            }
            current = podmanStage is { } index ? StageFor(index, create: true, null, "") : current;
            if (Arg().Match(instruction) is { Success: true } argument) current?.Arguments.Add(argument.Groups[1].Value);
            return;
        }
        if (PodmanCommit().Match(line) is { Success: true } commit)
        {
            current = StageFor(int.Parse(commit.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), create: true, null, "");
            return;
        }
        if (ContainerLine().Match(line) is { Success: true } container)
        {
            containers.Add(container.Groups[1].Value);
            return;
        }
        if (ImageLine().Match(line) is { Success: true } image && current is not null)
        {
            if (baseImageNext) { baseImageNext = false; return; }
            current.Images.Add(image.Groups[1].Value);
        }
    }

    private Stage? StageFor(int? podmanIndex, bool create, string? name, string from)
    {
        if (podmanIndex is { } index)
        {
            if (stages.FirstOrDefault(s => s.Order == index) is { } known)
            {
                if (name is null && from.Length == 0) return known;
                var named = known with { Name = name ?? known.Name, From = from.Length > 0 ? from : known.From };
                stages[stages.IndexOf(known)] = named;
                return named;
            }
            if (!create) return null;
            var added = new Stage(index, name, from, [], []);
            stages.Add(added);
            return added;
        }
        var next = new Stage(stages.Count, name, from, [], []);
        stages.Add(next);
        return next;
    }

    /// <summary>
    /// The images of every stage that declares one of <paramref name="arguments"/> (so its RUN steps recorded their
    /// values) and that no later stage is built FROM, in build order. The last stage of a build that produced its
    /// image is never one: the final image descends from it. Of a failed or cancelled build, it can be.
    /// </summary>
    public IReadOnlyList<string> SideStageImages(IEnumerable<string> arguments, bool completed)
    {
        var names = arguments.ToHashSet(StringComparer.Ordinal);
        var ordered = stages.OrderBy(s => s.Order).ToList();
        var side = new List<string>();
        var kept = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < ordered.Count; i++)
        {
            var stage = ordered[i];
            bool keep = (completed && i == ordered.Count - 1)
                || !stage.Arguments.Overlaps(names)
                || ordered.Skip(i + 1).Any(later => IsBaseOf(stage, i, later));
            if (keep) kept.UnionWith(stage.Images);
            else side.AddRange(stage.Images);
        }
        return side.Where(image => !kept.Contains(image)).Distinct().ToList();
    }

    // Docker names the base stage (or its index); Podman names the image the stage produced.
    private static bool IsBaseOf(Stage stage, int index, Stage later) =>
        later.From == index.ToString(System.Globalization.CultureInfo.InvariantCulture)
        || (stage.Name is not null && later.From == stage.Name)
        || stage.Images.Any(image => later.From.StartsWith(image, StringComparison.Ordinal) || later.From.StartsWith("sha256:" + image, StringComparison.Ordinal));
}
