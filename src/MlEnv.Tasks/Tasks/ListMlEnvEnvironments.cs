using Microsoft.Build.Framework;
using MlEnv.Store;

namespace MlEnv.Tasks;

/// <summary>-t:MlEnvList: every registered environment, as a table or JSON (MlEnvOutputFormat=json).</summary>
public sealed class ListMlEnvEnvironments : StoreTask
{
    public string? Format { get; set; }
    public string? OutputFile { get; set; }

    /// <summary>Every registered version (see <see cref="StoreTask.ToItem"/>).</summary>
    [Output] public ITaskItem[] Environments { get; private set; } = [];

    protected override bool Run()
    {
        var store = OpenCatalog();
        var entries = store.Names().SelectMany(store.Versions).ToList();
        Environments = entries.Select(e => ToItem(e, store.Location)).ToArray();
        var text = string.Equals(Format, "json", StringComparison.OrdinalIgnoreCase) ? StoreListing.Json(entries) : StoreListing.Table(entries, store.Location);
        if (OutputFile is { Length: > 0 } && !WriteOutput("MlEnvOutputFile", OutputFile, () => File.WriteAllText(OutputFile, text + "\n"))) return false;
        foreach (var line in text.Split('\n')) Log.LogMessage(MessageImportance.High, line);
        LogResultLine(StoreListing.Summary(entries, store.Location));
        return true;
    }
}
