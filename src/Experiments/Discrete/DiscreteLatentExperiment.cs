using System.Diagnostics;
using System.Globalization;
using System.Text;
using SeriesCompiler.Experiments.Output;
using SeriesCompiler.Runtime.Discrete;
using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Experiments.Discrete;

/// <summary>
/// The paper's Appendix B on binarised MNIST, reduced to this machine, and on the 8x8 digits of python3-sklearn
/// (<see cref="SklearnDigits"/>) in place of Omniglot, which is not obtainable here. <c>sbn-bernoulli</c> (Table 1, Figure 6): 200
/// Bernoulli units per layer; the one-layer SBN (linear encoder and decoder), the two-layer SBN (z1 -> z2, linear;
/// <see cref="TwoLayerSbn"/>) and the Bernoulli VAE (two tanh layers of 200 in encoder and decoder).
/// <c>vae-categorical</c> (Table 2, Figure 7, Table 3): 20 categorical variables with 10 classes, "one layer" (linear
/// encoder and decoder) and the Cat. VAE (two tanh layers of 200 in encoder and decoder). Estimators: the paper's
/// discrete rule (Theorem 2), REINFORCE with a moving-average baseline, Gumbel-softmax (straight-through and relaxed,
/// tau = 0.5), and for Bernoulli units REBAR and RELAX (<see cref="RebarEstimator"/>), every one of them also on the
/// two-layer SBN. Logged: training ELBO, the log10 gradient variance of the encoder's parameters both from
/// Adam-style moment averages (as the paper) and directly (repeated estimates at fixed parameters), time per epoch,
/// and at the end the test log-likelihood by importance sampling (200 samples). The one-layer models also get the rule
/// with S = 5 and 10 samples (Table 1's extra rows; on MNIST in full mode only).
/// </summary>
public sealed class DiscreteLatentExperiment(DiscreteLatentExperiment.Kind kind, bool smoke = false) : IExperiment
{
    // smoke: a still smaller quick mode for the test suite (200 digits, 4 epochs, 50 importance samples, tanh layers of 50).
    public enum Kind { SigmoidBeliefNetwork, Categorical }

    public string Name => kind == Kind.SigmoidBeliefNetwork ? "sbn-bernoulli" : "vae-categorical";

    public string Description => kind == Kind.SigmoidBeliefNetwork
        ? "Sigmoid belief networks (one and two layers of 200 Bernoulli units) and the Bernoulli VAE on binarised MNIST and 8x8 digits (for Omniglot): the Bernoulli rule vs REINFORCE, Gumbel-softmax, REBAR and RELAX"
        : "20 x 10 categorical latent models (one linear layer, and the categorical VAE) on binarised MNIST and 8x8 digits (for Omniglot): the categorical rule vs REINFORCE and Gumbel-softmax";

    private sealed record Scale(int Train, int Test, int Epochs, int Seeds, double LearningRate, int LogEvery, int VarianceRepeats, int IsSamples, int EvalRows);

    private Scale ScaleFor(bool quick) => smoke
        ? new Scale(Train: 200, Test: 30, Epochs: 4, Seeds: 1, LearningRate: 3e-3, LogEvery: 4, VarianceRepeats: 3, IsSamples: 50, EvalRows: 50)
        : quick
        ? new Scale(Train: 500, Test: 50, Epochs: kind == Kind.SigmoidBeliefNetwork ? 3 : 4, Seeds: 1, LearningRate: 1e-3, LogEvery: 5, VarianceRepeats: 4, IsSamples: 200, EvalRows: 100)
        : new Scale(Train: 2500, Test: 500, Epochs: 7, Seeds: 2, LearningRate: 1e-3, LogEvery: 15, VarianceRepeats: 8, IsSamples: 200, EvalRows: 300);

    private const string TwoLayer = "two-layer SBN";

    /// <summary>A data set every setting runs on; its suffix names it in the setting labels (empty for MNIST).</summary>
    private sealed record DataSet(string Suffix, Digits Data, Scale Scale, bool Substitute);

    private const string SubstituteSuffix = " (8x8 digits)";

    // The 8x8 substitute takes the MNIST scale's epochs, seeds and learning rate; full mode splits all 1797 digits
    // 1500/297 (15 steps per epoch). In smoke mode its 64 pixels make it cheap enough to keep.
    private static Scale SubstituteScale(Scale mnist, bool quick, bool smoke) =>
        smoke ? mnist : quick ? mnist with { Train = 300, Test = 50 } : mnist with { Train = 1500, Test = 297 };

