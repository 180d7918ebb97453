using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace SeriesCompiler.Runtime.Estimation;

/// <summary>What truncating the series at the reported order does to the estimate.</summary>
public enum Truncation
{
    /// <summary>Nothing is truncated: the rule is exact (a finite support, the exponential shortcut, or a score/pathwise estimator).</summary>
    None,

    /// <summary>
    /// The truncated series is the whole series: the coefficients vanish beyond the highest non-zero order below N
    /// (Normal, Poisson's shift rule), or <c>f^(N+1)</c> was exactly zero at every sample (polynomial f of degree at most N).
    /// </summary>
    Exact,

    /// <summary>The terms shrink (within their standard errors) up to N; the last term bounds what was left out.</summary>
    Convergent,

    /// <summary>
    /// The terms stop shrinking and grow again before N: the series is asymptotic (Beta via gammas at small
    /// alpha+beta, log_sigmoid at large scale). Its best value truncates at the smallest term (<c>--order auto</c>).
    /// </summary>
    Asymptotic,

    /// <summary>
    /// The derivatives of f carry an error that is not small against the standard error (finite-difference stencils at
    /// high order lose digits): the estimate is flagged in <see cref="GradientEstimate.Warnings"/>, whatever the terms do.
    /// </summary>
    Unreliable,
}

/// <summary>One order's term of the Fourier series, <c>sum_{|n| = order} a_{n,p} mean d^n f</c>, for every gradient slot.</summary>
public sealed record SeriesTerm(int Order, ImmutableArray<double> Values, ImmutableArray<double> StandardErrors)
{
    /// <summary>The largest absolute term over the slots.</summary>
    public double Magnitude => Values.IsEmpty ? 0 : Values.Max(v => Math.Abs(v));
}

/// <summary>
/// A Monte Carlo gradient: <c>dL/dtheta</c> for <c>L = E[f(z)]</c>, the standard error of each slot (the standard
/// deviation of the per-sample contributions divided by <c>sqrt(S)</c>), and for the Fourier rule the size of every
/// order's term, so that truncation is visible.
/// </summary>
public sealed class GradientEstimate
{
    /// <summary>fourier, score or pathwise.</summary>
    public required string Estimator { get; init; }

    /// <summary>
    /// How the estimator worked it out: <c>series</c> (Theorem 1), <c>exponential shortcut</c> (eq. 23),
    /// <c>discrete</c> (Theorem 2 on a finite support), <c>shift differences</c> (a lattice support),
    /// <c>score function</c>, <c>pathwise</c>.
    /// </summary>
    public required string Method { get; init; }

    /// <summary>The truncation order (for <c>--order auto</c>, the highest order kept over the slots); null when no series is involved.</summary>
    public int? Order { get; init; }

    /// <summary>For <c>--order auto</c>, the order kept for each slot.</summary>
    public ImmutableArray<int> Orders { get; init; } = [];

    /// <summary>The parameter of each slot and its index: the copy under <c>--dims</c>, the component of a family's vector parameter, or -1.</summary>
    public required ImmutableArray<(string Parameter, int Index)> Slots { get; init; }

    public required ImmutableArray<double> Gradient { get; init; }

    public required ImmutableArray<double> StandardError { get; init; }

    /// <summary>
    /// Whether <see cref="StandardError"/> is known. It is not for a single sample of a random estimator: one value has
    /// no spread, so every standard error (and every term's) is NaN, which the command line prints as <c>n/a</c> and
    /// writes as <c>null</c> in JSON. Exact methods (the exponential shortcut, a finite support) give 0 at one sample.
    /// </summary>
    public bool HasStandardError => !StandardError.Any(double.IsNaN);

    /// <summary>Samples drawn (0 for the exponential shortcut, which draws none).</summary>
    public long Samples { get; init; }

    public TimeSpan Elapsed { get; init; }

    /// <summary>The series' terms by order (empty when no series is involved); orders whose coefficients all vanish are left out.</summary>
    public ImmutableArray<SeriesTerm> Terms { get; init; } = [];

    public Truncation Truncation { get; init; }

    public bool IsAsymptotic => Truncation == Truncation.Asymptotic;

    /// <summary>A remark for people (why the rule is exact, which slots are asymptotic, ...).</summary>
    public string? Note { get; init; }

    /// <summary>
    /// What makes the numbers less trustworthy than their standard errors say (coefficients evaluated with a large
    /// rounding error at these parameters, ...); empty when nothing is wrong. A flagged estimate is still finite: a
    /// non-finite value anywhere throws <see cref="NonFiniteValueException"/> instead.
    /// </summary>
    public ImmutableArray<string> Warnings { get; init; } = [];

