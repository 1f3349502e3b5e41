using System.Runtime.InteropServices;

namespace MlEnv.Specs;

/// <summary>
/// What a path names, found without opening it: opening a FIFO blocks until a writer comes, and reading a device
/// such as /dev/zero never ends. .NET has no public API for the file type on Unix, so this asks the runtime's own
/// native shim (System.Native, shipped with every .NET on Unix) for stat(2), following symbolic links.
/// </summary>
public static class FileKind
{
    public enum Kind { Missing, Regular, Directory, Fifo, CharacterDevice, BlockDevice, Socket, Other }

    public static Kind Of(string path)
    {
        if (Directory.Exists(path)) return Kind.Directory;
        if (!File.Exists(path)) return Kind.Missing;
        if (OperatingSystem.IsWindows()) return Kind.Regular;
        try
        {
            // SystemNative_Stat fills a FileStatus whose second int32 is the mode with the S_IFMT bits (pal_io.h);
            // the buffer is larger than the struct so later fields can grow without harm.
            var status = new byte[512];
            if (Stat(path, status) != 0) return Kind.Missing;
            var mode = BitConverter.ToInt32(status, 4);
            return (mode & 0xF000) switch
            {
                0x8000 => Kind.Regular,
                0x4000 => Kind.Directory,
                0x1000 => Kind.Fifo,
                0x2000 => Kind.CharacterDevice,
                0x6000 => Kind.BlockDevice,
                0xC000 => Kind.Socket,
                _ => Kind.Other,
            };
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No shim (an unusual runtime): a file of length 0 may be a device or a FIFO, so refuse what cannot be told.
            return new FileInfo(path).Length > 0 ? Kind.Regular : Kind.Other;
        }
    }

    public static string Describe(Kind kind) => kind switch
    {
        Kind.Directory => "it is a directory",
        Kind.Fifo => "it is a named pipe (FIFO)",
        Kind.CharacterDevice => "it is a character device",
        Kind.BlockDevice => "it is a block device",
        Kind.Socket => "it is a socket",
        _ => "it is not a regular file",
    };

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat")]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] status);
}