    // Table 1's rows of the rule with S = 5 and 10 samples: on the one-layer models only (the two-layer SBN takes
    // S = 1; the VAEs' rule already costs 5-10x the one-layer one), on both data sets in full mode and on the 8x8
    // digits only in quick mode (on MNIST they would double its minute). Not in smoke mode.
    private static readonly int[] MoreSamples = [5, 10];

    private string RuleName => kind == Kind.SigmoidBeliefNetwork ? "bernoulli-rule" : "categorical-rule";

    private IEnumerable<IDiscreteGradientEstimator> MoreSampleRules() => MoreSamples.Select(n => new LocalExpectationEstimator(n, RuleName));

    private IEnumerable<string> MoreSampleRuleNames(string setting, int[] hidden, DataSet data, bool quick) =>
        !smoke && (data.Substitute || !quick) && setting != TwoLayer && hidden.Length == 0 ? MoreSampleRules().Select(e => e.Name) : [];

    private IDiscreteGradientEstimator MakeEstimator(string name) => MakeEstimators().Concat(MoreSampleRules()).First(e => e.Name == name);

    // The smoke mode shrinks the VAEs' tanh layers (200 -> 50) to keep the test suite fast; same code path.
    private IEnumerable<(string Setting, LatentSpace Space, int[] Hidden)> Settings()
    {
        int h = smoke ? 50 : 200;
        if (kind == Kind.SigmoidBeliefNetwork)
        {
            yield return ("one-layer SBN", LatentSpace.Bernoulli(200), []);
            yield return (TwoLayer, LatentSpace.Bernoulli(200), []);
            yield return ("Bernoulli VAE", LatentSpace.Bernoulli(200), [h, h]);
            yield break;
        }
        yield return ("one layer", LatentSpace.Categorical(20, 10), []);
        yield return ("Cat. VAE", LatentSpace.Categorical(20, 10), [h, h]);
    }

    private IDiscreteGradientEstimator[] MakeEstimators() =>
    [
        new LocalExpectationEstimator(1, RuleName),
        new ReinforceEstimator(),
        new GumbelSoftmaxEstimator(0.5, straightThrough: true),
        new GumbelSoftmaxEstimator(0.5, straightThrough: false),
        .. kind == Kind.SigmoidBeliefNetwork ? new IDiscreteGradientEstimator[] { new RebarEstimator(learned: false, learningRate: 1e-2), new RebarEstimator(learned: true, learningRate: 1e-2) } : [],
    ];

    private const int Batch = 100;

