using System.Globalization;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Experiments;

/// <summary>
/// Bayesian logistic regression with a Laplace(0, 1) prior and a mean-field Laplace(mu_j, b_j) posterior (paper
/// section 6.2): ELBO = (N/B) sum_{n in batch} E_w[log sigmoid(y_n x_n . w)] - KL, with the KL of eq. 27. The
/// expectation's gradient comes from one of the estimators; parameters are mu and rho = log b.
/// </summary>
public sealed class LaplaceLogisticModel
{
    private readonly LogisticData _data;
    private readonly Rule _laplace;

    public LaplaceLogisticModel(LogisticData data, Rule laplace)
    {
        _data = data;
        _laplace = laplace;
    }

    public int Dimension => _data.Dimension;
    public LogisticData Data => _data;

    /// <summary>The estimators compared: the paper's truncations, the resummed rule, and the two baselines.</summary>
    public static readonly string[] Estimators = ["fourier N=1", "fourier N=4", "fourier N=8", "resummed", "pathwise", "score"];

    /// <summary>KL(Laplace(mu, b) || Laplace(0, 1)) = |mu| + b e^{-|mu|/b} - log b - 1 per coordinate (eq. 27), and its gradient.</summary>
    public static double KullbackLeibler(ReadOnlySpan<double> mu, ReadOnlySpan<double> b, Span<double> dMu, Span<double> dB)
    {
        double kl = 0;
        for (int j = 0; j < mu.Length; j++)
        {
            double a = Math.Abs(mu[j]), e = Math.Exp(-a / b[j]);
            kl += a + b[j] * e - Math.Log(b[j]) - 1;
            dMu[j] = Math.Sign(mu[j]) * (1 - e);
            dB[j] = e * (1 + a / b[j]) - 1 / b[j];
        }
        return kl;
    }

    /// <summary>
    /// The gradient of -ELBO in (mu, rho) for one minibatch, with <paramref name="samples"/> posterior draws:
    /// gradient[j] for mu_j, gradient[D + j] for rho_j. The expectation's gradient comes from the runtime's public
    /// estimator of that name (<see cref="GradientEstimator.Estimate(ReadOnlySpan{double}, Objective, int, ulong, int)"/>
    /// over D independent Laplace copies), seeded from <paramref name="random"/>; the KL term is analytic.
    /// </summary>
    public void Gradient(string estimator, double[] parameters, int[] batch, int samples, RandomSource random, double[] gradient, Workspace ws)
    {
        int d = Dimension;
        var mu = parameters.AsSpan(0, d);
        Span<double> b = ws.B;
        for (int j = 0; j < d; j++)
        {
            b[j] = Math.Exp(parameters[d + j]);
            ws.Theta[2 * j] = mu[j];
            ws.Theta[2 * j + 1] = b[j];
        }
        ws.Objective.SetBatch(batch, (double)_data.Count / batch.Length);
        var estimate = ws.Estimator(estimator, _laplace).Estimate(ws.Theta, ws.Objective, samples, random.NextUInt64(), copies: d);
        KullbackLeibler(mu, b, ws.KlMu, ws.KlB);
        for (int j = 0; j < d; j++)
        {
            // Minimise -ELBO: -(E-term gradient) + KL gradient; d/drho = b d/db.
            gradient[j] = -estimate.Gradient[2 * j] + ws.KlMu[j];
            gradient[d + j] = b[j] * (-estimate.Gradient[2 * j + 1] + ws.KlB[j]);
        }
    }

