using Microsoft.Build.Framework;
using MlEnv.Definition;

namespace MlEnv.Tasks;

/// <summary>
/// The first thing every MlEnv entry point runs: the properties (Include = name, Value metadata) are checked by
/// <see cref="PropertyValidation"/>, and each error points at the project line that sets the property (or at the project
/// when it came from the command line or an import).
/// </summary>
public sealed class ValidateMlEnvProperties : MlEnvTask
{
    public ITaskItem[] Properties { get; set; } = [];

    public override bool Execute()
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var p in Properties) values[p.ItemSpec] = p.GetMetadata("Value");
        var globals = (BuildEngine as IBuildEngine6)?.GetGlobalProperties() ?? new Dictionary<string, string>();
        var locations = new ProjectLocations();
        foreach (var (property, diagnostic) in PropertyValidation.Validate(values))
        {
            var at = locations.Property(ProjectPath, property, globals.Keys.Any(k => string.Equals(k, property, StringComparison.OrdinalIgnoreCase)));
            Log.Log(diagnostic.At(at.File, at.Line, at.Column), ProjectPath);
        }
        return !Log.HasLoggedErrors;
    }
}
