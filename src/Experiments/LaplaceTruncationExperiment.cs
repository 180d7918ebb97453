using System.Diagnostics;
using System.Globalization;
using System.Text;
using SeriesCompiler.Experiments.Output;
using SeriesCompiler.Runtime.Sampling;
using SeriesCompiler.Runtime.Training;

namespace SeriesCompiler.Experiments;

/// <summary>
/// Figure 4, measured in standard errors. The logistic regression is trained with the pathwise gradient from the prior,
/// once per seed (logging, along the way, the mean squared difference of the Fourier N = 8 gradient from the pathwise and score
/// gradients and the gradients' norms). Then, at four posterior scales (every b_j = 0.05, 0.3, 1 at the trained means,
/// and the trained point itself) and for each seed (its own minibatch), every estimator (Fourier N = 1..12, resummed,
/// pathwise, score) is repeated at 50 samples, and its mean is compared per coordinate with a pathwise reference of
/// 10^6 samples whose standard error comes from 100 independent chunks: z_j = (mean_j - ref_j) / sqrt(var_j / R +
/// se_ref_j^2). With no bias z_j is about standard normal, so the root mean square of z over the 31 mu (or 31 b)
/// coordinates is about 1 and the largest about 2.5; a bias shows as z far beyond. The b-gradient is reported in
/// rho = log b (d/drho = b d/db), as the optimiser sees it; z does not depend on that scale.
/// </summary>
public sealed class LaplaceTruncationExperiment : IExperiment
{
    public string Name => "laplace-truncation";
    public string Description => "bias (in standard errors) and variance of the Fourier gradient against the truncation level N = 1..12, per parameter, at b = 0.05, 0.3, 1 and the trained point; MSE to pathwise and score and gradient norms over training";

    private const string Training = "training", Levels = "levels", Point = "point";
    public static readonly string[] Scales = ["b=0.05", "b=0.3", "b=1", "trained"];

    /// <summary>The estimators measured: the truncations in order, then the others.</summary>
    public static readonly string[] Estimators = [.. Enumerable.Range(1, 12).Select(n => "fourier N=" + n), "resummed", "pathwise", "score"];

    // Columns of the levels table: per parameter group, the rms and max of |z| over coordinates, the mean |bias| and
    // the log10 of the mean per-coordinate variance of one 50-sample estimate.
    private static readonly string[] LevelMetrics = ["rms_z_mu", "max_z_mu", "mean_abs_bias_mu", "log10_variance_mu", "rms_z_b", "max_z_b", "mean_abs_bias_b", "log10_variance_b", "reference_se_b"];

