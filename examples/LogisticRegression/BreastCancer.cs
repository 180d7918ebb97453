using System.Globalization;

namespace SeriesCompiler.Examples;

/// <summary>
/// The UCI breast cancer data (data/breast_cancer.csv, embedded): 569 rows of 30 features, standardised with the
/// population standard deviation, plus a bias column; labels 1 (benign) or 0 (malignant).
/// </summary>
public static class BreastCancer
{
    public static (double[][] X, double[] Y) Load()
    {
        using var stream = typeof(BreastCancer).Assembly.GetManifestResourceStream("breast_cancer.csv")
            ?? throw new InvalidOperationException("the breast cancer data is not embedded");
        using var reader = new StreamReader(stream);
        reader.ReadLine(); // header: 569,30,malignant,benign
        var raw = new List<double[]>();
        while (reader.ReadLine() is { } line)
            if (line.Length > 0) raw.Add([.. line.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture))]);
        int features = raw[0].Length - 1;
        var x = raw.Select(_ => new double[features + 1]).ToArray();
        for (int f = 0; f < features; f++)
        {
            double mean = raw.Average(r => r[f]);
            double sd = Math.Sqrt(raw.Sum(r => (r[f] - mean) * (r[f] - mean)) / raw.Count);
            for (int n = 0; n < raw.Count; n++) x[n][f] = (raw[n][f] - mean) / sd;
        }
        foreach (var row in x) row[features] = 1.0;
        return (x, [.. raw.Select(r => r[features])]);
    }
}
