using System.Diagnostics;
using System.Globalization;
using System.Text;
using SeriesCompiler.Experiments.Output;
using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Experiments;

/// <summary>
/// Figure 4: at a fixed parameter value after training (pathwise, the paper's epoch 100 scaled), the bias and
/// variance of the Fourier gradient in the scales b against the truncation level N = 1..12, the bias measured
/// against a high-sample pathwise reference; the resummed rule beside it; and, over training, the mean squared
/// difference of the Fourier (N = 8) gradient from the pathwise and score-function gradients.
/// </summary>
public sealed class LaplaceTruncationExperiment : IExperiment
{
    public string Name => "laplace-truncation";
    public string Description => "bias and variance of the Fourier gradient against the truncation level, and its distance to pathwise and score gradients over training";

    public ExperimentResult Run(ExperimentOptions options)
    {
        var watch = Stopwatch.StartNew();
        Directory.CreateDirectory(options.OutputDirectory);
        var model = new LaplaceLogisticModel(LogisticData.BreastCancer(), RuleLibrary.Load("laplace"));
        int d = model.Dimension;
        int trainSteps = options.Quick ? 200 : 2_000;
        int repeats = options.Quick ? 20 : 100;
        int referenceSamples = options.Quick ? 20_000 : 200_000;
        var random = new RandomSource(2021);
        var ws = new LaplaceLogisticModel.Workspace(model, LaplaceLogisticRegressionExperiment.Batch);
        var parameters = new double[2 * d];
        var gradient = new double[2 * d];
        var batch = new int[LaplaceLogisticRegressionExperiment.Batch];
        var adam = new Adam(2 * d);
        var distance = new RunLog(["mse_vs_pathwise", "mse_vs_score"]);
        var fourier = new double[2 * d];
        var pathwise = new double[2 * d];
        var score = new double[2 * d];
        int every = Math.Max(1, trainSteps / 40);
        for (int step = 0; step < trainSteps; step++)
        {
            LaplaceLogisticRegressionExperiment.NextBatch(random, model.Data.Count, batch);
            if (step % every == 0)
            {
                model.Gradient("fourier N=8", parameters, batch, LaplaceLogisticRegressionExperiment.Samples, random, fourier, ws);
                model.Gradient("pathwise", parameters, batch, LaplaceLogisticRegressionExperiment.Samples, random, pathwise, ws);
                model.Gradient("score", parameters, batch, LaplaceLogisticRegressionExperiment.Samples, random, score, ws);
                distance.Add("training", "fourier N=8", 0, step, Mse(fourier, pathwise), Mse(fourier, score));
            }
            model.Gradient("pathwise", parameters, batch, LaplaceLogisticRegressionExperiment.Samples, random, gradient, ws);
            adam.Step(parameters, gradient);
            options.Progress?.Report(new ExperimentProgress(0.5 * step / trainSteps, "training"));
        }

        // The fixed point: one batch, a high-sample pathwise reference, then every truncation level.
        LaplaceLogisticRegressionExperiment.NextBatch(random, model.Data.Count, batch);
        var reference = new double[2 * d];
        model.Gradient("pathwise", parameters, batch, referenceSamples, random, reference, ws);
        var truncation = new RunLog(["bias_b", "log10_variance_b", "bias_mu", "log10_variance_mu"]);
        var levels = Enumerable.Range(1, 12).Select(n => "fourier N=" + n).Append("resummed").Append("pathwise").ToList();
        for (int l = 0; l < levels.Count; l++)
        {
            var sum = new double[2 * d];
            var sumSq = new double[2 * d];
            for (int r = 0; r < repeats; r++)
            {
                model.Gradient(levels[l], parameters, batch, LaplaceLogisticRegressionExperiment.Samples, random, gradient, ws);
                for (int i = 0; i < gradient.Length; i++) { sum[i] += gradient[i]; sumSq[i] += gradient[i] * gradient[i]; }
            }
            double biasB = 0, varB = 0, biasMu = 0, varMu = 0;
            for (int j = 0; j < d; j++)
            {
                biasMu += Math.Abs(sum[j] / repeats - reference[j]) / d;
                varMu += Math.Max(0, sumSq[j] - sum[j] * sum[j] / repeats) / (repeats - 1) / d;
                biasB += Math.Abs(sum[d + j] / repeats - reference[d + j]) / d;
                varB += Math.Max(0, sumSq[d + j] - sum[d + j] * sum[d + j] / repeats) / (repeats - 1) / d;
            }
            int level = l < 12 ? l + 1 : 13 + (l - 12);
            truncation.Add("fixed point", "gradient", 0, level, biasB, Math.Log10(varB + 1e-300), biasMu, Math.Log10(varMu + 1e-300));
            options.Progress?.Report(new ExperimentProgress(0.5 + 0.5 * (l + 1) / levels.Count, levels[l]));
        }

        var files = new List<string>();
        string csv1 = Path.Combine(options.OutputDirectory, Name + "-levels.csv");
        truncation.WriteCsv(csv1);
        string csv2 = Path.Combine(options.OutputDirectory, Name + "-training.csv");
        distance.WriteCsv(csv2);
        files.Add(csv1);
        files.Add(csv2);
        files.Add(Plots.Lines(Path.Combine(options.OutputDirectory, $"{Name}-bias.png"), "mean |bias| of the b-gradient (13 = resummed, 14 = pathwise)", "mean |bias|", truncation, "fixed point", "bias_b", "truncation level N"));
        files.Add(Plots.Lines(Path.Combine(options.OutputDirectory, $"{Name}-variance.png"), "log10 variance of the b-gradient (13 = resummed, 14 = pathwise)", "log10 variance", truncation, "fixed point", "log10_variance_b", "truncation level N"));
        files.Add(Plots.Lines(Path.Combine(options.OutputDirectory, $"{Name}-mse-pathwise.png"), "MSE of Fourier (N = 8) vs pathwise over training", "MSE", distance, "training", "mse_vs_pathwise"));
        files.Add(Plots.Lines(Path.Combine(options.OutputDirectory, $"{Name}-mse-score.png"), "MSE of Fourier (N = 8) vs score function over training", "MSE", distance, "training", "mse_vs_score"));

        var sb = new StringBuilder();
        sb.Append($"# {Name}\n\n{Description}.\n\nTrained {trainSteps} steps with the pathwise gradient from the prior; at the final point, ");
        sb.Append($"{repeats} repeated estimates ({LaplaceLogisticRegressionExperiment.Samples} samples each) per level, bias against a {referenceSamples}-sample pathwise reference. ");
        sb.Append($"Run time {watch.Elapsed.TotalSeconds:F0} s.\n\n| estimator | mean abs bias (b) | log10 variance (b) | mean abs bias (mu) | log10 variance (mu) |\n|---|---|---|---|---|\n");
        var (steps, biasB2, _) = truncation.Summary("fixed point", "gradient", "bias_b");
        var (_, varB2, _) = truncation.Summary("fixed point", "gradient", "log10_variance_b");
        var (_, biasMu2, _) = truncation.Summary("fixed point", "gradient", "bias_mu");
        var (_, varMu2, _) = truncation.Summary("fixed point", "gradient", "log10_variance_mu");
        for (int i = 0; i < steps.Length; i++)
            sb.Append(CultureInfo.InvariantCulture, $"| {levels[i]} | {biasB2[i]:G3} | {varB2[i]:F2} | {biasMu2[i]:G3} | {varMu2[i]:F2} |\n");
        string md = Path.Combine(options.OutputDirectory, "summary.md");
        File.WriteAllText(md, sb.ToString());
        files.Add(md);
        if (!truncation.AllFinite || !distance.AllFinite) throw new InvalidOperationException($"{Name}: a recorded number is not finite");
        return new ExperimentResult(Name, files, watch.Elapsed, sb.ToString());
    }

    private static double Mse(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return s / a.Length;
    }
}