    public ExperimentResult Run(ExperimentOptions options)
    {
        var watch = Stopwatch.StartNew();
        if (options.Epochs is not null) throw new ExperimentInputException($"{Name} trains for a number of --steps, not --epochs");
        if (options.Data is not null) throw new ExperimentInputException($"{Name} takes no --data: it runs on the embedded UCI breast cancer data");
        Directory.CreateDirectory(options.OutputDirectory);
        var training = new RunLog(["mse_vs_pathwise", "mse_vs_score", "norm_fourier_N8", "norm_pathwise"]);
        var point = new RunLog(["mu", "b"]);
        var levels = new RunLog(LevelMetrics).WithEstimatorOrder(Estimators);
        var tables = new Dictionary<string, RunLog> { [Training] = training, [Point] = point, [Levels] = levels };
        string Csv(string table) => Path.Combine(options.OutputDirectory, $"{Name}-{table}.csv");
        string head;
        if (options.Replot)
        {
            Replot.CheckOptions(options, Name);
            foreach (var (table, log) in tables) log.ReadCsv(Csv(table));
            head = Replot.SummaryHead(options.OutputDirectory, Name);
        }
        else
        {
            var model = new LaplaceLogisticModel(LogisticData.BreastCancer(), RuleLibrary.Load("laplace"));
            int d = model.Dimension;
            int trainSteps = options.Steps ?? (options.Quick ? 200 : 2_000);
            int seeds = options.Seeds ?? (options.Quick ? 2 : 5);
            int repeats = options.Quick ? 30 : 200;
            // The reference: chunks of pathwise samples, their spread giving its standard error.
            int chunks = options.Quick ? 20 : 100, chunkSamples = options.Quick ? 3_000 : 10_000;
            double learningRate = options.LearningRate ?? 1e-3;
            string fingerprint = string.Create(CultureInfo.InvariantCulture,
                $"{Name} quick={options.Quick} steps={trainSteps} seeds={seeds} repeats={repeats} reference={chunks}x{chunkSamples} lr={learningRate:R}");

            // One training run per seed, for the spread of Fig. 4's MSE and norm panels; seed 0's (key "training", as
            // before per-seed training) gives the trained point that the measurements start from.
            var trainingJobs = Enumerable.Range(0, seeds).Select(seed => new ExperimentJob(seed == 0 ? "training" : $"training seed={seed}",
                seed == 0 ? "training (pathwise)" : $"training (pathwise) seed {seed}", r => Train(model, trainSteps, learningRate, seed, r))).ToList();
            int readBack = JobRunner.Run(options, fingerprint, trainingJobs, tables);
            var trained = new double[2 * d];
            foreach (var (_, j, mu) in point.Values("trained", "parameters", "mu")) trained[j] = mu;
            foreach (var (_, j, b) in point.Values("trained", "parameters", "b")) trained[d + j] = Math.Log(b);

            var jobs = (from scale in Scales
                        from seed in Enumerable.Range(0, seeds)
                        select new ExperimentJob($"{scale} seed={seed}", $"{scale} seed {seed}",
                            r => Measure(model, trained, scale, seed, repeats, chunks, chunkSamples, r))).ToList();
            readBack += JobRunner.Run(options, fingerprint, jobs, tables, laterPhase: true);
            foreach (var (table, log) in tables) log.WriteCsv(Csv(table));
            head = SummaryHead(point, trainSteps, seeds, repeats, chunks * chunkSamples, learningRate, JobRunner.RunTime(watch.Elapsed, readBack, jobs.Count + trainingJobs.Count));
        }

        var files = tables.Keys.Select(Csv).ToList();
        files.AddRange(Figures(options.OutputDirectory, levels, training, levels.SeedCount));
        var summary = head + SummaryBody(levels, training);
        string md = Path.Combine(options.OutputDirectory, Replot.SummaryFile);
        File.WriteAllText(md, summary);
        files.Add(md);
        if (!training.AllFinite || !levels.AllFinite || !point.AllFinite) throw new InvalidOperationException($"{Name}: a recorded number is not finite");
        return new ExperimentResult(Name, files, watch.Elapsed, summary);
    }

    /// <summary>
    /// Pathwise training from the prior; every 1/40 of the way the three gradients at one batch are compared. Seed 0
    /// (the stream of the single run before per-seed training) also records the trained point.
    /// </summary>
    private static void Train(LaplaceLogisticModel model, int steps, double learningRate, int seed, JobRecorder recorder)
    {
        int d = model.Dimension;
        var random = new RandomSource(2021 + 7919 * (ulong)seed);
        var ws = new LaplaceLogisticModel.Workspace(model, LaplaceLogisticRegressionExperiment.Batch);
        var parameters = new double[2 * d];
        var gradient = new double[2 * d];
        var batch = new int[LaplaceLogisticRegressionExperiment.Batch];
        var adam = new Adam(2 * d, learningRate);
        var fourier = new double[2 * d];
        var pathwise = new double[2 * d];
        var score = new double[2 * d];
        int every = Math.Max(1, steps / 40);
        const int samples = LaplaceLogisticRegressionExperiment.Samples;
        for (int step = 0; step <= steps; step++)
        {
            LaplaceLogisticRegressionExperiment.NextBatch(random, model.Data.Count, batch);
            if (step % every == 0 || step == steps)
            {
                model.Gradient("fourier N=8", parameters, batch, samples, random, fourier, ws);
                model.Gradient("pathwise", parameters, batch, samples, random, pathwise, ws);
                model.Gradient("score", parameters, batch, samples, random, score, ws);
                recorder.Add(Training, "training", "fourier N=8", seed, step, Mse(fourier, pathwise), Mse(fourier, score), Norm(fourier), Norm(pathwise));
            }
            if (step == steps) break;
            model.Gradient("pathwise", parameters, batch, samples, random, gradient, ws);
            adam.Step(parameters, gradient);
        }
        if (seed == 0)
            for (int j = 0; j < d; j++) recorder.Add(Point, "trained", "parameters", 0, j, parameters[j], Math.Exp(parameters[d + j]));
    }