    public ExperimentResult Run(ExperimentOptions options)
    {
        var watch = Stopwatch.StartNew();
        Directory.CreateDirectory(options.OutputDirectory);
        var scale = ScaleFor(options.Quick);
        DataSet[] dataSets =
        [
            new("", options.Quick ? Mnist.Shipped() : Mnist.Full(options.Log), scale, false),
            new(SubstituteSuffix, SklearnDigits.Load(), SubstituteScale(scale, options.Quick, smoke), true),
        ];
        var log = new RunLog(["train_elbo", "log10_var_adam", "log10_var_direct"]);
        var finals = new List<(string Setting, string Estimator, int Seed, double Elbo, double TestElbo, double TestLl, double SecondsPerEpoch)>();
        // Every setting on every data set; the label (setting plus the data set's suffix) keys the logs and plots.
        var runs = (from d in dataSets
                    from s in Settings()
                    select (Label: s.Setting + d.Suffix, s.Setting, s.Space, s.Hidden, Data: d,
                            Names: MakeEstimators().Select(e => e.Name).Concat(MoreSampleRuleNames(s.Setting, s.Hidden, d, options.Quick)).ToList())).ToList();
        int total = runs.Sum(r => r.Names.Count * r.Data.Scale.Seeds), done = 0;
        foreach (var (label, setting, space, hidden, dataSet, names) in runs)
        {
            var (data, runScale) = (dataSet.Data, dataSet.Scale);
            var (train, test) = Split(data, runScale);
            foreach (var name in names)
                for (int seed = 0; seed < runScale.Seeds; seed++)
                {
                    var estimator = MakeEstimator(name);
                    options.Progress?.Report(new ExperimentProgress((double)done / total, $"{label} {name} seed {seed}"));
                    var result = Train(data, train, test, space, hidden, estimator, seed, runScale, setting, label, log);
                    finals.Add((label, name, seed, result.Elbo, result.TestElbo, result.TestLl, result.SecondsPerEpoch));
                    options.Log?.WriteLine($"{Name} {label} {name} seed {seed}: test log-likelihood {result.TestLl:F2}, {result.SecondsPerEpoch:F2} s/epoch");
                    done++;
                }
        }

        var files = new List<string>();
        string csv = Path.Combine(options.OutputDirectory, Name + ".csv");
        log.WriteCsv(csv);
        files.Add(csv);
        var finalCsv = new StringBuilder("setting,estimator,seed,train_elbo,test_elbo,test_loglik_is200,seconds_per_epoch\n");
        foreach (var f in finals)
            finalCsv.Append(CultureInfo.InvariantCulture, $"{f.Setting},{f.Estimator},{f.Seed},{f.Elbo:R},{f.TestElbo:R},{f.TestLl:R},{f.SecondsPerEpoch:R}\n");
        string finalPath = Path.Combine(options.OutputDirectory, Name + "-final.csv");
        File.WriteAllText(finalPath, finalCsv.ToString());
        files.Add(finalPath);
        int index = 0;
        foreach (var setting in runs.Select(r => r.Label))
        {
            string tag = runs.Count > 1 ? "-" + index++ : "";
            files.Add(Plots.Lines(Path.Combine(options.OutputDirectory, $"{Name}{tag}-elbo.png"), $"{Name}: training ELBO, {setting}", "ELBO (nats)", log, setting, "train_elbo"));
            files.Add(Plots.Lines(Path.Combine(options.OutputDirectory, $"{Name}{tag}-variance.png"), $"{Name}: log10 gradient variance (Adam moments), {setting}", "log10 variance", log, setting, "log10_var_adam"));
            files.Add(Plots.Lines(Path.Combine(options.OutputDirectory, $"{Name}{tag}-variance-direct.png"), $"{Name}: log10 gradient variance (repeated estimates), {setting}", "log10 variance", log, setting, "log10_var_direct"));
        }
        var summary = Summary(log, finals, dataSets, options.Quick, watch.Elapsed);
        string md = Path.Combine(options.OutputDirectory, "summary.md");
        File.WriteAllText(md, summary);
        files.Add(md);
        if (!log.AllFinite || finals.Any(f => !double.IsFinite(f.TestLl) || !double.IsFinite(f.Elbo)))
            throw new InvalidOperationException($"{Name}: a recorded number is not finite");
        return new ExperimentResult(Name, files, watch.Elapsed, summary);
    }

    /// <summary>Training and test digits: the scale's counts, the test set at least a fifth of a small data set.</summary>
    private static (int Train, int Test) Split(Digits data, Scale scale)
    {
        int train = Math.Min(scale.Train, data.Count - Math.Min(scale.Test, data.Count / 5));
        return (train, Math.Min(scale.Test, data.Count - train));
    }

