using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Sampling;
using SeriesCompiler.Runtime.Statistics;
using static SeriesCompiler.Runtime.Special.SpecialFunctions;

namespace SeriesCompiler.Runtime.Estimation;

/// <summary>
/// The generalized reparameterization gradient (G-REP) of Ruiz, Titsias and Blei (2016), the "weak reparameterization"
/// baseline of the paper's gamma toys, for the bundled <c>Gamma(k, mu)</c> (shape k, scale mu) alone.
/// </summary>
/// <remarks>
/// <para>The standardization <c>eps = T(z; theta) = (log z - m) / s</c>, <c>m = psi(k) + log mu</c>,
/// <c>s = sqrt(psi1(k))</c>, makes eps have mean 0 and variance 1 (<c>E log z = m</c>, <c>Var log z = psi1(k)</c>);
/// its law still depends on k (weakly), not on mu. Its inverse is <c>z = exp(m + s eps)</c>.</para>
/// <para>Writing <c>L = int q_eps(eps; theta) f(T^-1(eps; theta)) deps</c> and differentiating under the integral:
/// <c>dL/dtheta = E[f'(z) h] + E[f(z) d/dtheta log q_eps(eps; theta)]</c> = g_rep + g_corr, with
/// <c>h = dz/dtheta</c> at fixed eps and, since <c>q_eps(eps) = q(z) |dz/deps|</c>,
/// <c>d/dtheta log q_eps = dlog q/dz h + dlog q/dtheta + d/dtheta log|dz/deps|</c>.</para>
/// <para>For the gamma, <c>log q = (k-1) log z - z/mu - lgamma(k) - k log mu</c> and <c>dz/deps = s z</c>:</para>
/// <list type="bullet">
/// <item>mu: <c>h = z/mu</c>; the correction is <c>((k-1)/z - 1/mu) z/mu + (z/mu^2 - k/mu) + 1/mu = 0</c>: mu is a scale,
/// so G-REP is the plain reparameterization gradient <c>f'(z) z/mu</c>.</item>
/// <item>k: <c>h = z (psi1(k) + eps psi2(k)/(2s))</c>; the correction weight, with <c>log z - psi(k) - log mu = s eps</c>, is
/// <c>u = (k - z/mu)(psi1(k) + eps psi2(k)/(2s)) + s eps + psi2(k)/(2 psi1(k))</c>. Its mean is 0 as a score's must be:
/// <c>E eps = 0</c>, <c>E(k - z/mu) = 0</c> and <c>E[(k - z/mu) eps] = -Cov(x, log x)/s = -1/s</c> for x ~ Gamma(k, 1).</item>
/// </list>
/// <para>Per sample the estimate is <c>(f'(z) h_k + f(z) u, f'(z) z/mu)</c>: unbiased, needing f' (f may have kinks).</para>
/// </remarks>
public sealed class GeneralizedReparameterizationEstimator(Rule rule) : GradientEstimator(rule)
{
    public override string Name => "grep";

    public override string? WhyNotApplicable(Objective f)
    {
        ArgumentNullException.ThrowIfNull(f);
        if (IsBundledGamma(Rule) is { } why) return why;
        // g_rep needs f' at the samples; f' of a Lipschitz f holds almost everywhere, which is all the expectation sees.
        return f.Smoothness.Refusal(1, "the generalized reparameterization gradient");
    }

