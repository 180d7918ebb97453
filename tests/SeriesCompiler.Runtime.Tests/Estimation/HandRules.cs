using System.Numerics;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Rules;
using SeriesCompiler.Runtime.Sampling;
using SeriesCompiler.Runtime.Special;

namespace SeriesCompiler.Runtime.Tests.Estimation;

/// <summary>
/// Rules written by hand from the paper's formulas, so the estimators are tested without the compiler:
/// Gamma(k, mu) with <c>K(t) = -k log(1 - mu t)</c>, so <c>c_n = k mu^n / n</c>, <c>a_{n,k} = mu^n / n</c>,
/// <c>a_{n,mu} = k mu^(n-1)</c> (eq. 20); Bernoulli(p) on {0, 1}; Beta(alpha, beta) = g1 / (g1 + g2) from two gammas.
/// </summary>
internal abstract class HandRule : IDistributionRule
{
    public abstract string Name { get; }
    public abstract IReadOnlyList<ParameterInfo> Parameters { get; }
    private int[]? _differentiable;
    private int[][]? _multiIndices;
    public IReadOnlyList<int> Differentiable => _differentiable ??= [.. Enumerable.Range(0, Parameters.Count).Where(i => Parameters[i].IsDifferentiable)];
    public int Dimension => 1;
    public int Order => 32;
    public abstract SupportKind Support { get; }
    public IReadOnlyList<int[]> MultiIndices => _multiIndices ??= [.. Enumerable.Range(1, Order).Select(n => new[] { n })];

    public void Validate(ReadOnlySpan<double> theta)
    {
        if (theta.Length != Parameters.Count) throw new ArgumentException($"{Name} takes {Parameters.Count} parameters");
        for (int i = 0; i < theta.Length; i++) Parameters[i].Check(theta[i]);
    }

    public void Cumulants(ReadOnlySpan<double> theta, Span<double> c) => throw new NotSupportedException();
    public abstract void Coefficients(ReadOnlySpan<double> theta, Span<double> a);
    public virtual bool HasClosedFormCgf => true;
    public abstract double Cgf(ReadOnlySpan<double> theta, double tau);
    public abstract void CgfGradient(ReadOnlySpan<double> theta, double tau, Span<double> gradient);
    public bool HasCgfDomain => true;
    public abstract void CgfDomain(ReadOnlySpan<double> theta, out double lower, out double upper);
    public bool CanSample => true;
    public abstract void Sample(ReadOnlySpan<double> theta, RandomSource random, Span<double> z);
    public abstract bool HasPathwise { get; }
    public virtual void SamplePathwise(ReadOnlySpan<double> theta, RandomSource random, Span<double> z, Span<double> dz) => throw new NotSupportedException();
    public bool HasLogDensity => true;
    public abstract double LogDensity(ReadOnlySpan<double> theta, ReadOnlySpan<double> z);
    public abstract void Score(ReadOnlySpan<double> theta, ReadOnlySpan<double> z, Span<double> score);
}

/// <summary>Gamma(k, mu) = mu gamma(k), with the block-sampling hook (<see cref="ILaneSampledRule"/>) the compiler emits: the
/// batched core draws its gammas in SIMD lanes, the scalar loop through <see cref="SamplePathwise"/>.</summary>
internal class HandGamma : HandRule, ILaneSampledRule
{
    private static readonly LaneDraw[] s_draws = [LaneDraw.Gamma];

    public bool HasLaneDraws => true;
    public ReadOnlySpan<LaneDraw> LaneDraws => s_draws;
    public void DrawArguments(ReadOnlySpan<double> theta, Span<double> arguments) => arguments[0] = theta[0];

    public void SampleFromDraws(ReadOnlySpan<double> theta, ReadOnlySpan<double> draws, int count, int stride, Span<double> z)
    {
        for (int s = 0; s < count; s++) z[s] = theta[1] * draws[s];
    }

    public void SamplePathwiseFromDraws(ReadOnlySpan<double> theta, ReadOnlySpan<double> draws, ReadOnlySpan<double> shapeDerivatives, int count, int stride, Span<double> z, Span<double> dz)
    {
        for (int s = 0; s < count; s++)
        {
            z[s] = theta[1] * draws[s];
            dz[s] = theta[1] * shapeDerivatives[s];   // dz/dk = mu dg/dk
            dz[stride + s] = draws[s];                // dz/dmu = g
        }
    }

    public static readonly HandGamma Instance = new();

    public override string Name => "Gamma";
    public override IReadOnlyList<ParameterInfo> Parameters { get; } =
        [new("k", 0, false, null, false, false, "k > 0"), new("mu", 0, false, null, false, false, "mu > 0")];
    public override SupportKind Support => SupportKind.Positive;

    public override void Coefficients(ReadOnlySpan<double> theta, Span<double> a)
    {
        double k = theta[0], mu = theta[1];
        for (int n = 1; n <= Order; n++)
        {
            a[2 * (n - 1)] = Math.Pow(mu, n) / n;
            a[2 * (n - 1) + 1] = k * Math.Pow(mu, n - 1);
        }
    }

    public override double Cgf(ReadOnlySpan<double> theta, double tau) => -theta[0] * Math.Log(1 - theta[1] * tau);

    // E[exp(tau z)] = (1 - mu tau)^-k is finite for tau < 1/mu.
    public override void CgfDomain(ReadOnlySpan<double> theta, out double lower, out double upper) => (lower, upper) = (double.NegativeInfinity, 1 / theta[1]);