    /// <summary>One seed at one scale: a batch, the reference with its standard error, then every estimator repeated.</summary>
    private static void Measure(LaplaceLogisticModel model, double[] trained, string scale, int seed, int repeats, int chunks, int chunkSamples, JobRecorder recorder)
    {
        int d = model.Dimension;
        var random = new RandomSource((ulong)(104_729 * (Array.IndexOf(Scales, scale) + 1) + 31 * seed));
        var parameters = (double[])trained.Clone();
        if (scale != "trained")
        {
            double b = double.Parse(scale.AsSpan(2), CultureInfo.InvariantCulture);
            for (int j = 0; j < d; j++) parameters[d + j] = Math.Log(b);
        }
        var ws = new LaplaceLogisticModel.Workspace(model, LaplaceLogisticRegressionExperiment.Batch);
        var batch = new int[LaplaceLogisticRegressionExperiment.Batch];
        LaplaceLogisticRegressionExperiment.NextBatch(random, model.Data.Count, batch);
        var gradient = new double[2 * d];

        // The reference: mean of the chunk means; its standard error from their spread (chunks are independent).
        var (reference, referenceVariance) = Moments(chunks, random.Stream(1), g => model.Gradient("pathwise", parameters, batch, chunkSamples, g, gradient, ws), gradient);
        var referenceSe2 = referenceVariance.Select(v => v / chunks).ToArray();
        foreach (var estimator in Estimators)
        {
            // The same stream for every estimator (common random numbers): where two truncations must agree, they agree draw for draw.
            var (mean, variance) = Moments(repeats, random.Stream(2), g => model.Gradient(estimator, parameters, batch, LaplaceLogisticRegressionExperiment.Samples, g, gradient, ws), gradient);
            var values = new List<double>();
            foreach (int offset in new[] { 0, d })
            {
                double sumZ2 = 0, maxZ = 0, bias = 0, var = 0;
                for (int j = offset; j < offset + d; j++)
                {
                    double diff = mean[j] - reference[j];
                    double z = Math.Abs(diff) / Math.Sqrt(variance[j] / repeats + referenceSe2[j]);
                    sumZ2 += z * z;
                    maxZ = Math.Max(maxZ, z);
                    bias += Math.Abs(diff) / d;
                    var += variance[j] / d;
                }
                values.AddRange([Math.Sqrt(sumZ2 / d), maxZ, bias, Math.Log10(var + 1e-300)]);
            }
            values.Add(Math.Sqrt(referenceSe2.Skip(d).Average()));
            recorder.Add(Levels, scale, estimator, seed, 0, [.. values]);
        }
    }

    /// <summary>Per-coordinate mean and sample variance of <paramref name="count"/> estimates drawn from <paramref name="random"/>.</summary>
    private static (double[] Mean, double[] Variance) Moments(int count, RandomSource random, Action<RandomSource> estimate, double[] output)
    {
        // Welford's update: the b-gradient's variance at N = 12 is 10^14 times its mean's square, where sum-of-squares cancels.
        var mean = new double[output.Length];
        var m2 = new double[output.Length];
        for (int r = 0; r < count; r++)
        {
            estimate(random);
            for (int i = 0; i < output.Length; i++)
            {
                double delta = output[i] - mean[i];
                mean[i] += delta / (r + 1);
                m2[i] += delta * (output[i] - mean[i]);
            }
        }
        return (mean, m2.Select(m => m / (count - 1)).ToArray());
    }

    private static double Mse(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return s / a.Length;
    }

