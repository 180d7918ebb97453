using System.Globalization;
using SeriesCompiler.Experiments;
using SeriesCompiler.Experiments.Discrete;
using SeriesCompiler.Runtime.Sampling;
using Xunit;

namespace SeriesCompiler.Tests.Discrete;

public sealed class DenseLayerTests
{
    /// <summary>Objective sum_i c_i y_i with fixed random c; its gradients checked against central differences.</summary>
    [Theory]
    [InlineData(Activation.Identity)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Softmax)]
    public void Layer_gradients_match_finite_differences(Activation activation)
    {
        var random = new RandomSource(42);
        const int batch = 3, inputs = 6, outputs = 5;
        var layer = new DenseLayer(inputs, outputs, activation, random, scale: 2);
        for (int i = 0; i < outputs; i++) layer.Bias[i] = random.Normal();
        var x = Enumerable.Range(0, batch * inputs).Select(_ => random.Normal()).ToArray();
        var c = Enumerable.Range(0, batch * outputs).Select(_ => random.Normal()).ToArray();
        double Objective(double[] input) => layer.Forward(input, batch).Zip(c, (y, w) => y * w).Sum();

        Objective(x);
        Array.Clear(layer.Gradient);
        var dx = layer.Backward(c);
        const double h = 1e-6;
        for (int p = 0; p < layer.Parameters.Length; p++)
        {
            double saved = layer.Parameters[p];
            layer.Parameters[p] = saved + h; double up = Objective(x);
            layer.Parameters[p] = saved - h; double down = Objective(x);
            layer.Parameters[p] = saved;
            Assert.Equal((up - down) / (2 * h), layer.Gradient[p], 1e-7);
        }
        for (int i = 0; i < x.Length; i++)
        {
            var p = (double[])x.Clone(); p[i] += h;
            var q = (double[])x.Clone(); q[i] -= h;
            Assert.Equal((Objective(p) - Objective(q)) / (2 * h), dx[i], 1e-7);
        }
    }

    [Fact]
    public void A_stack_backpropagates_through_tanh_into_a_linear_output()
    {
        var random = new RandomSource(7);
        var stack = new DenseStack([new DenseLayer(4, 3, Activation.Tanh, random), new DenseLayer(3, 2, Activation.Identity, random)], 1e-3);
        var x = Enumerable.Range(0, 8).Select(_ => random.Normal()).ToArray();
        var c = new[] { 0.3, -1.2, 0.7, 0.4 };
        double Objective() => stack.Forward(x, 2).Zip(c, (y, w) => y * w).Sum();
        Objective();
        stack.ZeroGradient();
        stack.Backward(c);
        var first = stack.Layers[0];
        for (int p = 0; p < first.Parameters.Length; p++)
        {
            double saved = first.Parameters[p];
            first.Parameters[p] = saved + 1e-6; double up = Objective();
            first.Parameters[p] = saved - 1e-6; double down = Objective();
            first.Parameters[p] = saved;
            Assert.Equal((up - down) / 2e-6, first.Gradient[p], 1e-7);
        }
    }
}

public sealed class MnistDataTests
{
    [Fact]
    public void The_shipped_digits_are_600_binary_images_with_60_per_class()
    {
        var digits = Mnist.Shipped();
        Assert.Equal(600, digits.Count);
        Assert.Equal(600 * 784, digits.Pixels.Length);
        Assert.All(digits.Pixels, p => Assert.True(p == 0 || p == 1));
        Assert.All(Enumerable.Range(0, 10), d => Assert.Equal(60, digits.Labels.Count(l => l == d)));
        double ink = digits.Pixels.Average();
        Assert.InRange(ink, 0.08, 0.2); // binarised MNIST is about 13% ink
    }
}

/// <summary>The quick runs of sbn-bernoulli and vae-categorical: outputs, finite numbers, and the ELBO improves.</summary>
[Collection("experiments")]
public sealed class DiscreteQuickRunTests
{
    [Theory]
    [InlineData("sbn-bernoulli")]
    [InlineData("vae-categorical")]
    public void Quick_run_completes_with_finite_numbers_and_the_elbo_improves(string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "seriesc-tests", name + "-" + Guid.NewGuid().ToString("N"));
        Assert.NotNull(ExperimentCatalog.Find(name));
        // The quick mode scaled down further (200 digits, 2 epochs) to keep the suite fast; same code path.
        var experiment = new DiscreteLatentExperiment(name == "sbn-bernoulli" ? DiscreteLatentExperiment.Kind.SigmoidBeliefNetwork : DiscreteLatentExperiment.Kind.Categorical, smoke: true);
        var result = experiment.Run(new ExperimentOptions(folder, Quick: true));
        Assert.True(File.Exists(Path.Combine(folder, "summary.md")));
        Assert.DoesNotContain("NaN", File.ReadAllText(Path.Combine(folder, "summary.md")));
        Assert.Contains(result.Files, f => f.EndsWith(".png", StringComparison.Ordinal));
        var lines = File.ReadAllLines(Path.Combine(folder, name + ".csv"));
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        // Every number finite; the one gap allowed is the Adam-moment measure (column 5) at step 0, where Adam has no moments yet.
        Assert.All(rows, r => Assert.All(r.Skip(4).Select((v, i) => (v, i)), c =>
        {
            if (c.v.Length == 0) Assert.True(c.i == 1 && r[3] == "0", $"an empty field in column {4 + c.i} at step {r[3]}");
            else Assert.True(double.IsFinite(double.Parse(c.v, CultureInfo.InvariantCulture)));
        }));
        Assert.All(rows.Where(r => r[3] == "0"), r => Assert.Equal("", r[5]));
        // One curve per setting, estimator and seed. REINFORCE (log10 variance near 0 against about -5 for the rule) can
        // lose ELBO in a few steps, so for it the check is that its measured variance is the larger one instead.
        static double Last(IEnumerable<string[]> curve, int column) =>
            double.Parse(curve.OrderBy(r => int.Parse(r[3], CultureInfo.InvariantCulture)).Last()[column], CultureInfo.InvariantCulture);
        foreach (var group in rows.GroupBy(r => (r[0], r[1], r[2])))
        {
            if (group.Key.Item2 == "reinforce")
            {
                var rule = rows.Where(r => r[0] == group.Key.Item1 && r[1].EndsWith("-rule", StringComparison.Ordinal));
                Assert.True(Last(group, 6) > Last(rule, 6), $"{name} {group.Key}: REINFORCE variance not above the rule's");
                continue;
            }
            var ordered = group.OrderBy(r => int.Parse(r[3], CultureInfo.InvariantCulture)).ToList();
            double first = double.Parse(ordered[0][4], CultureInfo.InvariantCulture), last = double.Parse(ordered[^1][4], CultureInfo.InvariantCulture);
            Assert.True(last > first, $"{name} {group.Key}: training ELBO {first:F2} -> {last:F2}");
        }
        var finals = File.ReadAllLines(Path.Combine(folder, name + "-final.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.All(finals, r => Assert.All(r.Skip(3), v => Assert.True(double.IsFinite(double.Parse(v, CultureInfo.InvariantCulture)))));
    }
}
