namespace SeriesCompiler.Runtime.Differentiation;

/// <summary>k! and 1/k! for k = 0..170 (171! overflows a double), built once by exact-ish products.</summary>
internal static class Factorials
{
    public static readonly double[] Table = Build();
    public static readonly double[] Inverse = BuildInverse(Table);

    private static double[] Build()
    {
        var f = new double[TaylorSeries.MaxOrder + 1];
        f[0] = 1;
        // k! is exact in doubles up to 22!; beyond that each product rounds once (relative error <= k ulp/2).
        for (int k = 1; k < f.Length; k++) f[k] = f[k - 1] * k;
        return f;
    }

    private static double[] BuildInverse(double[] f)
    {
        var inv = new double[f.Length];
        for (int k = 0; k < f.Length; k++) inv[k] = 1.0 / f[k];
        return inv;
    }
}
