using System.Globalization;

namespace MlEnv.Engine;

/// <summary>
/// A pull's or push's progress from the engine's per-layer messages ("Downloading"/"Pushing" with current and total
/// bytes, "Pull complete"/"Pushed"/"Layer already exists"/"Already exists" when a layer is done), summed into one
/// line: "3/7 layers, 45.2/120.3 MiB". It reports at most every <see cref="Interval"/>, and whenever a layer finishes.
/// </summary>
public sealed class LayerProgress(string verb, Action<string> report, Func<DateTime>? clock = null)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private static readonly string[] DoneStatuses = ["Pull complete", "Already exists", "Pushed", "Layer already exists", "Mounted from"];

    private readonly Dictionary<string, (long Current, long Total, bool Done)> layers = new(StringComparer.Ordinal);
    private readonly Func<DateTime> now = clock ?? (() => DateTime.UtcNow);
    private DateTime last = DateTime.MinValue;

    public int Layers => layers.Count;
    public int Done => layers.Values.Count(l => l.Done);

    /// <summary>One engine message: the layer id, its status, and its byte counts when it has them.</summary>
    public void Update(string? id, string? status, long? current, long? total)
    {
        // Messages without an id, or with the tag as id ("latest: Pulling from …"), are about the whole image.
        if (string.IsNullOrEmpty(id) || status is null || id.Contains(':', StringComparison.Ordinal)) return;
        var (c, t, done) = layers.GetValueOrDefault(id);
        var finished = DoneStatuses.Any(s => status.StartsWith(s, StringComparison.Ordinal));
        if (finished) { done = true; c = t; }
        else if (current is { } cur && total is { } tot && tot > 0) { c = Math.Min(cur, tot); t = tot; }
        var changedDone = finished && !layers.GetValueOrDefault(id).Done;
        layers[id] = (c, t, done);
        if (changedDone || now() - last >= Interval)
        {
            last = now();
            report(Describe());
        }
    }

    public string Describe()
    {
        long current = layers.Values.Sum(l => l.Current), total = layers.Values.Sum(l => l.Total);
        var bytes = total > 0 ? string.Create(CultureInfo.InvariantCulture, $", {current / 1048576.0:F1}/{total / 1048576.0:F1} MiB") : "";
        return $"{verb}: {Done}/{Layers} layers{bytes}";
    }
}