    // setting picks the model; label (the setting and its data set) keys the log.
    private (double Elbo, double TestElbo, double TestLl, double SecondsPerEpoch) Train(
        Digits data, int train, int test, LatentSpace space, int[] hidden, IDiscreteGradientEstimator estimator, int seed, Scale scale, string setting, string label, RunLog log)
    {
        int smokeProbe = smoke ? 10 : 20;
        var random = new RandomSource((ulong)(7919 * seed + 101));
        ILatentVariableModel model = setting == TwoLayer
            ? new TwoLayerSbn(space.Variables, data.Width, scale.LearningRate, random.Stream(1), data.PixelMeans(train))
            : new DiscreteLatentModel(space, data.Width, hidden, scale.LearningRate, random.Stream(1), data.PixelMeans(train));
        int evalRows = Math.Min(scale.EvalRows, train);
        var evalX = data.Rows(0, evalRows);
        int probeRows = Math.Min(smokeProbe, train);
        var probeX = data.Rows(0, probeRows);
        int batches = Math.Max(1, train / Batch);
        int batch = Math.Min(Batch, train);
        int parameters = model.EncoderLayers.Sum(l => l.Parameters.Length);
        var m = new double[parameters];
        var v = new double[parameters];
        const double beta1 = 0.9, beta2 = 0.999;
        var order = Enumerable.Range(0, train).ToArray();
        double trainSeconds = 0;
        int step = 0;
        double lastElbo = double.NaN;
        // REINFORCE's moving-average baseline starts at the initial model's ELBO on the evaluation digits, so that its
        // first batch (and the variance measured at step 0) is a real estimate (a no-op for the other estimators).
        estimator.EndBatch(model.Evaluate(evalX, evalRows, 1, random.Stream(4)).Elbo);
        for (int epoch = 0; epoch < scale.Epochs; epoch++)
        {
            for (int i = order.Length - 1; i > 0; i--) { int j = random.NextInt(i + 1); (order[i], order[j]) = (order[j], order[i]); }
            for (int b = 0; b < batches; b++, step++)
            {
                if (step % scale.LogEvery == 0)
                {
                    lastElbo = model.Evaluate(evalX, evalRows, 1, random.Stream(2)).Elbo; // the same draws at every log: the curve shows the parameters' change, not noise
                    double direct = DirectVariance(model, probeX, probeRows, estimator, random.Stream(1000 + step), scale.VarianceRepeats);
                    double adam = step == 0 ? direct : AdamVariance(m, v, step, beta1, beta2);
                    log.Add(label, estimator.Name, seed, step, lastElbo, adam, direct);
                }
                var t = Stopwatch.GetTimestamp();
                var x = data.Rows(order.AsSpan(b * batch, batch));
                model.TrainStep(x, batch, estimator, random);
                trainSeconds += Stopwatch.GetElapsedTime(t).TotalSeconds;
                // The paper's variance from Adam's moments: of the per-example-mean encoder gradient.
                int k = 0;
                foreach (var layer in model.EncoderLayers)
                    foreach (var g0 in layer.Gradient)
                    {
                        double g = g0 / batch;
                        m[k] = beta1 * m[k] + (1 - beta1) * g;
                        v[k] = beta2 * v[k] + (1 - beta2) * g * g;
                        k++;
                    }
            }
        }
        lastElbo = model.Evaluate(evalX, evalRows, 1, random.Stream(2)).Elbo; // the same draws at every log: the curve shows the parameters' change, not noise
        log.Add(label, estimator.Name, seed, step, lastElbo, AdamVariance(m, v, step, beta1, beta2),
            DirectVariance(model, probeX, probeRows, estimator, random.Stream(1000 + step), scale.VarianceRepeats));
        var testX = data.Rows(train, test);
        var (testElbo, testLl) = model.Evaluate(testX, test, scale.IsSamples, random.Stream(3));
        return (lastElbo, testElbo, testLl, trainSeconds / scale.Epochs);
    }

    /// <summary>log10 of the mean over encoder parameters of v_hat - m_hat^2 (bias-corrected moving moments).</summary>
    private static double AdamVariance(double[] m, double[] v, int step, double beta1, double beta2)
    {
        double c1 = 1 - Math.Pow(beta1, step), c2 = 1 - Math.Pow(beta2, step), sum = 0;
        for (int i = 0; i < m.Length; i++)
        {
            double mh = m[i] / c1;
            sum += Math.Max(0, v[i] / c2 - mh * mh);
        }
        return Math.Log10(sum / m.Length + 1e-300);
    }

    /// <summary>log10 of the mean over encoder parameters of the variance of repeated batch-mean gradient estimates.</summary>
    private static double DirectVariance(ILatentVariableModel model, double[] x, int rows, IDiscreteGradientEstimator estimator, RandomSource random, int repeats)
    {
        double[]? sum = null, sumSq = null;
        for (int r = 0; r < repeats; r++)
        {
            model.ComputeGradient(x, rows, estimator, random);
            var g = model.EncoderLayers.SelectMany(l => l.Gradient).ToArray();
            sum ??= new double[g.Length];
            sumSq ??= new double[g.Length];
            for (int i = 0; i < g.Length; i++) { double gi = g[i] / rows; sum[i] += gi; sumSq[i] += gi * gi; }
        }
        double variance = 0;
        for (int i = 0; i < sum!.Length; i++) variance += Math.Max(0, sumSq![i] - sum[i] * sum[i] / repeats) / (repeats - 1);
        return Math.Log10(variance / sum.Length + 1e-300);
    }