    private static double Norm(double[] a) => Math.Sqrt(a.Sum(x => x * x));

    /// <summary>Across seeds: the pooled rms of z (sqrt of the mean of the seeds' squares), the mean of the rest.</summary>
    internal static double Pool(IEnumerable<double> values, string metric)
    {
        var xs = values.ToArray();
        return metric.StartsWith("rms_z", StringComparison.Ordinal) ? Math.Sqrt(xs.Average(x => x * x))
            : metric.StartsWith("max_z", StringComparison.Ordinal) ? xs.Max() : xs.Average();
    }

    private IEnumerable<string> Figures(string folder, RunLog levels, RunLog training, int seeds)
    {
        var categories = Estimators.Select(e => e.StartsWith("fourier N=", StringComparison.Ordinal) ? "N=" + e["fourier N=".Length..] : e).ToList();
        foreach (var (parameter, label) in new[] { ("mu", "mu"), ("b", "b (as rho = log b)") })
        {
            // |bias| / SE: pooled rms over coordinates and seeds, with the seeds' standard error as the bar.
            var z = Scales.Select(s => (s, Stat(levels, s, $"rms_z_{parameter}", pooled: true), Spread(levels, s, $"rms_z_{parameter}"))).Select(t => (t.s, t.Item2, t.Item3)).ToList();
            yield return Plots.Categories(Path.Combine(folder, $"{Name}-bias-{parameter}.png"),
                $"|bias| / SE of the {label}-gradient (rms over 31 coordinates, {seeds} seeds)", "|bias| / SE", categories,
                z.Select(t => (t.s, t.Item2, t.Item3)).ToList(), logScale: true, referenceLine: 1);
            var v = Scales.Select(s => (s, Stat(levels, s, $"log10_variance_{parameter}", pooled: false), Spread(levels, s, $"log10_variance_{parameter}"))).ToList();
            yield return Plots.Categories(Path.Combine(folder, $"{Name}-variance-{parameter}.png"),
                $"variance of one 50-sample {label}-gradient (mean over coordinates)", "variance", categories,
                v.Select(t => (t.s, t.Item2, t.Item3)).ToList(), logScale: true, valuesAreLog10: true);
        }
        var mse = new RunLog(["mse", "norm"]);
        foreach (var (seed, step, value) in training.Values("training", "fourier N=8", "mse_vs_pathwise")) mse.Add("mse", "vs pathwise", seed, step, value, double.NaN);
        foreach (var (seed, step, value) in training.Values("training", "fourier N=8", "mse_vs_score")) mse.Add("mse", "vs score", seed, step, value, double.NaN);
        foreach (var (seed, step, value) in training.Values("training", "fourier N=8", "norm_fourier_N8")) mse.Add("norm", "fourier N=8", seed, step, double.NaN, value);
        foreach (var (seed, step, value) in training.Values("training", "fourier N=8", "norm_pathwise")) mse.Add("norm", "pathwise", seed, step, double.NaN, value);
        int runs = training.SeedCount;
        // A run made before per-seed training has one training run: no band, and the title says so.
        string spread = runs > 1 ? $"band: {runs} training runs' range" : "one training run, no band";
        yield return Plots.Lines(Path.Combine(folder, $"{Name}-mse.png"), $"MSE of the Fourier (N = 8) gradient to pathwise and score\nover pathwise training ({spread})",
            "mean squared difference", mse, "mse", "mse", logScale: true);
        yield return Plots.Lines(Path.Combine(folder, $"{Name}-gradient-norm.png"), $"gradient norm over pathwise training\n(one 50-sample estimate; {spread})",
            "||gradient||", mse, "norm", "norm", logScale: true);
    }

    private static double[] Stat(RunLog levels, string scale, string metric, bool pooled) =>
        Estimators.Select(e => Pool(levels.Values(scale, e, metric).Select(r => r.Value), metric)).ToArray();

