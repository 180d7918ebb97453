using System.Globalization;
using System.IO.Compression;
using SeriesCompiler.Experiments.Discrete;
using Xunit;

namespace SeriesCompiler.Tests.Discrete;

public sealed class SklearnDigitsTests
{
    /// <summary>The repository's data/digits8x8/digits.csv.gz, read here without the loader: (binarised pixels, label) per row.</summary>
    private static List<(int[] Pixels, int Label)> ReadCsvDirectly()
    {
        string? path = null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null && path is null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "data", "digits8x8", "digits.csv.gz");
            if (File.Exists(candidate)) path = candidate;
        }
        Assert.NotNull(path);
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path!), CompressionMode.Decompress));
        var rows = new List<(int[], int)>();
        for (string? line; (line = reader.ReadLine()) is not null;)
        {
            if (line.Trim().Length == 0) continue;
            var v = line.Split(',').Select(f => int.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            rows.Add((v[..^1].Select(p => p >= 8 ? 1 : 0).ToArray(), v[^1]));
        }
        return rows;
    }

    [Fact]
    public void Loads_1797_binary_8x8_digits_with_the_class_counts_of_the_csv()
    {
        var csv = ReadCsvDirectly();
        var digits = SklearnDigits.Load();
        Assert.Equal(1797, csv.Count);
        Assert.Equal(1797, digits.Count);
        Assert.Equal(64, digits.Width);
        Assert.Equal(1797 * 64, digits.Pixels.Length);
        Assert.All(digits.Pixels, p => Assert.True(p == 0 || p == 1));
        Assert.All(digits.Labels, l => Assert.InRange(l, 0, 9));
        for (int d = 0; d < 10; d++)
        {
            int expected = csv.Count(r => r.Label == d);
            Assert.InRange(expected, 170, 190); // about 180 per class
            Assert.Equal(expected, digits.Labels.Count(l => l == d));
        }
        // The same images, only reordered: the multiset of (row, label) strings agrees with the csv's.
        static string Key(IEnumerable<int> pixels, int label) => string.Concat(pixels) + ":" + label;
        var fromCsv = csv.Select(r => Key(r.Pixels, r.Label)).Order().ToList();
        var fromLoader = Enumerable.Range(0, digits.Count)
            .Select(i => Key(digits.Rows(i, 1).Select(p => (int)p), digits.Labels[i])).Order().ToList();
        Assert.Equal(fromCsv, fromLoader);
        Assert.Contains("python3-sklearn", digits.Source);
    }

    [Fact]
    public void The_shuffled_order_is_fixed_and_mixes_the_classes()
    {
        var a = SklearnDigits.Load();
        var b = SklearnDigits.Load();
        Assert.Equal(a.Labels, b.Labels);
        Assert.Equal(a.Pixels, b.Pixels);
        // The csv's own order is not kept (it would be a vanishing chance for a shuffle).
        Assert.NotEqual(ReadCsvDirectly().Select(r => r.Label), a.Labels);
        // A train/test split at 1500 has every class on both sides in roughly its share.
        for (int d = 0; d < 10; d++)
        {
            Assert.InRange(a.Labels[..1500].Count(l => l == d), 120, 180);
            Assert.InRange(a.Labels[1500..].Count(l => l == d), 10, 50);
        }
    }
}