    /// <summary>The ELBO on the whole data set, estimated with <paramref name="samples"/> posterior draws.</summary>
    public double Elbo(double[] parameters, int samples, RandomSource random)
    {
        int d = Dimension;
        var mu = parameters.AsSpan(0, d);
        var b = new double[d];
        for (int j = 0; j < d; j++) b[j] = Math.Exp(parameters[d + j]);
        var w = new double[d];
        // The posterior's draws come from the Laplace rule's public sampler (mu + b E0 - b E1, the same two exponentials
        // per coordinate in the same order as the training's stream expects).
        var sampler = _laplace.Direct is { CanSample: true } direct ? direct
            : throw new InvalidOperationException($"the rule {_laplace.Name} has no sampler for the ELBO's posterior draws");
        Span<double> theta = stackalloc double[2];
        double expected = 0;
        for (int s = 0; s < samples; s++)
        {
            for (int j = 0; j < d; j++)
            {
                theta[0] = mu[j]; theta[1] = b[j];
                sampler.Sample(theta, random, w.AsSpan(j, 1));
            }
            for (int n = 0; n < _data.Count; n++)
            {
                double sum = 0;
                for (int j = 0; j < d; j++) sum += _data.X[n][j] * w[j];
                expected += LogSigmoid.Value(_data.Y[n] * sum);
            }
        }
        return expected / samples - KullbackLeibler(mu, b, new double[d], new double[d]);
    }

    /// <summary>Accuracy of the posterior mean on the whole data set.</summary>
    public double Accuracy(double[] parameters)
    {
        int correct = 0;
        for (int n = 0; n < _data.Count; n++)
        {
            double sum = 0;
            for (int j = 0; j < Dimension; j++) sum += _data.X[n][j] * parameters[j];
            // A zero margin predicts +1 (benign, the majority class): at mu = 0 the prior mean scores the majority's share, not 0.
            if ((sum >= 0 ? 1.0 : -1.0) == _data.Y[n]) correct++;
        }
        return (double)correct / _data.Count;
    }

    /// <summary>Per-thread state: buffers, the batch's objective and the estimators (objectives are single-threaded).</summary>
    public sealed class Workspace(LaplaceLogisticModel model, int batch)
    {
        public readonly double[] B = new double[model.Dimension], KlMu = new double[model.Dimension], KlB = new double[model.Dimension];
        public readonly double[] Theta = new double[2 * model.Dimension];
        public readonly LogisticBatchObjective Objective = new(model.Data, batch);
        private readonly Dictionary<string, GradientEstimator> _estimators = [];

        /// <summary>fourier N=k (Theorem 1 truncated at k), resummed, pathwise or score.</summary>
        public GradientEstimator Estimator(string name, Rule laplace)
        {
            if (_estimators.TryGetValue(name, out var e)) return e;
            e = name switch
            {
                "resummed" => new ResummedEstimator(laplace),
                "pathwise" => new PathwiseEstimator(laplace),
                "score" => new ScoreFunctionEstimator(laplace),
                _ when name.StartsWith("fourier N=", StringComparison.Ordinal) =>
                    new FourierEstimator(laplace, order: int.Parse(name.AsSpan("fourier N=".Length), CultureInfo.InvariantCulture), exponentialShortcut: false),
                _ => throw new ArgumentException($"unknown estimator '{name}'", nameof(name)),
            };
            _estimators[name] = e;
            return e;
        }
    }
}

/// <summary>
/// The expected log-likelihood's integrand for one minibatch, f(w) = scale sum_n log sigmoid(y_n x_n . w), as a public
/// <see cref="Objective"/> that uses its linear-predictor structure: with margins m_n = y_n x_n . w,
/// d^k f / dw_j^k = scale sum_n (y_n x_nj)^k g^(k)(m_n) (g = log sigmoid), so every pure partial costs one pass over the
/// batch per order, and f^(k)(w + u e_j) shifts each margin by y_n x_nj u (O(batch) per coordinate once the margins at
/// w are known; they are kept for the last w seen).
/// </summary>
public sealed class LogisticBatchObjective : Objective
{
    private readonly LogisticData _data;
    private readonly int[] _batch;
    private readonly double[] _margin, _sigmoid, _w;
    private readonly double[] _g = new double[LogSigmoid.MaxOrder + 1];
    private double _scale = 1;
    private bool _marginsValid;

    public LogisticBatchObjective(LogisticData data, int batch)
    {
        _data = data;
        _batch = new int[batch];
        _margin = new double[batch];
        _sigmoid = new double[batch];
        _w = new double[data.Dimension];
    }

