using System.Text.Encodings.Web;
using System.Text.Json;

namespace MlEnv;

/// <summary>
/// The three forms of JSON MlEnv writes, made once: a file's bytes never depend on which class wrote it.
/// </summary>
public static class JsonFormats
{
    /// <summary>Canonical definitions: compact, characters as they are (the definition hash is over these bytes).</summary>
    public static readonly JsonSerializerOptions Canonical = new() { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Files scripts parse (mlenv.json, run.json, image.json, MlEnvList's JSON): indented, non-ASCII escaped.</summary>
    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Store records and definitions shown to people: indented, characters as they are.</summary>
    public static readonly JsonSerializerOptions IndentedVerbatim = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