    private string Summary(RunLog log, List<(string Setting, string Estimator, int Seed, double Elbo, double TestElbo, double TestLl, double SecondsPerEpoch)> finals,
        DataSet[] dataSets, bool quick, TimeSpan elapsed)
    {
        var mnist = dataSets.Single(d => !d.Substitute);
        var scale = mnist.Scale;
        var (train, test) = Split(mnist.Data, scale);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"# {Name}\n\n{Description}.\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"Data: {mnist.Data.Source}; {train} training and {test} test digits, binarised at 0.5. ");
        sb.Append(CultureInfo.InvariantCulture, $"Adam, learning rate {scale.LearningRate:G}, batch {Math.Min(Batch, train)}, {scale.Epochs} epochs, {scale.Seeds} seed(s); ");
        sb.Append("Gumbel-softmax at temperature 0.5; REINFORCE baseline: moving average (decay 0.9) of past batches' mean ELBO");
        if (kind == Kind.SigmoidBeliefNetwork)
            sb.Append("; REBAR and RELAX from temperature 0.5, with eta, log temperature and (RELAX) a 50-unit tanh control-variate network trained by Adam (learning rate 1e-2) to minimise the per-example logit gradient's second moment (one estimator per layer in the two-layer SBN)");
        sb.Append(". ");
        sb.Append(CultureInfo.InvariantCulture, $"{(quick ? "Quick mode" : "Full mode, reduced from the paper's 500 epochs on 60,000 digits with a GPU")}: the learning rate is raised from the paper's 1e-4 so that a few hundred steps show progress. ");
        foreach (var substitute in dataSets.Where(d => d.Substitute))
        {
            var (subTrain, subTest) = Split(substitute.Data, substitute.Scale);
            sb.Append(CultureInfo.InvariantCulture,
                $"Omniglot, the paper's second data set, is not obtainable here (no network beyond npm); as a documented substitute every setting is also run on the 8x8 digits (rows \"{substitute.Suffix.Trim()}\"): {substitute.Data.Source}; ");
            sb.Append(CultureInfo.InvariantCulture,
                $"{subTrain} training and {subTest} test digits, in a fixed shuffled order, with the same epochs, seeds and learning rate ({Math.Max(1, subTrain / Batch)} steps per epoch). ");
            if (!smoke)
                sb.Append(CultureInfo.InvariantCulture,
                    $"The rule with S = {string.Join(" and ", MoreSamples)} samples (Table 1's extra rows) is run on the one-layer model{(kind == Kind.SigmoidBeliefNetwork ? " (not the two-layer SBN, which takes S = 1 only, nor the VAE, whose rule already costs 5-10 times the one-layer one)" : " (not the VAE, whose rule already costs 5-10 times the one-layer one)")}{(quick ? ", on the 8x8 digits only in quick mode" : ", on both data sets")}. ");
        }
        sb.Append(CultureInfo.InvariantCulture, $"Run time {elapsed.TotalSeconds:F0} s on this machine (one thread, on a shared 2-core machine: times include contention).\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"Test log-likelihood: importance sampling with {scale.IsSamples} samples from q (mean +- std across seeds); training ELBO on a fixed subset of the training digits at the last step; ");
        sb.Append("log10 gradient variance of the encoder's parameters from Adam-style moment averages (the paper's measure) and from repeated estimates on a fixed batch of 20 digits, at the last step; time per epoch of training alone.\n\n");
        sb.Append("| model | estimator | test log-likelihood | test ELBO | train ELBO | log10 var (Adam) | log10 var (direct) | s / epoch |\n|---|---|---|---|---|---|---|---|\n");
        foreach (var group in finals.GroupBy(f => (f.Setting, f.Estimator)))
        {
            static (double, double) Ms(IEnumerable<double> xs)
            {
                var a = xs.ToArray();
                double mu = a.Average();
                return (mu, a.Length > 1 ? Math.Sqrt(a.Sum(x => (x - mu) * (x - mu)) / (a.Length - 1)) : 0);
            }
            var (ll, llStd) = Ms(group.Select(g => g.TestLl));
            var (te, teStd) = Ms(group.Select(g => g.TestElbo));
            var (sec, _) = Ms(group.Select(g => g.SecondsPerEpoch));
            var (_, elbo, elboStd) = log.Summary(group.Key.Setting, group.Key.Estimator, "train_elbo");
            var (_, va, _) = log.Summary(group.Key.Setting, group.Key.Estimator, "log10_var_adam");
            var (_, vd, _) = log.Summary(group.Key.Setting, group.Key.Estimator, "log10_var_direct");
            sb.Append(CultureInfo.InvariantCulture,
                $"| {group.Key.Setting} | {group.Key.Estimator} | {ll:F2} +- {llStd:F2} | {te:F2} +- {teStd:F2} | {elbo[^1]:F2} +- {elboStd[^1]:F2} | {va[^1]:F2} | {vd[^1]:F2} | {sec:F2} |\n");
        }
        return sb.ToString();
    }
}
