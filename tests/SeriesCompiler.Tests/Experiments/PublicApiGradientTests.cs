using SeriesCompiler.Experiments;
using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Sampling;
using SeriesCompiler.Runtime.Statistics;
using Xunit;

namespace SeriesCompiler.Tests.Experiments;

/// <summary>
/// The logistic-regression experiment's gradients now come from the public estimators with a GLM objective
/// (<see cref="LogisticBatchObjective"/>). Its derivatives are checked against the same f written over jets, and the
/// estimates against a direct Monte Carlo of each rule's formula (the loop the experiment used to hand-write, kept here
/// as the reference): equal means within five standard errors, and comparable variances.
/// </summary>
public sealed class PublicApiGradientTests
{
    private const int Batch = 64;

    private static (LaplaceLogisticModel Model, int[] Batch, double[] Parameters) Setting()
    {
        var model = new LaplaceLogisticModel(LogisticData.BreastCancer(), SeriesCompiler.Emit.Loading.Rules.Load("laplace", order: 12));
        var random = new RandomSource(4);
        var batch = Enumerable.Range(0, Batch).Select(_ => random.NextInt(model.Data.Count)).ToArray();
        int d = model.Dimension;
        var parameters = new double[2 * d];
        for (int j = 0; j < d; j++) { parameters[j] = 0.3 * random.Normal(); parameters[d + j] = Math.Log(0.3 + 0.2 * random.NextDouble()); }
        return (model, batch, parameters);
    }

    [Fact]
    public void The_glm_objective_agrees_with_the_same_f_over_jets()
    {
        var (model, batch, _) = Setting();
        var data = model.Data;
        int d = model.Dimension;
        double scale = (double)data.Count / Batch;
        var f = new LogisticBatchObjective(data, Batch);
        f.SetBatch(batch, scale);
        var reference = Objective.Of((ReadOnlySpan<Jet> w) =>
        {
            Jet sum = 0 * w[0];
            foreach (int n in batch)
            {
                Jet margin = 0 * w[0];
                for (int j = 0; j < d; j++) margin += data.Y[n] * data.X[n][j] * w[j];
                sum += Jet.LogSigmoid(margin);
            }
            return scale * sum;
        }, d);
        var random = new RandomSource(2);
        var w = Enumerable.Range(0, d).Select(_ => 0.2 * random.Normal()).ToArray();
        const int order = 6;
        var mine = new double[d * (order + 1)];
        var theirs = new double[d * (order + 1)];
        f.PurePartials(w, order, mine);
        reference.PurePartials(w, order, theirs);
        Assert.Equal(reference.Value(w), f.Value(w), 1e-9 * Math.Abs(reference.Value(w)));
        for (int j = 0; j < d; j++)
            for (int k = 1; k <= order; k++)
            {
                double a = mine[j * (order + 1) + k], b = theirs[j * (order + 1) + k];
                Assert.True(Math.Abs(a - b) <= 1e-9 * (1 + Math.Abs(b)), $"d^{k}f/dw_{j}^{k}: {a:R} vs jets {b:R}");
            }
        var gradient = new double[d];
        f.Gradient(w, gradient);
        for (int j = 0; j < d; j++) Assert.Equal(theirs[j * (order + 1) + 1], gradient[j], 1e-9 * (1 + Math.Abs(gradient[j])));
        // f^(k)(w + u e_j), the resummed rules' shifted derivative, against the jets at the shifted point.
        foreach (var (j, u, k) in new[] { (3, 0.7, 2), (17, -1.1, 1), (30, 0.25, 2) })
        {
            var shifted = (double[])w.Clone();
            shifted[j] += u;
            reference.PurePartials(shifted, k, theirs.AsSpan(0, d * (k + 1)));
            double expected = theirs[j * (k + 1) + k];
            Assert.True(Math.Abs(f.CoordinatePartial(w, j, w[j] + u, k) - expected) <= 1e-9 * (1 + Math.Abs(expected)), $"coordinate {j}, order {k}");
        }
    }

    [Theory]
    [InlineData("fourier N=2")]
    [InlineData("fourier N=4")]
    [InlineData("resummed")]
    [InlineData("pathwise")]
    [InlineData("score")]
    public void Public_estimators_agree_with_the_direct_formula(string estimator)
    {
        var (model, batch, parameters) = Setting();
        int d = model.Dimension, samples = 50, repeats = 400;
        var ws = new LaplaceLogisticModel.Workspace(model, Batch);
        var gradient = new double[2 * d];
        var api = new Welford(2 * d);
        var direct = new Welford(2 * d);
        var random = new RandomSource(9);
        var reference = new DirectFormula(model, batch, parameters);
        for (int r = 0; r < repeats; r++)
        {
            model.Gradient(estimator, parameters, batch, samples, random, gradient, ws);
            api.Add(gradient);
            reference.Gradient(estimator, samples, random, gradient);
            direct.Add(gradient);
        }
        double apiVariance = 0, directVariance = 0;
        for (int i = 0; i < 2 * d; i++)
        {
            double se = Math.Sqrt(api.Variance(i) / repeats + direct.Variance(i) / repeats);
            Assert.True(Math.Abs(api.Mean[i] - direct.Mean[i]) <= 5 * se + 1e-12, $"{estimator} entry {i}: public {api.Mean[i]:G6} vs direct {direct.Mean[i]:G6} (se {se:G3})");
            apiVariance += api.Variance(i);
            directVariance += direct.Variance(i);
        }
        // The same estimator: the summed variances agree (a ratio of 400-repeat estimates, within 35%).
        Assert.InRange(apiVariance / directVariance, 0.65, 1.35);
    }