    /// <summary>Why the rule is not the bundled Gamma(k > 0, mu > 0) with shape k and scale mu, or null when it is.</summary>
    private static string? IsBundledGamma(Rule rule)
    {
        const string Expected = "the generalized reparameterization gradient is derived here for the bundled Gamma(k, mu) (shape k, scale mu) only";
        if (rule.Direct is not { } d) return $"{rule.Name} is a derived distribution; {Expected}";
        if (d.Name != "Gamma" || d.Dimension != 1 || d.Parameters.Count != 2 || d.Parameters[0].Name != "k" || d.Parameters[1].Name != "mu")
            return $"{d.Name}({string.Join(", ", d.Parameters.Select(p => p.Name))}) is not Gamma(k, mu); {Expected}";
        if (!d.CanSample) return $"{d.Name} declares no 'sample'";
        if (!d.HasLogDensity) return $"{d.Name} declares no logpdf, so it cannot be checked to be the gamma with shape k and scale mu; {Expected}";
        // A declaration named Gamma(k, mu) may mean another law (a rate instead of a scale): its density must be the gamma's.
        ReadOnlySpan<double> theta = [2.5, 1.5];
        foreach (double z in (ReadOnlySpan<double>)[0.3, 1.7, 6.0])
        {
            double expected = (theta[0] - 1) * Math.Log(z) - z / theta[1] - LogGamma(theta[0]) - theta[0] * Math.Log(theta[1]);
            double actual = d.LogDensity(theta, [z]);
            if (!(Math.Abs(actual - expected) <= 1e-9 * (1 + Math.Abs(expected))))
                return $"{d.Name}'s logpdf is not that of the gamma with shape k and scale mu (at k = 2.5, mu = 1.5, z = {z}: {actual} instead of {expected}); {Expected}";
        }
        return null;
    }

    internal override GradientEstimate Run(Problem problem, Objective f, int samples, RandomSource random)
    {
        var gamma = problem.Rule.Direct!;
        int copies = problem.Copies, g = problem.GradientPerCopy;
        var differentiable = gamma.Differentiable;   // which of (k, mu) each gradient slot holds
        var z = new double[problem.TotalVariables];
        var gradient = new double[z.Length];
        var contribution = new double[problem.GradientLength];
        var welford = new Welford(contribution.Length);
        // Per copy, the standardization's constants: m = psi(k) + log mu, s = sqrt(psi1(k)), and psi2(k).
        var m = new double[copies];
        var s = new double[copies];
        var psi1 = new double[copies];
        var psi2 = new double[copies];
        Span<double> polygammas = stackalloc double[3];
        for (int c = 0; c < copies; c++)
        {
            double k = problem.Thetas[c][0], mu = problem.Thetas[c][1];
            Polygammas(k, polygammas);
            m[c] = polygammas[0] + Math.Log(mu);
            psi1[c] = polygammas[1];
            psi2[c] = polygammas[2];
            s[c] = Math.Sqrt(polygammas[1]);
        }
        for (int n = 0; n < samples; n++)
        {
            problem.Monitor.Sample(n);
            for (int c = 0; c < copies; c++) gamma.Sample(problem.Thetas[c], random, z.AsSpan(c, 1));
            double value = f.Value(z);
            Finite.CheckValue(Name, value, n, z);
            f.Gradient(z, gradient);
            for (int c = 0; c < copies; c++)
            {
                if (!double.IsFinite(gradient[c]))
                    throw new NonFiniteValueException(Name, $"df/dz{(copies > 1 ? (c + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : "")}", gradient[c], n, z, 1);
                double k = problem.Thetas[c][0], mu = problem.Thetas[c][1], x = z[c];
                double eps = (Math.Log(x) - m[c]) / s[c];
                // d z / d k at fixed eps: z (dm/dk + eps ds/dk), dm/dk = psi1(k), ds/dk = psi2(k) / (2 s).
                double dLogZdK = psi1[c] + eps * psi2[c] / (2 * s[c]);
                // d/dk log q_eps(eps; k, mu): the score-like weight u of the remarks (zero mean).
                double u = (k - x / mu) * dLogZdK + s[c] * eps + psi2[c] / (2 * psi1[c]);
                for (int p = 0; p < g; p++)
                    contribution[c * g + p] = differentiable[p] == 0
                        ? gradient[c] * x * dLogZdK + value * u   // g_rep + g_corr for k
                        : gradient[c] * x / mu;                   // mu is a scale: no correction
            }
            Finite.Check(Name, contribution, n, z);
            welford.Add(contribution);
        }
        return Baseline.Result(Name, "generalized reparameterization", problem, welford, samples);
    }
}