    public override void CgfGradient(ReadOnlySpan<double> theta, double tau, Span<double> gradient)
    {
        gradient[0] = -Math.Log(1 - theta[1] * tau);
        gradient[1] = theta[0] * tau / (1 - theta[1] * tau);
    }

    public override void Sample(ReadOnlySpan<double> theta, RandomSource random, Span<double> z) => z[0] = theta[1] * random.Gamma(theta[0]);

    public override bool HasPathwise => true;

    public override void SamplePathwise(ReadOnlySpan<double> theta, RandomSource random, Span<double> z, Span<double> dz)
    {
        double g = random.Gamma(theta[0]);
        z[0] = theta[1] * g;
        dz[0] = theta[1] * SpecialFunctions.GammaSampleShapeDerivative(g, theta[0]);
        dz[1] = g;
    }

    public override double LogDensity(ReadOnlySpan<double> theta, ReadOnlySpan<double> z) =>
        (theta[0] - 1) * Math.Log(z[0]) - z[0] / theta[1] - SpecialFunctions.LogGamma(theta[0]) - theta[0] * Math.Log(theta[1]);

    public override void Score(ReadOnlySpan<double> theta, ReadOnlySpan<double> z, Span<double> score)
    {
        score[0] = Math.Log(z[0]) - SpecialFunctions.Digamma(theta[0]) - Math.Log(theta[1]);
        score[1] = z[0] / (theta[1] * theta[1]) - theta[0] / theta[1];
    }
}

internal sealed class HandBernoulli : HandRule, IFiniteSupport
{
    public static readonly HandBernoulli Instance = new();

    public override string Name => "Bernoulli";
    public override IReadOnlyList<ParameterInfo> Parameters { get; } = [new("p", 0, false, 1, false, false, "p in (0, 1)")];
    public override SupportKind Support => SupportKind.FiniteSet;

    /// <summary>Found by the runtime the way it finds a generated rule's (through <see cref="IFiniteSupport"/>).</summary>
    public double[] FiniteSupport(ReadOnlySpan<double> theta) => [0.0, 1.0];

    // K(t) = log(1 - p + p e^t): only the first coefficients are needed by the tests that use them.
    public override void Coefficients(ReadOnlySpan<double> theta, Span<double> a) => a.Clear();

    public override double Cgf(ReadOnlySpan<double> theta, double tau) => Math.Log(1 - theta[0] + theta[0] * Math.Exp(tau));

    // A bounded variable: E[exp(tau z)] is finite for every tau.
    public override void CgfDomain(ReadOnlySpan<double> theta, out double lower, out double upper) => (lower, upper) = (double.NegativeInfinity, double.PositiveInfinity);

    public override void CgfGradient(ReadOnlySpan<double> theta, double tau, Span<double> gradient) =>
        gradient[0] = (Math.Exp(tau) - 1) / (1 - theta[0] + theta[0] * Math.Exp(tau));

    public override void Sample(ReadOnlySpan<double> theta, RandomSource random, Span<double> z) => z[0] = random.Bernoulli(theta[0]) ? 1 : 0;

    public override bool HasPathwise => false;

    public override double LogDensity(ReadOnlySpan<double> theta, ReadOnlySpan<double> z) =>
        z[0] * Math.Log(theta[0]) + (1 - z[0]) * Math.Log(1 - theta[0]);

    public override void Score(ReadOnlySpan<double> theta, ReadOnlySpan<double> z, Span<double> score) =>
        score[0] = z[0] / theta[0] - (1 - z[0]) / (1 - theta[0]);
}

/// <summary>Beta(alpha, beta) = g1 / (g1 + g2), g1 ~ Gamma(alpha, 1), g2 ~ Gamma(beta, 1).</summary>
internal sealed class HandBeta : IDerivedRule
{
    public static readonly HandBeta Instance = new();

    public string Name => "Beta";
    public IReadOnlyList<ParameterInfo> Parameters { get; } =
        [new("alpha", 0, false, null, false, false, "alpha > 0"), new("beta", 0, false, null, false, false, "beta > 0")];
    public IReadOnlyList<LatentInfo> Latents { get; } = [new("g1", "Gamma", 2, false), new("g2", "Gamma", 2, false)];
    public bool IsFamily => false;
    public int FamilySize(ReadOnlySpan<double> theta) => 1;
    public int GradientLength(ReadOnlySpan<double> theta) => theta.Length;

    public void Validate(ReadOnlySpan<double> theta)
    {
        for (int i = 0; i < theta.Length; i++) Parameters[i].Check(theta[i]);
    }

    public void LatentArguments(ReadOnlySpan<double> theta, int latent, int index, Span<double> arguments, Span<double> jacobian)
    {
        jacobian.Clear();
        arguments[0] = theta[latent];
        arguments[1] = 1;
        jacobian[latent] = 1; // d shape / d theta_latent
    }

    public void Value<T>(ReadOnlySpan<T> latents, Span<T> value)
        where T : IAdditionOperators<T, T, T>, ISubtractionOperators<T, T, T>, IMultiplyOperators<T, T, T>,
                  IDivisionOperators<T, T, T>, IUnaryNegationOperators<T, T>,
                  IAdditionOperators<T, double, T>, IMultiplyOperators<T, double, T> =>
        value[0] = latents[0] / (latents[0] + latents[1]);
}
