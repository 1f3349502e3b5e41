namespace MlEnv.Generation;

internal static class FileWriter
{
    /// <summary>Writes only when the content differs, so unchanged files keep the timestamps incremental builds compare.</summary>
    public static string WriteIfChanged(string path, string text)
    {
        if (!File.Exists(path) || File.ReadAllText(path) != text) File.WriteAllText(path, text);
        return path;
    }
}
