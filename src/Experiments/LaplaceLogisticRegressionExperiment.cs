using System.Diagnostics;
using System.Globalization;
using System.Text;
using SeriesCompiler.Experiments.Output;
using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Experiments;

/// <summary>
/// Section 6.2: Bayesian logistic regression on the breast cancer data with a Laplace prior and a Laplace
/// mean-field posterior; Adam (lr 1e-3), batch 64, 50 posterior samples per step; Fourier truncated at N = 1, 4, 8,
/// the exact resummed rule, pathwise and score function. Records the ELBO, the log-variance of the gradient and
/// the accuracy on the whole data set.
/// </summary>
public sealed class LaplaceLogisticRegressionExperiment : IExperiment
{
    public string Name => "laplace-logreg";
    public string Description => "Bayesian logistic regression, Laplace prior and posterior, UCI breast cancer: Fourier N = 1, 4, 8, resummed, pathwise, score";

    public const int Batch = 64;
    public const int Samples = 50;

    public ExperimentResult Run(ExperimentOptions options)
    {
        var watch = Stopwatch.StartNew();
        Directory.CreateDirectory(options.OutputDirectory);
        var model = new LaplaceLogisticModel(LogisticData.BreastCancer(), RuleLibrary.Load("laplace"));
        int seeds = options.Quick ? 2 : 5;
        int steps = options.Quick ? 300 : 10_000;
        int every = options.Quick ? 25 : 250;
        var log = new RunLog(["elbo", "log10_gradient_variance", "accuracy"]);
        var estimators = LaplaceLogisticModel.Estimators;
        int total = estimators.Length * seeds, done = 0;
        foreach (var estimator in estimators)
            Parallel.For(0, seeds, new ParallelOptions { MaxDegreeOfParallelism = 2 }, seed =>
            {
                Train(model, estimator, seed, steps, every, log);
                int n = Interlocked.Increment(ref done);
                options.Progress?.Report(new ExperimentProgress((double)n / total, $"{estimator} seed {seed}"));
            });

        var files = new List<string>();
        string csv = Path.Combine(options.OutputDirectory, Name + ".csv");
        log.WriteCsv(csv);
        files.Add(csv);
        files.Add(Plots.Lines(Path.Combine(options.OutputDirectory, $"{Name}-elbo.png"), "training ELBO (whole data set)", "ELBO", log, "breast-cancer", "elbo"));
        files.Add(Plots.Lines(Path.Combine(options.OutputDirectory, $"{Name}-variance.png"), "log10 gradient variance", "log10 variance", log, "breast-cancer", "log10_gradient_variance"));
        files.Add(Plots.Lines(Path.Combine(options.OutputDirectory, $"{Name}-accuracy.png"), "accuracy (posterior mean, whole data set)", "accuracy", log, "breast-cancer", "accuracy"));
        var summary = Summary(log, steps, seeds, watch.Elapsed);
        string md = Path.Combine(options.OutputDirectory, "summary.md");
        File.WriteAllText(md, summary);
        files.Add(md);
        if (!log.AllFinite) throw new InvalidOperationException($"{Name}: a recorded number is not finite");
        return new ExperimentResult(Name, files, watch.Elapsed, summary);
    }

    internal static void Train(LaplaceLogisticModel model, string estimator, int seed, int steps, int every, RunLog log)
    {
        int d = model.Dimension;
        var random = new RandomSource((ulong)(7919 * seed + 3));
        var parameters = new double[2 * d]; // mu = 0, b = 1: the prior
        var gradient = new double[2 * d];
        var probe = new double[2 * d];
        var sum = new double[2 * d];
        var sumSq = new double[2 * d];
        var adam = new Adam(2 * d);
        var ws = new LaplaceLogisticModel.Workspace(model, Batch);
        var batch = new int[Batch];
        for (int step = 0; step <= steps; step++)
        {
            NextBatch(random, model.Data.Count, batch);
            if (step % every == 0)
            {
                const int repeats = 8;
                Array.Clear(sum); Array.Clear(sumSq);
                var probeRandom = random.Stream(step + 1);
                for (int r = 0; r < repeats; r++)
                {
                    model.Gradient(estimator, parameters, batch, Samples, probeRandom, probe, ws);
                    for (int i = 0; i < probe.Length; i++) { sum[i] += probe[i]; sumSq[i] += probe[i] * probe[i]; }
                }
                double variance = 0;
                for (int i = 0; i < probe.Length; i++) variance += Math.Max(0, sumSq[i] - sum[i] * sum[i] / repeats) / (repeats - 1);
                log.Add("breast-cancer", estimator, seed, step,
                    model.Elbo(parameters, 10, random.Stream(1_000_000 + step)), Math.Log10(variance / probe.Length + 1e-300), model.Accuracy(parameters));
            }
            if (step == steps) break;
            model.Gradient(estimator, parameters, batch, Samples, random, gradient, ws);
            adam.Step(parameters, gradient);
        }
    }

    internal static void NextBatch(RandomSource random, int count, int[] batch)
    {
        for (int i = 0; i < batch.Length; i++) batch[i] = random.NextInt(count);
    }

    private string Summary(RunLog log, int steps, int seeds, TimeSpan elapsed)
    {
        var sb = new StringBuilder();
        sb.Append($"# {Name}\n\n{Description}.\n\nAdam (lr 1e-3) from the prior (mu = 0, b = 1), batch {Batch}, {Samples} posterior samples per step, ");
        sb.Append($"{steps} steps, {seeds} seeds; mean +- std across seeds at the last step. Run time {elapsed.TotalSeconds:F0} s.\n\n");
        sb.Append("| estimator | ELBO | log10 gradient variance | accuracy |\n|---|---|---|---|\n");
        foreach (var e in log.Estimators("breast-cancer"))
        {
            var (_, elbo, elboStd) = log.Summary("breast-cancer", e, "elbo");
            var (_, v, vStd) = log.Summary("breast-cancer", e, "log10_gradient_variance");
            var (_, acc, accStd) = log.Summary("breast-cancer", e, "accuracy");
            sb.Append(CultureInfo.InvariantCulture, $"| {e} | {elbo[^1]:F1} +- {elboStd[^1]:F1} | {v[^1]:F2} +- {vStd[^1]:F2} | {acc[^1]:F3} +- {accStd[^1]:F3} |\n");
        }
        return sb.ToString();
    }
}