    /// <summary>
    /// For the Fourier series of a generated rule, a bound on what the rounding of its coefficients does to each slot:
    /// <c>sum_n |error bound of a_{n,p}| |mean f^(n)|</c> (<see cref="Rules.ICoefficientErrors"/>); empty when unknown.
    /// </summary>
    public ImmutableArray<double> RoundingError { get; init; } = [];

    /// <summary>Whether <see cref="Warnings"/> has anything.</summary>
    public bool IsFlagged => !Warnings.IsEmpty;

    /// <summary>The slot's name: <c>k</c>, <c>alpha[2]</c>.</summary>
    public string Name(int slot) => SlotName(Slots[slot]);

    /// <summary><c>k</c> for a scalar slot, <c>alpha[2]</c> for an indexed one.</summary>
    public static string SlotName((string Parameter, int Index) slot) => slot.Index < 0 ? slot.Parameter : $"{slot.Parameter}[{slot.Index}]";

    /// <summary>The gradient of a parameter by name (the first slot of a vector parameter).</summary>
    public double this[string parameter]
    {
        get
        {
            for (int i = 0; i < Slots.Length; i++)
                if (Slots[i].Parameter == parameter || Name(i) == parameter) return Gradient[i];
            throw new KeyNotFoundException($"No gradient slot for '{parameter}'.");
        }
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(Estimator).Append(" (").Append(Method);
        if (Order is { } n) sb.Append(", order ").Append(n);
        if (Truncation is not Truncation.None) sb.Append(", ").Append(Truncation.ToString().ToLowerInvariant());
        sb.Append("):");
        for (int i = 0; i < Slots.Length; i++)
            sb.Append(' ').Append(Name(i)).Append(" = ").Append(Gradient[i].ToString("G6", CultureInfo.InvariantCulture))
              .Append(" ± ").Append(StandardError[i].ToString("G2", CultureInfo.InvariantCulture)).Append(i + 1 < Slots.Length ? "," : "");
        return sb.ToString();
    }
}

/// <summary>
/// Thrown instead of returning a NaN or infinite gradient: f, one of its derivatives or differences, a coefficient of the
/// rule, or a per-sample contribution was not finite. The message says which value, at which sample and z.
/// </summary>
public sealed class NonFiniteValueException : ArithmeticException
{
    public NonFiniteValueException(string estimator, string quantity, double value, long sample = -1, double[]? z = null, int? derivativeOrder = null, string? advice = null)
        : base(Describe(estimator, quantity, value, sample, z, advice))
    {
        Estimator = estimator;
        Quantity = quantity;
        Value = value;
        Sample = sample;
        Z = z is null ? [] : [.. z];
        DerivativeOrder = derivativeOrder;
    }

    public string Estimator { get; }

    /// <summary>What was not finite, in words: <c>f</c>, <c>f^(12)</c>, <c>a_{32,mu}</c>, ...</summary>
    public string Quantity { get; }

    /// <summary>The offending value: NaN or an infinity.</summary>
    public double Value { get; }

    /// <summary>The sample (from 0) it happened at, or -1 when it does not depend on a sample.</summary>
    public long Sample { get; }

    /// <summary>z at that sample (empty when there is none).</summary>
    public ImmutableArray<double> Z { get; }

    /// <summary>The order of the derivative of f that was not finite (0: f itself), when that was the problem.</summary>
    public int? DerivativeOrder { get; }

    private static string Describe(string estimator, string quantity, double value, long sample, double[]? z, string? advice)
    {
        var sb = new StringBuilder();
        sb.Append(estimator).Append(": ").Append(quantity).Append(" is ")
          .Append(double.IsNaN(value) ? "NaN" : value > 0 ? "+infinity" : "-infinity");
        if (sample >= 0) sb.Append(" at sample ").Append(sample.ToString(CultureInfo.InvariantCulture));
        if (z is { Length: > 0 })
            sb.Append(" (z = ").Append(z.Length == 1 ? Format(z[0]) : "[" + string.Join(", ", z.Select(Format)) + "]").Append(')');
        sb.Append("; the gradient would not be finite");
        if (advice is not null) sb.Append(" (").Append(advice).Append(')');
        return sb.ToString();
    }

    private static string Format(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>Thrown when an estimator does not apply to a distribution and function (the score function without a logpdf, ...).</summary>
public sealed class EstimatorNotApplicableException(string estimator, string reason)
    : InvalidOperationException($"{estimator}: {reason}")
{
    public string Estimator { get; } = estimator;
    public string Reason { get; } = reason;
}
