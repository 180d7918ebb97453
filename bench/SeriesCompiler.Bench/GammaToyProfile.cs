using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Sampling;
using SeriesCompiler.Symbolic.Objectives;

namespace SeriesCompiler.Bench;

/// <summary>
/// `-- gamma-toy-profile`: where a gamma-toy gradient's time goes (d = 100, 1 and 1,000 samples): the draws (scalar per
/// sample stream, and SIMD lanes), f's derivatives per block (jets, compiled --f), the pathwise shape derivative, and
/// whole prepared sessions. ns per sample and coordinate, best of a few repeats (the machine is shared).
/// </summary>
internal static class GammaToyProfile
{
    private const int D = 100;

    public static void Run(TextWriter output)
    {
        var gamma = Rules.Load("gamma");
        var theta = new double[2 * D];
        for (int j = 0; j < D; j++) (theta[2 * j], theta[2 * j + 1]) = (2.5, 0.7);
        var api = Objective.Sum(z => Jet.Square(z - 0.49));
        var cli = ObjectiveParser.Parse("(z - 0.49)^2", ObjectiveShape.For(gamma, [2.5, 0.7], D));
        output.WriteLine($"load average {SideBySide.LoadAverage()}");
        if (Filter is not null && Filter.StartsWith("loop:", StringComparison.Ordinal))
        {
            Loop(output, gamma, theta, Filter.Split(':'));
            return;
        }
        foreach (int n in new[] { 1, 1000 })
        {
            int reps = n == 1 ? 2000 : 10;
            double per = 1.0 / ((double)n * D);
            var z = new double[D * Math.Max(n, 4)];
            var random = new RandomSource(0);
            Report(output, n, "draws: scalar streams", per, reps, () =>
            {
                for (int s = 0; s < n; s++)
                {
                    random.SetStream(1, (ulong)s);
                    for (int c = 0; c < D; c++)
                    {
                        gamma.Direct!.Sample(theta.AsSpan(2 * c, 2), random, z.AsSpan(c * n, 1));
                    }
                }
            });
            Report(output, n, "draws: lanes (Gamma fill)", per, reps, () => LaneSampler.Gamma(z.AsSpan(0, n * D), 2.5, 1));
            Report(output, n, "lanes: uniform fill", per, reps, () => LaneSampler.Uniform(z.AsSpan(0, n * D), 1));
            Report(output, n, "lanes: normal fill", per, reps, () => LaneSampler.Normal(z.AsSpan(0, n * D), 1));
            Report(output, n, "lanes: gamma, streams set once", per, reps, () =>
            {
                var lanes = default(RandomLanes);
                lanes.SetStreams(1, 0);
                for (int i = 0; i + 4 <= n * D; i += 4) lanes.Gamma(2.5).CopyTo(z.AsSpan(i));
            });
            Report(output, n, "lanes: GammaMasked, streams once", per, reps, () =>
            {
                var lanes = default(RandomLanes);
                lanes.SetStreams(1, 0);
                var shape = Vector256.Create(2.5);
                for (int i = 0; i + 4 <= n * D; i += 4) lanes.GammaMasked(shape, Vector256<ulong>.AllBitsSet).CopyTo(z.AsSpan(i));
            });
            Report(output, n, "lanes8: GammaMasked, streams once", per, reps, () =>
            {
                var lanes = default(RandomLanes8);
                lanes.SetStreams(1, [0, 1, 2, 3, 4, 5, 6, 7]);
                var shape = Vector512.Create(2.5);
                Vector512<double> spare = default;
                Vector512<ulong> has = default;
                for (int i = 0; i + 8 <= n * D; i += 8) lanes.GammaMasked(shape, Vector512<ulong>.AllBitsSet, ref spare, ref has).CopyTo(z.AsSpan(i));
            });
            Report(output, n, "lanes: GammaMasked + spare", per, reps, () =>
            {
                var lanes = default(RandomLanes);
                lanes.SetStreams(1, 0);
                var shape = Vector256.Create(2.5);
                Vector256<double> spare = default;
                Vector256<ulong> has = default;
                for (int i = 0; i + 4 <= n * D; i += 4) lanes.GammaMasked(shape, Vector256<ulong>.AllBitsSet, ref spare, ref has).CopyTo(z.AsSpan(i));
            });
            Report(output, n, "vector log x4", per, reps, () =>
            {
                var x = Vector256.Create(0.3, 0.5, 0.7, 0.9);
                var acc = Vector256<double>.Zero;
                for (int i = 0; i + 4 <= n * D; i += 4) { acc += Vector256.Log(x); x += Vector256.Create(1e-9); }
                GC.KeepAlive(acc[0]);
            });
            Report(output, n, "scalar log", per, reps, () =>
            {
                double x = 0.3, acc = 0;
                for (int i = 0; i < n * D; i++) { acc += Math.Log(x); x += 1e-9; }
                GC.KeepAlive(acc);
            });
            LaneSampler.Gamma(z.AsSpan(0, n * D), 2.5, 1);
            var dgdk = new double[n * D];
            Report(output, n, "GammaShapeDerivative.Row", per, reps, () => GammaShapeDerivative.Row(2.5, z.AsSpan(0, n * D), dgdk));
            Report(output, n, "scalar: gamma, stream set once", per, reps, () =>
            {
                random.SetStream(1, 0);
                for (int i = 0; i < n * D; i++) z[i] = random.Gamma(2.5);
            });
            output.WriteLine($"  Vector256 accelerated: {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}, Vector512: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}");
            var values = new double[n];
            var partials = new double[3 * D * n];
            Report(output, n, "f'' jets (Objective.Sum)", per, reps, () => api.ValuesAndPurePartials(new SampleBlock(z, D, n, n), 2, values, partials));
            Report(output, n, "f'' compiled --f", per, reps, () => cli.ValuesAndPurePartials(new SampleBlock(z, D, n, n), 2, values, partials));
            for (int i = 0; i < z.Length; i++) z[i] = 0.5 + (i % 17) * 0.3;
            Report(output, n, "dz/dk (scalar special fn)", per, Math.Max(2, reps / 4), () =>
            {
                double acc = 0;
                for (int i = 0; i < n * D; i++) acc += SeriesCompiler.Runtime.Special.SpecialFunctions.GammaSampleShapeDerivative(z[i], 2.5);
                GC.KeepAlive(acc);
            });
            var gradient = new double[2 * D];
            var error = new double[2 * D];
            var block = new GammaToyQuadratic();
            foreach (var (name, estimator) in new (string, GradientEstimator)[] { ("fourier N=2", new FourierEstimator(gamma, 2)), ("resummed", new ResummedEstimator(gamma)), ("pathwise", new PathwiseEstimator(gamma)) })
                foreach (var (form, f) in new (string, Objective)[] { ("block f", block), ("jets", api), ("--f", cli) })
                {
                    if (name == "pathwise" && form == "--f") continue;
                    var session = estimator.Prepare(theta, f, D);
                    // A training step: new parameters (every copy moves, by a nudge in its last bits), then the estimate.
                    var nudged = GammaToySideBySide.Nudged(theta);
                    int step = 0;
                    Report(output, n, $"session {name}, {form}", per, reps, () =>
                    {
                        session.SetParameters((step++ & 1) == 0 ? theta : nudged);
                        session.Estimate(n, 5, gradient, error);
                    });
                }
            {
                var session = new FourierEstimator(gamma, 2).Prepare(theta, block, D);
                var nudged = GammaToySideBySide.Nudged(theta);
                int step = 0;
                Report(output, n, "session SetParameters only", per, reps, () => session.SetParameters((step++ & 1) == 0 ? theta : nudged));
            }
        }
    }