    /// <summary>The minibatch (data rows) and the factor N / B that scales it to the whole data set.</summary>
    public void SetBatch(ReadOnlySpan<int> batch, double scale)
    {
        batch.CopyTo(_batch);
        _scale = scale;
        _marginsValid = false;
    }

    public override int? Arity => _data.Dimension;

    // The margins y_n x_n . w, recomputed only when w changed.
    private void Margins(ReadOnlySpan<double> w)
    {
        if (_marginsValid && w.SequenceEqual(_w)) return;
        w.CopyTo(_w);
        for (int n = 0; n < _batch.Length; n++)
        {
            var x = _data.X[_batch[n]];
            double sum = 0;
            for (int j = 0; j < w.Length; j++) sum += x[j] * w[j];
            _margin[n] = _data.Y[_batch[n]] * sum;
            _sigmoid[n] = 1 / (1 + Math.Exp(-_margin[n])); // unshifted coordinates (the mean's term) reuse it
        }
        _marginsValid = true;
    }

    public override double Value(ReadOnlySpan<double> w)
    {
        Margins(w);
        double f = 0;
        for (int n = 0; n < _batch.Length; n++) f += LogSigmoid.Value(_margin[n]);
        return _scale * f;
    }

    public override void PurePartials(ReadOnlySpan<double> w, int order, Span<double> result)
    {
        if (order > LogSigmoid.MaxOrder) throw new ArgumentOutOfRangeException(nameof(order), order, $"log sigmoid's derivatives are tabulated to order {LogSigmoid.MaxOrder}");
        Margins(w);
        int d = w.Length, stride = order + 1;
        result[..(d * stride)].Clear();
        for (int n = 0; n < _batch.Length; n++)
        {
            LogSigmoid.Derivatives(_margin[n], order, _g);
            var x = _data.X[_batch[n]];
            double y = _data.Y[_batch[n]];
            for (int j = 0; j < d; j++)
            {
                double c = y * x[j], power = 1; // d m_n / dw_j = y_n x_nj, raised to the order
                var r = result.Slice(j * stride, stride);
                r[0] += _g[0];
                for (int k = 1; k <= order; k++)
                {
                    power *= c;
                    r[k] += power * _g[k];
                }
            }
        }
        for (int i = 0; i < d * stride; i++) result[i] *= _scale;
    }

    public override void Gradient(ReadOnlySpan<double> w, Span<double> gradient)
    {
        Margins(w);
        gradient[..w.Length].Clear();
        for (int n = 0; n < _batch.Length; n++)
        {
            // d/dw log sigmoid(y x . w) = sigmoid(-m) y x
            double g1 = _scale * _data.Y[_batch[n]] / (1 + Math.Exp(_margin[n]));
            var x = _data.X[_batch[n]];
            for (int j = 0; j < w.Length; j++) gradient[j] += g1 * x[j];
        }
    }

    public override double CoordinatePartial(ReadOnlySpan<double> w, int coordinate, double x, int order)
    {
        if (order > LogSigmoid.MaxOrder) throw new ArgumentOutOfRangeException(nameof(order), order, $"log sigmoid's derivatives are tabulated to order {LogSigmoid.MaxOrder}");
        if (order == 0)
        {
            var copy = Scratch(w.Length);
            w.CopyTo(copy);
            copy[coordinate] = x;
            return Value(copy.AsSpan(0, w.Length));
        }
        Margins(w);
        double shift = x - w[coordinate], sum = 0;
        for (int n = 0; n < _batch.Length; n++)
        {
            double c = _data.Y[_batch[n]] * _data.X[_batch[n]][coordinate], power = c;
            for (int k = 1; k < order; k++) power *= c;
            // The margin with w_j moved to x.
            sum += power * (shift == 0 ? LogSigmoid.FromSigmoid(_sigmoid[n], order) : LogSigmoid.Derivative(_margin[n] + c * shift, order));
        }
        return _scale * sum;
    }
}
