using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Symbolic.Objectives;

namespace SeriesCompiler.Bench;

/// <summary>
/// Issue 13 item 7: the gamma toy (d = 100, f = sum_j (z_j - 0.49)^2, z_j ~ Gamma(2.5, 0.7)) through the public API,
/// beside PyTorch's pathwise and score (bench/peers/torch_gamma_toy.py, CPU, one thread, float64) in the same run, at
/// 1 and 1,000 samples per gradient. Per estimator: microseconds per gradient (a whole <c>Estimate</c> call, set-up
/// included; wall clock and the measuring thread's CPU time, see <see cref="ThreadCpu"/>), ns per sample and coordinate,
/// the ratio to PyTorch's pathwise (wall and CPU), bytes allocated per call, and
/// work-normalised variance: the trace of the gradient's covariance over repeated seeds times the time per gradient.
/// Sessions run as a training loop does: <see cref="EstimationSession.SetParameters"/> then Estimate, per gradient, the
/// parameters alternating between theta and theta nudged in its last bits (every copy moves, as in training, and the
/// gradient's law does not); "(block f)" is f as a user's <see cref="Objective"/> with block methods (<see cref="GammaToyQuadratic"/>).
/// Run: <c>dotnet run -c Release --project bench/SeriesCompiler.Bench -- gamma-toy</c>. Without torch the peer is
/// skipped with a message.
/// </summary>
internal static class GammaToySideBySide
{
    private const int D = 100;
    private static readonly (int Samples, int Reps)[] Sizes = [(1, 2000), (1000, 20)];

    // CpuMicros: the measuring thread's CPU time per gradient (the wall clock also counts the time other processes held
    // the cores: on a loaded machine the CPU ratio is the steadier one).
    private sealed record Row(string Name, int Samples, double MicrosPerGradient, double VarianceTrace, double BytesPerCall, double CpuMicros);

    public static void Run(TextWriter output)
    {
        var gamma = Rules.Load("gamma");
        var theta = new double[2 * D];
        for (int j = 0; j < D; j++) (theta[2 * j], theta[2 * j + 1]) = (2.5, 0.7);
        var api = Objective.Sum(z => Jet.Square(z - 0.49));
        var block = new GammaToyQuadratic();
        var cli = ObjectiveParser.Parse("(z - 0.49)^2", ObjectiveShape.For(gamma, [2.5, 0.7], D));
        var ours = new (string, GradientEstimator, Objective)[]
        {
            ("fourier N=2", new FourierEstimator(gamma, 2), api),
            ("resummed", new ResummedEstimator(gamma), api),
            ("pathwise", new PathwiseEstimator(gamma), api),
            ("score", new ScoreFunctionEstimator(gamma), api),
            ("fourier N=2 (--f)", new FourierEstimator(gamma, 2), cli),
            ("resummed (--f)", new ResummedEstimator(gamma), cli),
            ("pathwise (--f)", new PathwiseEstimator(gamma), cli),
        };
        // Prepared sessions (a training loop's form): set-up once, then Estimate into the caller's spans.
        var sessions = new (string, EstimationSession)[]
        {
            ("fourier N=2 session", new FourierEstimator(gamma, 2).Prepare(theta, api, D)),
            ("resummed session", new ResummedEstimator(gamma).Prepare(theta, api, D)),
            ("pathwise session", new PathwiseEstimator(gamma).Prepare(theta, api, D)),
            ("fourier N=2 (--f) s.", new FourierEstimator(gamma, 2).Prepare(theta, cli, D)),
            ("resummed (--f) s.", new ResummedEstimator(gamma).Prepare(theta, cli, D)),
            ("fourier N=2 (block f)", new FourierEstimator(gamma, 2).Prepare(theta, block, D)),
            ("resummed (block f)", new ResummedEstimator(gamma).Prepare(theta, block, D)),
            ("pathwise (block f)", new PathwiseEstimator(gamma).Prepare(theta, block, D)),
        };
        // No pass thrown away: every measurement first runs its own step to steady state (Steady).
        var rows = new List<Row>();
        foreach (var (samples, reps) in Sizes)
        {
            foreach (var (name, estimator, f) in ours)
                rows.Add(Measure(name, estimator, f, theta, samples, reps));
            foreach (var (name, session) in sessions)
                rows.Add(MeasureSession(name, session, theta, samples, reps));
        }
        var peers = Torch(output);
        rows.AddRange(peers);

        output.WriteLine($"gamma toy: d = {D}, f = sum_j (z_j - 0.49)^2, Gamma(k = 2.5, mu = 0.7) per coordinate; load average {SideBySide.LoadAverage()}");
        foreach (var (samples, _) in Sizes)
        {
            var torchPathwise = rows.FirstOrDefault(r => r.Name == "torch pathwise" && r.Samples == samples);
            output.WriteLine();
            output.WriteLine($"{samples} sample{(samples == 1 ? "" : "s")} per gradient");
            output.WriteLine($"  {"estimator",-22} {"us/gradient",12} {"cpu us",10} {"ns/(sample*coord)",18} {"vs torch pathwise",18} {"cpu ratio",10} {"B/call",8} {"variance",12} {"variance x ms",14}");
            foreach (var r in rows.Where(r => r.Samples == samples))
            {
                string ratio = torchPathwise is null ? "-" : (torchPathwise.MicrosPerGradient / r.MicrosPerGradient).ToString("F2", CultureInfo.InvariantCulture) + "x faster";
                string cpuRatio = torchPathwise is null ? "-" : (torchPathwise.CpuMicros / r.CpuMicros).ToString("F2", CultureInfo.InvariantCulture) + "x";
                output.WriteLine($"  {r.Name,-22} {F(r.MicrosPerGradient, "F1"),12} {F(r.CpuMicros, "F1"),10} {F(1000 * r.MicrosPerGradient / (samples * D), "F1"),18} {ratio,18} {cpuRatio,10} "
                    + $"{(double.IsNaN(r.BytesPerCall) ? "-" : F(r.BytesPerCall, "F0")),8} {F(r.VarianceTrace, "G4"),12} {F(r.VarianceTrace * r.MicrosPerGradient / 1000, "G4"),14}");
            }
        }
    }

