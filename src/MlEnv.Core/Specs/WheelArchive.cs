using System.Buffers.Binary;

namespace MlEnv.Specs;

/// <summary>
/// A cheap check that a wheel is a zip archive, before it is hashed and sent to a build: the local header at the start,
/// the end-of-central-directory record at the end, and a central directory inside the file. Reads at most 64 KiB.
/// </summary>
public static class WheelArchive
{
    private const int EndRecordSize = 22;
    private const int MaxCommentLength = 0xFFFF;

    /// <summary>Why the file is not a usable zip archive, or null.</summary>
    public static string? Problem(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.RandomAccess);
        var length = stream.Length;
        if (length == 0) return "the file is empty, not a zip archive";
        if (length < EndRecordSize + 4) return "the file is too short to be a zip archive";
        var head = new byte[4];
        stream.ReadExactly(head);
        if (BinaryPrimitives.ReadUInt32LittleEndian(head) != 0x04034b50) return "not a zip archive (no zip entry at the start)";

        var tailLength = (int)Math.Min(length, EndRecordSize + MaxCommentLength);
        var tail = new byte[tailLength];
        stream.Seek(length - tailLength, SeekOrigin.Begin);
        stream.ReadExactly(tail);
        for (var i = tailLength - EndRecordSize; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) != 0x06054b50) continue;
            var commentLength = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(i + 20));
            if (i + EndRecordSize + commentLength != tailLength) continue; // a signature inside data or the comment
            var entries = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(i + 10));
            var directorySize = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i + 12));
            var directoryOffset = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i + 16));
            if (entries == 0) return "the zip archive has no entries; a wheel holds at least its .dist-info";
            if (directoryOffset == uint.MaxValue || entries == ushort.MaxValue) return null; // zip64: the real values are elsewhere
            var endRecordAt = length - tailLength + i;
            if ((long)directoryOffset + directorySize > endRecordAt) return "the zip central directory lies outside the file";
            stream.Seek(directoryOffset, SeekOrigin.Begin);
            stream.ReadExactly(head);
            return BinaryPrimitives.ReadUInt32LittleEndian(head) == 0x02014b50 ? null : "the zip central directory is damaged";
        }
        return "not a zip archive (no end of central directory record)";
    }
}
