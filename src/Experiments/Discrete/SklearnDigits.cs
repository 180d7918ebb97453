using System.Globalization;
using System.IO.Compression;
using System.Reflection;

namespace SeriesCompiler.Experiments.Discrete;

/// <summary>
/// The 8x8 handwritten digits of Debian's python3-sklearn (data/digits8x8/digits.csv.gz, Alpaydin and Kaynak 1998,
/// BSD-3-Clause; provenance in data/digits8x8/README.md), embedded in this assembly: 1797 rows of 64 pixels in 0..16
/// and a label. The discrete-latent experiments run it as the documented substitute for Omniglot, which is not
/// obtainable here.
/// </summary>
public static class SklearnDigits
{
    public const int Width = 64;
    public const int Threshold = 8; // pixel >= 8: at least half of the 4x4 block's 16 bits inked
    public const ulong ShuffleSeed = 19980701;
    internal const string ResourceName = "digits.csv.gz";

    /// <summary>The csv's lines as shipped (64 pixels then the label), decompressed.</summary>
    internal static IEnumerable<string> RawLines()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException("the 8x8 digits are not embedded");
        using var reader = new StreamReader(new GZipStream(stream, CompressionMode.Decompress));
        string? line;
        while ((line = reader.ReadLine()) is not null)
            if (line.Length > 0) yield return line;
    }

    /// <summary>All 1797 digits binarised at <see cref="Threshold"/>, in a fixed shuffled order (the file is sorted in
    /// runs of classes, so a prefix split would not be representative).</summary>
    public static Digits Load()
    {
        var pixels = new List<double>();
        var labels = new List<int>();
        foreach (var line in RawLines())
        {
            var fields = line.Split(',');
            if (fields.Length != Width + 1) throw new InvalidDataException($"{ResourceName}: a row has {fields.Length} fields, not {Width + 1}");
            for (int i = 0; i < Width; i++) pixels.Add(int.Parse(fields[i], CultureInfo.InvariantCulture) >= Threshold ? 1 : 0);
            labels.Add(int.Parse(fields[Width], CultureInfo.InvariantCulture));
        }
        var all = new Digits(pixels.ToArray(), labels.ToArray(), "", Width);
        return all.Reordered(Digits.ShuffledOrder(all.Count, ShuffleSeed),
            $"8x8 digits of Debian's python3-sklearn 1.2.1 ({all.Count} digits of 64 pixels 0..16, binarised at >= {Threshold}; data/digits8x8/digits.csv.gz)");
    }
}
