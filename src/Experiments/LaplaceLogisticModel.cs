using SeriesCompiler.Runtime.Rules;
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
    private readonly IDistributionRule _laplace;

    public LaplaceLogisticModel(LogisticData data, IDistributionRule laplace)
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
    /// gradient[j] for mu_j, gradient[D + j] for rho_j.
    /// </summary>
    public void Gradient(string estimator, double[] parameters, int[] batch, int samples, RandomSource random, double[] gradient, Workspace ws)
    {
        int d = Dimension;
        double scale = (double)_data.Count / batch.Length;
        var mu = parameters.AsSpan(0, d);
        Span<double> b = ws.B;
        for (int j = 0; j < d; j++) b[j] = Math.Exp(parameters[d + j]);
        Array.Clear(ws.GMu);
        Array.Clear(ws.GB);
        int order = estimator.StartsWith("fourier", StringComparison.Ordinal) ? int.Parse(estimator.AsSpan(estimator.IndexOf('=') + 1)) : 2;

        for (int s = 0; s < samples; s++)
        {
            // w ~ prod Laplace(mu_j, b_j), with the pathwise derivative dw/db = (w - mu)/b.
            for (int j = 0; j < d; j++) ws.W[j] = mu[j] + b[j] * (random.Exponential() - random.Exponential());
            for (int n = 0; n < batch.Length; n++)
            {
                var x = _data.X[batch[n]];
                double sum = 0;
                for (int j = 0; j < d; j++) sum += x[j] * ws.W[j];
                ws.Margin[n] = _data.Y[batch[n]] * sum;
            }
            switch (estimator)
            {
                case "pathwise":
                    for (int n = 0; n < batch.Length; n++)
                    {
                        double g1 = 1 / (1 + Math.Exp(ws.Margin[n])) * _data.Y[batch[n]]; // d/dw log sigmoid(y x.w) = sigmoid(-m) y x
                        var x = _data.X[batch[n]];
                        for (int j = 0; j < d; j++)
                        {
                            double df = scale * g1 * x[j];
                            ws.GMu[j] += df;
                            ws.GB[j] += df * (ws.W[j] - mu[j]) / b[j];
                        }
                    }
                    break;
                case "score":
                {
                    double f = 0;
                    for (int n = 0; n < batch.Length; n++) f += scale * LogSigmoid.Value(ws.Margin[n]);
                    for (int j = 0; j < d; j++)
                    {
                        double r = ws.W[j] - mu[j];
                        ws.GMu[j] += f * Math.Sign(r) / b[j];
                        ws.GB[j] += f * (-1 / b[j] + Math.Abs(r) / (b[j] * b[j]));
                    }
                    break;
                }
                case "resummed":
                    // d/dmu: E[df/dw_j]; d/db: 2b E[d^2 f/dw_j^2 (w + u e_j)], u ~ Laplace(0, b_j) (the exact rule).
                    for (int j = 0; j < d; j++)
                    {
                        double u = b[j] * (random.Exponential() - random.Exponential());
                        double first = 0, second = 0;
                        for (int n = 0; n < batch.Length; n++)
                        {
                            var x = _data.X[batch[n]];
                            double y = _data.Y[batch[n]];
                            first += y * x[j] / (1 + Math.Exp(ws.Margin[n]));
                            second += x[j] * x[j] * LogSigmoid.Second(ws.Margin[n] + y * x[j] * u);
                        }
                        ws.GMu[j] += scale * first;
                        ws.GB[j] += 2 * b[j] * scale * second;
                    }
                    break;
                default:
                {
                    // Fourier, truncated at N: sum_{n<=N} a_{n,p}(mu_j, b_j) d^n f/dw_j^n, the derivatives from the ridge
                    // structure: d^n f/dw_j^n = sum_n (y x_j)^n g^(n)(margin).
                    Array.Clear(ws.Partials);
                    Span<double> g = stackalloc double[LogSigmoid.MaxOrder + 1];
                    for (int n = 0; n < batch.Length; n++)
                    {
                        LogSigmoid.Derivatives(ws.Margin[n], order, g);
                        var x = _data.X[batch[n]];
                        double y = _data.Y[batch[n]];
                        for (int j = 0; j < d; j++)
                        {
                            double c = y * x[j], power = 1;
                            for (int k = 1; k <= order; k++)
                            {
                                power *= c;
                                ws.Partials[j * (LogSigmoid.MaxOrder + 1) + k] += scale * power * g[k];
                            }
                        }
                    }
                    Span<double> theta = stackalloc double[2];
                    Span<double> a = stackalloc double[2 * _laplace.MultiIndices.Count];
                    for (int j = 0; j < d; j++)
                    {
                        theta[0] = mu[j];
                        theta[1] = b[j];
                        _laplace.Coefficients(theta, a);
                        for (int k = 1; k <= order; k++)
                        {
                            double partial = ws.Partials[j * (LogSigmoid.MaxOrder + 1) + k];
                            ws.GMu[j] += a[(k - 1) * 2] * partial;
                            ws.GB[j] += a[(k - 1) * 2 + 1] * partial;
                        }
                    }
                    break;
                }
            }
        }
        KullbackLeibler(mu, b, ws.KlMu, ws.KlB);
        for (int j = 0; j < d; j++)
        {
            // Minimise -ELBO: -(E-term gradient) + KL gradient; d/drho = b d/db.
            gradient[j] = -ws.GMu[j] / samples + ws.KlMu[j];
            gradient[d + j] = b[j] * (-ws.GB[j] / samples + ws.KlB[j]);
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
        double expected = 0;
        for (int s = 0; s < samples; s++)
        {
            for (int j = 0; j < d; j++) w[j] = mu[j] + b[j] * (random.Exponential() - random.Exponential());
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
            if (sum * _data.Y[n] > 0) correct++;
        }
        return (double)correct / _data.Count;
    }

    /// <summary>Scratch buffers for one thread, so the gradient loop allocates nothing.</summary>
    public sealed class Workspace(int d, int batch)
    {
        public readonly double[] B = new double[d], W = new double[d], GMu = new double[d], GB = new double[d];
        public readonly double[] KlMu = new double[d], KlB = new double[d], Margin = new double[batch];
        public readonly double[] Partials = new double[d * (LogSigmoid.MaxOrder + 1)];
    }
}