    public static string? Filter;

    // `loop:<fourier|resummed|pathwise>:<samples>:<seconds>`: one block-f session's training steps, over and over, for an
    // external sampling profiler (perf with DOTNET_PerfMapEnabled=1); prints the mean time per step.
    private static void Loop(TextWriter output, Rule gamma, double[] theta, string[] spec)
    {
        int n = int.Parse(spec[2], CultureInfo.InvariantCulture);
        double seconds = double.Parse(spec[3], CultureInfo.InvariantCulture);
        GradientEstimator estimator = spec[1] switch
        {
            "fourier" => new FourierEstimator(gamma, 2),
            "resummed" => new ResummedEstimator(gamma),
            _ => new PathwiseEstimator(gamma),
        };
        var session = estimator.Prepare(theta, new GammaToyQuadratic(), D);
        var gradient = new double[2 * D];
        var error = new double[2 * D];
        var nudged = GammaToySideBySide.Nudged(theta);
        // One step first: a session's first SetParameters sizes its buffers (once); the bytes counted are the steps' after it.
        session.SetParameters(nudged);
        session.Estimate(n, 5, gradient, error);
        long steps = 0;
        long bytes = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
            for (int i = 0; i < 100; i++, steps++)
            {
                session.SetParameters((steps & 1) == 0 ? theta : nudged);
                session.Estimate(n, 5, gradient, error);
            }
        output.WriteLine($"  {spec[1]} n={n}: {(clock.Elapsed.TotalMicroseconds / steps).ToString("F2", CultureInfo.InvariantCulture)} us/step over {steps} steps, {GC.GetAllocatedBytesForCurrentThread() - bytes} B allocated in all");
    }

    private static void Report(TextWriter output, int n, string name, double per, int reps, Action body)
    {
        if (Filter is not null && !name.Contains(Filter, StringComparison.Ordinal)) return;
        GammaToySideBySide.Steady(body);
        double best = double.PositiveInfinity, bestCpu = double.PositiveInfinity;
        for (int r = 0; r < 5; r++)
        {
            double cpu = ThreadCpu.Nanoseconds();
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < reps; i++) body();
            best = Math.Min(best, clock.Elapsed.TotalNanoseconds / reps);
            bestCpu = Math.Min(bestCpu, (ThreadCpu.Nanoseconds() - cpu) / reps);
        }
        output.WriteLine($"  n={n,5} {name,-30} {(best / 1000).ToString("F2", CultureInfo.InvariantCulture),10} us/call {(best * per).ToString("F2", CultureInfo.InvariantCulture),8} ns/(sample*coord)"
            + $"  cpu {(bestCpu / 1000).ToString("F2", CultureInfo.InvariantCulture),10} us/call {(bestCpu * per).ToString("F2", CultureInfo.InvariantCulture),8} ns");
    }
}