    /// <summary>The standard error across seeds of a per-seed statistic (0 with one seed).</summary>
    private static double[] Spread(RunLog levels, string scale, string metric) =>
        Estimators.Select(e =>
        {
            var xs = levels.Values(scale, e, metric).Select(r => r.Value).ToArray();
            if (xs.Length < 2) return 0;
            double m = xs.Average();
            return Math.Sqrt(xs.Sum(x => (x - m) * (x - m)) / (xs.Length - 1) / xs.Length);
        }).ToArray();

    private string SummaryHead(RunLog point, int trainSteps, int seeds, int repeats, int referenceSamples, double learningRate, string runTime)
    {
        var b = point.Values("trained", "parameters", "b").Select(r => r.Value).ToArray();
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"# {Name}\n\n{Description}.\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"Trained {trainSteps} steps (Adam, lr {learningRate:G}, batch 64, 50 samples) with the pathwise gradient from the prior (mu = 0, b = 1). ");
        sb.Append(CultureInfo.InvariantCulture, $"The trained point's scales: b_j from {b.Min():G3} to {b.Max():G3}, median {Median(b):G3}, mean {b.Average():G3}. ");
        sb.Append(CultureInfo.InvariantCulture, $"At each scale and for each of {seeds} seeds (its own batch of 64 rows), every estimator is repeated {repeats} times at 50 samples ");
        sb.Append(CultureInfo.InvariantCulture, $"and compared per coordinate with a pathwise reference of {referenceSamples:N0} samples (standard error from independent chunks: 100 in full mode, 20 in quick mode): ");
        sb.Append("z_j = |mean_j - ref_j| / sqrt(var_j / R + se_ref_j^2). Unbiased: rms z about 1, max z over 31 coordinates about 2.5 (per seed). ");
        sb.Append(CultureInfo.InvariantCulture, $"rms z pooled over seeds; max z the largest over seeds; variance (of one 50-sample estimate, mean over coordinates; b in rho = log b) averaged over seeds as log10. {runTime}.\n\n");
        return sb.ToString();
    }

    private static string SummaryBody(RunLog levels, RunLog training)
    {
        var sb = new StringBuilder();
        foreach (var scale in Scales)
        {
            sb.Append(CultureInfo.InvariantCulture, $"## {scale}\n\n| estimator | rms z (mu) | max z (mu) | log10 var (mu) | rms z (b) | max z (b) | log10 var (b) | mean abs bias (b) |\n|---|---|---|---|---|---|---|---|\n");
            foreach (var e in Estimators)
            {
                double P(string m) => Pool(levels.Values(scale, e, m).Select(r => r.Value), m);
                sb.Append(CultureInfo.InvariantCulture,
                    $"| {e} | {P("rms_z_mu"):F2} | {P("max_z_mu"):F2} | {Log(P("log10_variance_mu"))} | {P("rms_z_b"):G3} | {P("max_z_b"):G3} | {Log(P("log10_variance_b"))} | {P("mean_abs_bias_b"):G3} |\n");
            }
            sb.Append('\n');
        }
        sb.Append("Laplace's cumulant series in b has only even orders (its odd coefficients are 0), so N = 2k + 1 estimates the same thing as N = 2k: ");
        sb.Append("with common random numbers the two rows agree to the last digit wherever the coefficients say they must.\n");
        int runs = training.SeedCount;
        sb.Append(runs > 1
            ? string.Create(CultureInfo.InvariantCulture, $"\nThe MSE and gradient-norm figures (Fig. 4's training panels) show the mean of {runs} pathwise training runs (seeds 0-{runs - 1}) with their range shaded; seed 0's run gives the trained point.\n")
            : "\nThe MSE and gradient-norm figures (Fig. 4's training panels) come from ONE pathwise training run: this run was made before the experiment trained once per seed, so they show no spread. A rerun writes one training run per seed and draws their range.\n");
        return sb.ToString();
    }

    /// <summary>A log10 variance as printed: at the 1e-300 floor the variance is exactly 0 (N = 1 has no b-term), shown as -inf.</summary>
    private static string Log(double log10) => log10 <= -299 ? "-inf" : log10.ToString("F2", CultureInfo.InvariantCulture);

    private static double Median(double[] xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
