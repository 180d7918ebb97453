using System.Globalization;
using System.Reflection;

namespace SeriesCompiler.Experiments;

/// <summary>
/// The UCI breast cancer data (data/breast_cancer.csv, Street, Wolberg and Mangasarian 1995, as shipped in Debian's
/// python3-sklearn): 569 rows of 30 features, standardised, with a bias column; labels y in {-1, +1} (benign = +1).
/// </summary>
public sealed class LogisticData
{
    public LogisticData(double[][] x, double[] y) { X = x; Y = y; }

    public double[][] X { get; }
    public double[] Y { get; }
    public int Count => Y.Length;
    public int Dimension => X[0].Length;

    public static LogisticData BreastCancer()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("breast_cancer.csv")
            ?? throw new InvalidOperationException("the breast cancer data is not embedded");
        using var reader = new StreamReader(stream);
        reader.ReadLine(); // header: 569,30,malignant,benign
        var rows = new List<double[]>();
        var labels = new List<double>();
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0) continue;
            var fields = line.Split(',');
            rows.Add(fields[..^1].Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray());
            labels.Add(fields[^1].Trim() == "1" ? 1.0 : -1.0);
        }
        int features = rows[0].Length;
        var x = rows.Select(_ => new double[features + 1]).ToArray();
        for (int f = 0; f < features; f++)
        {
            double mean = rows.Average(r => r[f]);
            double sd = Math.Sqrt(rows.Sum(r => (r[f] - mean) * (r[f] - mean)) / rows.Count);
            for (int i = 0; i < rows.Count; i++) x[i][f] = (rows[i][f] - mean) / sd;
        }
        for (int i = 0; i < rows.Count; i++) x[i][features] = 1.0; // bias
        return new LogisticData(x, labels.ToArray());
    }
}
