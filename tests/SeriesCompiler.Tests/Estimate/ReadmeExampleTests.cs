using SeriesCompiler.Emit.Loading;            // Rules: compile a .dist at run time
using SeriesCompiler.Runtime.Differentiation; // Jet: f written once, exact derivatives
using SeriesCompiler.Runtime.Estimation;      // the estimators
using SeriesCompiler.Runtime.Functions;       // Objective: how f is given
using Xunit;

namespace SeriesCompiler.Tests.Estimate;

/// <summary>The README's C# example, verbatim between the markers: it must compile and give the right numbers.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void The_readme_example_compiles_and_runs()
    {
        var output = new StringWriter();
        // README example: begin
        // The paper's toy problem: L = E ||z - 0.49||^2 with z_j ~ Gamma(k_j, mu_j), three coordinates.
        var gamma = Rules.Load("gamma");                         // the bundled declaration, compiled in memory
        double[] theta = [2.5, 0.7, 1.5, 0.4, 4.0, 1.1];         // (k, mu) of each coordinate
        var f = Objective.Sum(z => Jet.Square(z - 0.49));        // f(z) = sum_j (z_j - 0.49)^2, written once over jets

        var fourier = new FourierEstimator(gamma, order: 2);     // exact in expectation: f''' = 0
        GradientEstimate estimate = fourier.Estimate(theta, f, samples: 10_000, seed: 1, copies: 3);
        output.WriteLine(estimate);                              // fourier (series, order 2, exact): k[0] = 2.25 ± 0.01, ...
        output.WriteLine(new PathwiseEstimator(gamma).Estimate(theta, f, samples: 10_000, seed: 1, copies: 3));
        output.WriteLine(new ScoreFunctionEstimator(gamma).Estimate(theta, f, samples: 10_000, seed: 1, copies: 3));

        // Logistic regression with a Laplace mean-field posterior: f(w) = log_sigmoid(x . w), a ridge function,
        // so one jet of log_sigmoid gives every coordinate's derivatives.
        var laplace = Rules.Load("laplace");
        double[] x = [0.8, -1.2, 0.5];
        double[] posterior = [0.1, 0.3, -0.2, 0.5, 0.4, 0.2];    // (mu, b) of each weight
        var likelihood = Objective.Ridge(Jet.LogSigmoid, x);
        var auto = new FourierEstimator(laplace, order: 8, autoOrder: true);
        GradientEstimate ridge = auto.Estimate(posterior, likelihood, samples: 10_000, seed: 1, copies: 3);
        output.WriteLine($"{ridge.Truncation}: {ridge}");
        foreach (SeriesTerm term in ridge.Terms) output.WriteLine($"  order {term.Order}: largest term {term.Magnitude:G3}");
        // README example: end

        // d/dk_j E[(z_j - 0.49)^2] = mu_j^2 + 2 mu_j (k_j mu_j - 0.49).
        for (int j = 0; j < 3; j++)
        {
            double k = theta[2 * j], mu = theta[2 * j + 1];
            Assert.True(Math.Abs(estimate.Gradient[2 * j] - (mu * mu + 2 * mu * (k * mu - 0.49))) <= 5 * estimate.StandardError[2 * j]);
        }
        Assert.Equal(6, ridge.Gradient.Length);
        Assert.Contains("fourier (series, order 2, exact)", output.ToString());
    }
}
