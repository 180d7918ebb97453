using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Examples;

/// <summary>
/// Bayesian logistic regression with a Laplace(0, 1) prior and a mean-field Laplace(mu_j, b_j) posterior (the paper's
/// section 6.2), trained through the public API. The README shows the body of <see cref="Train"/> between the markers.
/// </summary>
public static class LaplaceLogisticRegression
{
    /// <summary>Trains for <paramref name="steps"/> Adam steps; returns -ELBO's likelihood part at the posterior mean, per step, and the final accuracy.</summary>
    public static (double[] Losses, double Accuracy) Train(int steps = 500, ulong seed = 1)
    {
        // README example: begin
        var (x, y) = BreastCancer.Load();                         // 569 rows, 30 standardised features + bias, labels 0/1
        int d = x[0].Length;
        var laplace = Rules.Load("laplace");                      // the posterior w_j ~ Laplace(mu_j, b_j), compiled
        var batch = Objective.Glm(x, y, GlmLink.Logistic);        // f(w) = sum_n log p(y_n | x_n . w), one mini-batch at a time
        var full = Objective.Glm(x, y, GlmLink.Logistic);         // the same over every row, to watch the loss
        var estimator = new ResummedEstimator(laplace);           // exact: d/dmu E[f'], d/db 2b E[f''(w + u)]
        var random = new RandomSource(seed);
        double[] theta = new double[2 * d], m = new double[2 * d], v = new double[2 * d];
        for (int j = 0; j < d; j++) theta[2 * j + 1] = 1;        // (mu_j, b_j) = (0, 1): the prior
        var losses = new double[steps];
        var picked = new int[64];
        for (int step = 1; step <= steps; step++)
        {
            for (int i = 0; i < picked.Length; i++) picked[i] = random.NextInt(x.Length);
            batch.SelectRows(picked);                             // scale N / 64: an unbiased estimate of the full sum
            var g = estimator.Estimate(theta, batch, samples: 50, seed: random.NextUInt64(), copies: d).Gradient;
            for (int i = 0; i < 2 * d; i++)
            {
                // Ascend the ELBO = E[f] - KL: per weight KL = |mu| + b exp(-|mu|/b) - log b - 1 (eq. 27); rho = log b.
                int j = i / 2;
                double mu = theta[2 * j], b = theta[2 * j + 1], e = Math.Exp(-Math.Abs(mu) / b);
                double grad = i % 2 == 0 ? g[i] - Math.Sign(mu) * (1 - e) : b * (g[i] - (e * (1 + Math.Abs(mu) / b) - 1 / b));
                m[i] = 0.9 * m[i] + 0.1 * grad;                   // Adam, lr 0.02
                v[i] = 0.999 * v[i] + 0.001 * grad * grad;
                double delta = 0.02 * (m[i] / (1 - Math.Pow(0.9, step))) / (Math.Sqrt(v[i] / (1 - Math.Pow(0.999, step))) + 1e-8);
                if (i % 2 == 0) theta[i] += delta; else theta[i] = b * Math.Exp(delta);
            }
            double[] mean = [.. Enumerable.Range(0, d).Select(j => theta[2 * j])];
            losses[step - 1] = -full.Value(mean);                 // negative log-likelihood at the posterior mean
        }
        double[] w = [.. Enumerable.Range(0, d).Select(j => theta[2 * j])];
        double accuracy = x.Select((row, n) => (row.Zip(w).Sum(p => p.First * p.Second) > 0 ? 1.0 : 0.0) == y[n] ? 1.0 : 0.0).Average();
        // README example: end
        return (losses, accuracy);
    }
}
