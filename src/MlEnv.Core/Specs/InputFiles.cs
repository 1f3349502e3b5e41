using System.Runtime.InteropServices;
using System.Text;
using MlEnv.Diagnostics;

namespace MlEnv.Specs;

/// <summary>
/// What is at a path MlEnv is about to read, told without opening it: opening a FIFO blocks until a writer comes, and
/// a device such as /dev/zero never ends. Only regular files are read; the rest get a coded diagnostic.
/// </summary>
public static partial class InputFiles
{
    public enum Kind { Missing, Regular, Directory, Fifo, CharacterDevice, BlockDevice, Socket }

    public static Kind Inspect(string path)
    {
        if (path.Contains('\0')) return Kind.Missing; // no file system has such a name
        if (Directory.Exists(path)) return Kind.Directory;
        if (!File.Exists(path)) return Kind.Missing;
        return UnixType(path) switch
        {
            0x1000 => Kind.Fifo,
            0x2000 => Kind.CharacterDevice,
            0x6000 => Kind.BlockDevice,
            0xC000 => Kind.Socket,
            _ => Kind.Regular,
        };
    }

    /// <summary>Null when <paramref name="path"/> is a regular file; otherwise the diagnostic that says what it is.</summary>
    public static Diagnostic? Problem(string path)
    {
        var shown = Definition.TextRules.Visible(path);
        return Inspect(path) switch
        {
            Kind.Regular => null,
            Kind.Missing => DiagnosticCatalog.FileNotFound.Create(shown),
            Kind.Directory => DiagnosticCatalog.NotARegularFile.Create(shown, "a directory"),
            Kind.Fifo => DiagnosticCatalog.NotARegularFile.Create(shown, "a FIFO (named pipe)"),
            Kind.CharacterDevice => DiagnosticCatalog.NotARegularFile.Create(shown, "a character device"),
            Kind.BlockDevice => DiagnosticCatalog.NotARegularFile.Create(shown, "a block device"),
            _ => DiagnosticCatalog.NotARegularFile.Create(shown, "a socket"),
        };
    }

    /// <summary>
    /// Reads a regular file as UTF-8 text, at most <paramref name="maxBytes"/> bytes: null when it is larger, whatever
    /// its length said when it was checked (it may grow meanwhile).
    /// </summary>
    public static string? ReadTextCapped(string path, long maxBytes) =>
        ReadBytesCapped(path, maxBytes) is { } bytes ? new UTF8Encoding(false).GetString(bytes).TrimStart('\uFEFF') : null;

    /// <summary>The bytes of a regular file, at most <paramref name="maxBytes"/>; null when it is larger.</summary>
    public static byte[]? ReadBytesCapped(string path, long maxBytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
        if (stream.Length > maxBytes) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > maxBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    // The file type bits of stat(2) as .NET's own native shim reports them (the same values on every Unix); .NET has
    // no public API that tells a FIFO or a device from a regular file. 0 when unknown (Windows, or no shim).
    private static int UnixType(string path)
    {
        if (OperatingSystem.IsWindows()) return 0;
        try
        {
            var status = new byte[256];
            return Stat(path, status) == 0 ? BitConverter.ToInt32(status, 4) & 0xF000 : 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return 0;
        }
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code for this signature; a plain DllImport of a byte[] is enough
    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int Stat(string path, [Out] byte[] status);
#pragma warning restore SYSLIB1054
}
