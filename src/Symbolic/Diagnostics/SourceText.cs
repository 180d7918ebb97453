using System.Runtime.InteropServices;
using System.Text;

namespace SeriesCompiler.Symbolic.Diagnostics;

/// <summary>A half-open range of character offsets into a <see cref="SourceText"/>.</summary>
public readonly record struct TextSpan(int Start, int Length)
{
    public int End => Start + Length;
    public static TextSpan FromBounds(int start, int end) => new(start, Math.Max(0, end - start));
}

/// <summary>The text of one declaration file and the map from offsets to 1-based line and column.</summary>
public sealed class SourceText
{
    private readonly int[] _lineStarts;

    public SourceText(string path, string text)
    {
        Path = path;
        Text = text;
        // A line ends at "\n", "\r\n" or a lone "\r" (old Mac files), as the lexer's statement breaks do.
        var starts = new List<int> { 0 };
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
            if (text[i] is '\n' or '\r') starts.Add(i + 1);
        }
        _lineStarts = starts.ToArray();
    }

    public string Path { get; }
    public string Text { get; }

    /// <summary>
    /// Largest declaration file read, in bytes. Far above any real declaration (the bundled ones are under 2 KB;
    /// the limits tests parse 50 MB of comments in seconds); it keeps a wrong path (a disk image, a log) from
    /// exhausting memory: .NET strings stop at about 1 G characters.
    /// </summary>
    public const long MaxFileBytes = 64L << 20;

    /// <summary>
    /// Reads a declaration file named <paramref name="path"/> in diagnostics (<paramref name="displayPath"/> when
    /// given). Throws <see cref="IOException"/> for a file above <see cref="MaxFileBytes"/>, and for anything that is
    /// not a regular file (a FIFO, a device, a socket), like any unreadable file.
    /// </summary>
    /// <remarks>
    /// The bound counts the bytes actually read, not the length the file system reports: that is 0 for
    /// <c>/dev/zero</c>, which would otherwise be read forever. Non-regular files are refused before they are
    /// opened, since opening a FIFO blocks until a writer appears.
    /// </remarks>
    public static SourceText FromFile(string path, string? displayPath = null)
    {
        if (NonRegularKind(path) is { } kind)
            throw new IOException($"it is {kind}, not a regular file; declaration files must be regular files");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        // A regular file too long already fails without reading it; the count below catches the rest.
        if (stream.CanSeek && stream.Length > MaxFileBytes)
            throw new IOException($"the file has {stream.Length:N0} bytes; declaration files are limited to {MaxFileBytes >> 20} MiB");
        return new SourceText(displayPath ?? path, ReadBounded(stream, MaxFileBytes));
    }

    /// <summary>
    /// The text of <paramref name="stream"/>, read to its end but never past <paramref name="maxBytes"/> bytes
    /// (an <see cref="IOException"/> then): the count is of bytes read, whatever length the stream claims.
    /// </summary>
    internal static string ReadBounded(Stream stream, long maxBytes)
    {
        // One buffer sized from the length the stream claims (a declaration is a few KB; a fresh 80 KB buffer and a
        // growing copy per file were most of what reading cost), grown by doubling when the claim is short or absent.
        long claimed = stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : 0;
        var bytes = new byte[(int)Math.Clamp(claimed + 1, 256, Math.Min(maxBytes + 1, 1 << 20))];
        long total = 0;
        int count = 0, read;
        while ((read = stream.Read(bytes, count, bytes.Length - count)) > 0)
        {
            total += read;
            if (total > maxBytes)
                throw new IOException($"the file has more than {maxBytes:N0} bytes; declaration files are limited to {maxBytes >> 20} MiB");
            count += read;
            // Full: double (never past what the bound allows plus the byte that proves a file too long).
            if (count == bytes.Length) Array.Resize(ref bytes, (int)Math.Min((long)bytes.Length * 2, Math.Min(maxBytes + 1, Array.MaxLength)));
        }
        // As File.ReadAllText: UTF-8 unless a byte-order mark says otherwise; invalid bytes become U+FFFD.
        using var reader = new StreamReader(new MemoryStream(bytes, 0, count, writable: false), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// "a FIFO", "a device", ... when <paramref name="path"/> exists and is not a regular file (or a folder, which
    /// opening reports itself); null otherwise, or where the file type cannot be asked (Windows has no FIFOs at
    /// ordinary paths).
    /// </summary>
    public static string? NonRegularKind(string path)
    {
        if (OperatingSystem.IsWindows()) return null;
        // .NET has no public API for the file type; its own native shim (System.Native, shipped with every runtime)
        // has a stat whose FileStatus struct is the same on every Unix: int32 Flags, int32 Mode, ... with the
        // portable S_IF* constants. The buffer is larger than the struct on purpose.
        var status = new byte[512];
        int mode;
        try
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(path + "\0");
            if (SystemNativeStat(utf8, status) != 0) return null; // missing etc.: opening reports it
            mode = BitConverter.ToInt32(status, 4) & 0xF000;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null; // the bounded read still keeps a device from exhausting memory
        }
        return mode switch
        {
            0x8000 or 0x4000 => null,   // regular file; folder
            0x1000 => "a FIFO (named pipe)",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            _ => "a special file",
        };
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat")]
    private static extern int SystemNativeStat(byte[] path, byte[] status);

    /// <summary>1-based line and column of an offset (columns count UTF-16 code units, as editors do).</summary>
    public (int Line, int Column) GetLineColumn(int position)
    {
        position = Math.Clamp(position, 0, Text.Length);
        int index = Array.BinarySearch(_lineStarts, position);
        if (index < 0) index = ~index - 1;
        return (index + 1, position - _lineStarts[index] + 1);
    }
}
