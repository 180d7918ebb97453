using System.Diagnostics;
using System.Globalization;
using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Bench;

/// <summary>
/// The logistic bench's sessions alone, without PyTorch, for quick comparisons while working on the GLM kernels:
/// <c>dotnet run -c Release --project bench/SeriesCompiler.Bench -- logistic-profile</c>. Per estimator the fastest of
/// a few rounds of a prepared session (SelectRows + Estimate), microseconds per gradient, and the objective's own block
/// calls for one gradient, in process CPU time (the machine is shared: wall time moves with the load) (values and partials of order 9; the resummed rule's shifted order-2 partials).
/// </summary>
internal static class LogisticProfile
{
    private const int Batch = 64, Samples = 50, Reps = 300, Rounds = 5;

    public static void Run(TextWriter output)
    {
        string? root = null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "data", "breast_cancer.csv"))) { root = dir.FullName; break; }
        if (root is null) { output.WriteLine("data/breast_cancer.csv not found"); return; }
        var (x, y) = LogisticSideBySide.BreastCancer(Path.Combine(root, "data", "breast_cancer.csv"));
        int d = x[0].Length;
        var laplace = Rules.Load("laplace");
        var random = new RandomSource(2026);
        var rows = new int[Batch];
        for (int i = 0; i < Batch; i++) rows[i] = random.NextInt(x.Length);
        var theta = new double[2 * d];
        for (int j = 0; j < d; j++) (theta[2 * j], theta[2 * j + 1]) = (0.1 * random.Normal(), 0.1);
        var glm = Objective.Glm(x, y, GlmLink.Logistic);
        var options = new EstimateOptions { BlockSize = 64 };
        var estimators = new (string, GradientEstimator)[]
        {
            ("fourier N=8", new FourierEstimator(laplace, 8)), ("resummed", new ResummedEstimator(laplace)), ("pathwise", new PathwiseEstimator(laplace)),
        };
        output.WriteLine($"load average {SideBySide.LoadAverage()}; eight-lane GLM kernels (AVX-512): {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}; " +
            $"batch {Batch} rows, {Batch - rows.Distinct().Count()} of them repeats (their curvature terms are computed once)");
        var gradient = new double[2 * d];
        var error = new double[2 * d];
        // LOGISTIC_PROFILE_LOOP=<estimator name> runs that session alone for about ten seconds (for a sampling profiler).
        if (Environment.GetEnvironmentVariable("LOGISTIC_PROFILE_LOOP") is "values")
        {
            var w = new double[d * Samples];
            for (int i = 0; i < w.Length; i++) w[i] = 0.1 * random.Normal();
            var v = new double[Samples];
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < 10)
            {
                glm.SelectRows(rows);
                glm.Values(new SampleBlock(w, d, Samples, Samples), v);
            }
            return;
        }
        if (Environment.GetEnvironmentVariable("LOGISTIC_PROFILE_LOOP") is { Length: > 0 } only)
        {
            var (_, chosen) = estimators.First(e => e.Item1.StartsWith(only, StringComparison.Ordinal));
            var loop = chosen.Prepare(theta, glm, copies: d, options);
            var clock = Stopwatch.StartNew();
            for (int i = 0; clock.Elapsed.TotalSeconds < 10; i++)
            {
                glm.SelectRows(rows);
                loop.Estimate(Samples, (ulong)(i + 1), gradient, error);
            }
            return;
        }
        foreach (var (name, estimator) in estimators)
        {
            var session = estimator.Prepare(theta, glm, copies: d, options);
            double best = double.PositiveInfinity;
            for (int round = 0; round < Rounds + 1; round++)
            {
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                for (int i = 0; i < Reps; i++)
                {
                    glm.SelectRows(rows);
                    session.Estimate(Samples, (ulong)(i + 1), gradient, error);
                }
                if (round > 0) best = Math.Min(best, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / Reps);
            }
            // The bits of the last gradient and its standard errors, folded: two builds (or machines, or vector widths)
            // that print the same fold computed the same numbers.
            ulong fold = 0;
            for (int i = 0; i < gradient.Length; i++) fold = ulong.RotateLeft(fold, 7) ^ (ulong)BitConverter.DoubleToInt64Bits(gradient[i]) ^ ((ulong)BitConverter.DoubleToInt64Bits(error[i]) << 1);
            output.WriteLine($"  {name,-12} {best.ToString("F1", CultureInfo.InvariantCulture),8} us/gradient   g[1] = {gradient[1].ToString("R", CultureInfo.InvariantCulture)}   bits {fold:x16}");
        }
        // The objective's block calls alone.
        var soa = new double[d * Samples];
        var shifted = new double[d * Samples];
        for (int j = 0; j < d; j++)
            for (int s = 0; s < Samples; s++)
            {
                soa[j * Samples + s] = random.Laplace(theta[2 * j], theta[2 * j + 1]);
                shifted[j * Samples + s] = soa[j * Samples + s] + random.Laplace(theta[2 * j + 1]);
            }
        var partials = new double[10 * d * Samples];
        var values = new double[Samples];
        var result = new double[d * Samples];
        void Time(string name, Action one)
        {
            double best = double.PositiveInfinity;
            for (int round = 0; round < Rounds + 1; round++)
            {
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                for (int i = 0; i < Reps; i++) one();
                if (round > 0) best = Math.Min(best, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / Reps);
            }
            output.WriteLine($"  {name,-28} {best.ToString("F1", CultureInfo.InvariantCulture),8} us");
        }
        Time("f values+partials N=9", () => { glm.SelectRows(rows); glm.ValuesAndPurePartials(new SampleBlock(soa, d, Samples, Samples), 9, values, partials); });
        Time("f values+partials N=8", () => { glm.SelectRows(rows); glm.ValuesAndPurePartials(new SampleBlock(soa, d, Samples, Samples), 8, values, partials); });
        Time("f values+partials N=1", () => { glm.SelectRows(rows); glm.ValuesAndPurePartials(new SampleBlock(soa, d, Samples, Samples), 1, values, partials); });
        // The same block again: eta and every g^(k) held, so only the per-order products over the features run.
        Time("f partials N=8, g^(k) held", () => glm.PurePartials(new SampleBlock(soa, d, Samples, Samples), 8, partials));
        Time("f values", () => { glm.SelectRows(rows); glm.Values(new SampleBlock(soa, d, Samples, Samples), values); });
        Time("f shifted order 2", () => { glm.SelectRows(rows); glm.CoordinatePartials(new SampleBlock(soa, d, Samples, Samples), shifted, 2, result); });
        // The resummed rule's shifts, drawn one stream at a time as the session's continuation does (d copies, 2 terms, 50 samples).
        var resummedRule = (SeriesCompiler.Runtime.Rules.IResummedRule)laplace.Direct!;
        var shiftRandom = new RandomSource(7);
        Time("shifts, one at a time", () =>
        {
            double sum = 0;
            for (int s = 0; s < Samples; s++)
                for (int j = 0; j < d; j++)
                    sum += resummedRule.SampleShift(theta.AsSpan(2 * j, 2), 0, 0, shiftRandom) + resummedRule.SampleShift(theta.AsSpan(2 * j, 2), 1, 0, shiftRandom);
            if (sum == 1234.5) output.WriteLine();
        });
        Time("f shifted order 1 (no shift)", () => { glm.SelectRows(rows); glm.CoordinatePartials(new SampleBlock(soa, d, Samples, Samples), soa, 1, result); });
    }
}
