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
        var starts = new List<int> { 0 };
        for (int i = 0; i < text.Length; i++)
            if (text[i] == '\n') starts.Add(i + 1);
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
    /// given). Throws <see cref="IOException"/> for a file above <see cref="MaxFileBytes"/>, like any unreadable file.
    /// </summary>
    public static SourceText FromFile(string path, string? displayPath = null)
    {
        long length = new FileInfo(path).Length;
        if (length > MaxFileBytes)
            throw new IOException($"the file has {length:N0} bytes; declaration files are limited to {MaxFileBytes >> 20} MiB");
        return new SourceText(displayPath ?? path, File.ReadAllText(path));
    }

    /// <summary>1-based line and column of an offset (columns count UTF-16 code units, as editors do).</summary>
    public (int Line, int Column) GetLineColumn(int position)
    {
        position = Math.Clamp(position, 0, Text.Length);
        int index = Array.BinarySearch(_lineStarts, position);
        if (index < 0) index = ~index - 1;
        return (index + 1, position - _lineStarts[index] + 1);
    }
}