    private static string F(double x, string format) => x.ToString(format, CultureInfo.InvariantCulture);

    private static Row Measure(string name, GradientEstimator estimator, Objective f, double[] theta, int samples, int reps)
    {
        int warm = 0;
        Steady(() => estimator.Estimate(theta, f, samples, seed: (ulong)(1_000_000 + warm++), copies: D));
        var gradients = new double[reps][];
        long allocated = 0;
        double cpu = ThreadCpu.Nanoseconds();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = estimator.Estimate(theta, f, samples, seed: (ulong)(i + 1), copies: D);
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            gradients[i] = [.. e.Gradient];
        }
        double micros = clock.Elapsed.TotalMicroseconds / reps;
        // Read before the variance below: its pass over the gradients is not a gradient's work.
        double cpuMicros = (ThreadCpu.Nanoseconds() - cpu) / 1000 / reps;
        return new Row(name, samples, micros, SideBySide.VarianceTrace(gradients), (double)allocated / reps, cpuMicros);
    }

    private static Row MeasureSession(string name, EstimationSession session, double[] theta, int samples, int reps)
    {
        var gradients = new double[reps][];
        var gradient = new double[session.GradientLength];
        var error = new double[session.GradientLength];
        var nudged = Nudged(theta);
        int warm = 0;
        Steady(() =>
        {
            session.SetParameters((warm & 1) == 0 ? theta : nudged);
            session.Estimate(samples, (ulong)(1_000_000 + warm++), gradient, error);
        });
        for (int i = 0; i < reps; i++) gradients[i] = new double[gradient.Length];
        // The clock is a timestamp (no Stopwatch object): the bytes counted are the loop's alone.
        double cpu = ThreadCpu.Nanoseconds();
        long before = GC.GetAllocatedBytesForCurrentThread();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < reps; i++)
        {
            session.SetParameters((i & 1) == 0 ? theta : nudged);
            session.Estimate(samples, (ulong)(i + 1), gradients[i], error);
        }
        double micros = Stopwatch.GetElapsedTime(start).TotalMicroseconds / reps;
        // The CPU clock is read here, not after the variance below (an earlier version read it after, and the variance's
        // pass over 2,000 gradients added about 1.5 us to every one-sample row's CPU time).
        double cpuMicros = (ThreadCpu.Nanoseconds() - cpu) / 1000 / reps;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return new Row(name, samples, micros, SideBySide.VarianceTrace(gradients), (double)allocated / reps, cpuMicros);
    }

    /// <summary>Theta with every value moved by about 2^-40 of itself: a training step's new parameters, the same law.</summary>
    /// <summary>
    /// Runs <paramref name="step"/> until the code it runs is the JIT's final (tier-1) code: the runtime compiles a method
    /// again, optimised, on a background thread after it has been called 30 times, and on a loaded machine that thread
    /// can lag by tenths of a second, so a count of warm-up calls measured some runs' tier-0 code (the one-sample rows
    /// of earlier runs varied by 1.6x). Calls for 0.3 s, pauses 50 ms for the background compiler, calls for 0.1 s more.
    /// A training loop runs many thousands of steps, so its steady state is what a step costs.
    /// </summary>
    internal static void Steady(Action step)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 3 || clock.ElapsedMilliseconds < 300; i++) step();
        Thread.Sleep(50);
        clock.Restart();
        for (int i = 0; i < 3 || clock.ElapsedMilliseconds < 100; i++) step();
    }

    internal static double[] Nudged(double[] theta) => [.. theta.Select(x => x * (1 + Math.ScaleB(1.0, -40)))];

    private static List<Row> Torch(TextWriter output)
    {
        const string python = "/usr/bin/python3";
        string? script = FindScript();
        if (script is null || !File.Exists(python))
        {
            output.WriteLine("PyTorch peer skipped: bench/peers/torch_gamma_toy.py or /usr/bin/python3 not found");
            return [];
        }
        if (SideBySide.Exec(python, ["-c", "import torch"], out _) != 0)
        {
            output.WriteLine("PyTorch peer skipped: /usr/bin/python3 cannot import torch (apt-get install -y python3-torch)");
            return [];
        }
        var arguments = new List<string> { script, "--d", D.ToString(CultureInfo.InvariantCulture), "--samples" };
        arguments.AddRange(Sizes.Select(s => s.Samples.ToString(CultureInfo.InvariantCulture)));
        arguments.Add("--reps");
        arguments.AddRange(Sizes.Select(s => s.Reps.ToString(CultureInfo.InvariantCulture)));
        if (SideBySide.Exec(python, arguments, out string stdout) != 0)
        {
            output.WriteLine("PyTorch peer failed: " + stdout);
            return [];
        }
        var rows = new List<Row>();
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            rows.Add(new Row("torch " + root.GetProperty("estimator").GetString(), root.GetProperty("samples").GetInt32(),
                root.GetProperty("us_per_gradient").GetDouble(), root.GetProperty("variance_trace").GetDouble(), double.NaN,
                root.TryGetProperty("cpu_us_per_gradient", out var cpu) ? cpu.GetDouble() : double.NaN));
        }
        return rows;
    }

    private static string? FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "bench", "peers", "torch_gamma_toy.py");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