    /// <summary>
    /// The former hand-written loop, the reference: w = mu + b (E1 - E2) per sample; the gradient of -ELBO in (mu, rho)
    /// from sum_{n&lt;=N} a_n d^n f / dw_j^n (Laplace: c_2n = b^2n / n plus the mean's c_1 = mu, so a_{1,mu} = 1 and
    /// a_{2n,b} = 2 b^(2n-1)), the exact resummed rule (mu: E f'; b: 2b E f''(w + u e_j), u ~ Laplace(0, b)), pathwise
    /// (dw/db = (w - mu)/b) or the score function, with the analytic KL.
    /// </summary>
    private sealed class DirectFormula(LaplaceLogisticModel model, int[] batch, double[] parameters)
    {
        private readonly int _d = model.Dimension;

        public void Gradient(string estimator, int samples, RandomSource random, double[] gradient)
        {
            var data = model.Data;
            int d = _d;
            double scale = (double)data.Count / batch.Length;
            var mu = parameters.AsSpan(0, d).ToArray();
            var b = Enumerable.Range(0, d).Select(j => Math.Exp(parameters[d + j])).ToArray();
            var gMu = new double[d];
            var gB = new double[d];
            var w = new double[d];
            var margin = new double[batch.Length];
            int order = estimator.StartsWith("fourier", StringComparison.Ordinal) ? int.Parse(estimator["fourier N=".Length..]) : 2;
            var g = new double[order + 1];
            for (int s = 0; s < samples; s++)
            {
                for (int j = 0; j < d; j++) w[j] = mu[j] + b[j] * (random.Exponential() - random.Exponential());
                for (int n = 0; n < batch.Length; n++)
                {
                    double sum = 0;
                    for (int j = 0; j < d; j++) sum += data.X[batch[n]][j] * w[j];
                    margin[n] = data.Y[batch[n]] * sum;
                }
                for (int j = 0; j < d; j++)
                {
                    switch (estimator)
                    {
                        case "pathwise":
                        case "resummed":
                        {
                            double first = 0;
                            for (int n = 0; n < batch.Length; n++) first += data.Y[batch[n]] * data.X[batch[n]][j] / (1 + Math.Exp(margin[n]));
                            gMu[j] += scale * first;
                            if (estimator == "pathwise") { gB[j] += scale * first * (w[j] - mu[j]) / b[j]; break; }
                            double u = b[j] * (random.Exponential() - random.Exponential()), second = 0;
                            for (int n = 0; n < batch.Length; n++)
                            {
                                double c = data.Y[batch[n]] * data.X[batch[n]][j];
                                second += c * c * LogSigmoid.Second(margin[n] + c * u);
                            }
                            gB[j] += 2 * b[j] * scale * second;
                            break;
                        }
                        case "score":
                        {
                            double f = 0;
                            for (int n = 0; n < batch.Length; n++) f += scale * LogSigmoid.Value(margin[n]);
                            double r = w[j] - mu[j];
                            gMu[j] += f * Math.Sign(r) / b[j];
                            gB[j] += f * (-1 / b[j] + Math.Abs(r) / (b[j] * b[j]));
                            break;
                        }
                        default:
                        {
                            for (int n = 0; n < batch.Length; n++)
                            {
                                LogSigmoid.Derivatives(margin[n], order, g);
                                double c = data.Y[batch[n]] * data.X[batch[n]][j];
                                gMu[j] += scale * c * g[1];
                                for (int k = 2; k <= order; k += 2) gB[j] += scale * 2 * Math.Pow(b[j], k - 1) * Math.Pow(c, k) * g[k];
                            }
                            break;
                        }
                    }
                }
            }
            var klMu = new double[d];
            var klB = new double[d];
            LaplaceLogisticModel.KullbackLeibler(mu, b, klMu, klB);
            for (int j = 0; j < d; j++)
            {
                gradient[j] = -gMu[j] / samples + klMu[j];
                gradient[d + j] = b[j] * (-gB[j] / samples + klB[j]);
            }
        }
    }
}
