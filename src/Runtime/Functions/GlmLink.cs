using System.Runtime.Intrinsics;
using SeriesCompiler.Runtime.Differentiation;

namespace SeriesCompiler.Runtime.Functions;

/// <summary>User-supplied derivatives of a GLM term: writes <c>d^k g(y, eta) / d eta^k</c> for <c>k = 0 .. derivatives.Length - 1</c>.</summary>
public delegate void GlmDerivativeFunction(double y, double eta, Span<double> derivatives);

/// <summary>
/// The per-row term <c>g(y, eta)</c> of a linear-predictor objective <c>f(w) = sum_n g(y_n, x_n . w)</c>
/// (<see cref="GlmObjective"/>), with its derivatives in the linear predictor <c>eta</c>.
/// </summary>
/// <remarks>
/// <see cref="Logistic"/> is built in (vectorised, stable in the tails); <see cref="FromJet"/> and <see cref="FromDerivatives"/>
/// take a user's g. A subclass may override <see cref="Derivatives"/> with its own vectorised kernel. A link keeps scratch
/// state: use it from one thread at a time, like the objective that holds it.
/// </remarks>
public abstract class GlmLink
{
    /// <summary>
    /// The Bernoulli log-likelihood <c>log p(y | eta) = log sigmoid(s eta)</c> with <c>s = +1</c> for a positive label and
    /// <c>-1</c> otherwise (labels in {0, 1} or {-1, +1}); derivatives to any order, stable for any <c>|eta|</c>.
    /// </summary>
    public static GlmLink Logistic { get; } = new LogisticLink();

    /// <summary>A link written once over jets: <c>GlmLink.FromJet((y, eta) =&gt; y * eta - Jet.Exp(eta))</c> (Poisson).</summary>
    public static GlmLink FromJet(Func<double, Jet, Jet> g) => new JetLink(g);

    /// <summary>A link with hand-written derivatives in eta (the callback writes orders 0 .. length - 1).</summary>
    public static GlmLink FromDerivatives(GlmDerivativeFunction derivatives) => new CallbackLink(derivatives);

    /// <summary>Highest derivative order <see cref="Derivatives"/> gives.</summary>
    public virtual int MaxOrder => TaylorSeries.MaxOrder;

    /// <summary>Whether <see cref="Evaluate"/> works (g can take a jet in eta).</summary>
    public virtual bool SupportsJets => false;

    /// <summary>g(y, eta) over a jet in eta (only when <see cref="SupportsJets"/>).</summary>
    public virtual Jet Evaluate(double y, Jet eta) => throw new NotSupportedException($"{GetType().Name} cannot be evaluated over jets.");

    /// <summary>Why label <paramref name="y"/> is not allowed, or null when it is (checked once, when the data are given).</summary>
    public virtual string? CheckLabel(double y) => double.IsFinite(y) ? null : "a label must be finite";

    /// <summary>
    /// <c>output[(k - lowest) * stride + i] = d^k g(y_i, eta_i) / d eta^k</c> for <c>k = lowest .. highest</c> and
    /// <c>i &lt; eta.Length</c>.
    /// </summary>
    public abstract void Derivatives(ReadOnlySpan<double> y, ReadOnlySpan<double> eta, int lowest, int highest, Span<double> output, int stride);

    /// <summary>Checks the arguments of <see cref="Derivatives"/> (for subclasses).</summary>
    protected void CheckRequest(ReadOnlySpan<double> y, ReadOnlySpan<double> eta, int lowest, int highest, Span<double> output, int stride)
    {
        if (lowest < 0 || highest < lowest || highest > MaxOrder)
            throw new ArgumentOutOfRangeException(nameof(highest), highest, $"The derivative orders must satisfy 0 <= lowest ({lowest}) <= highest <= {MaxOrder}.");
        if (y.Length < eta.Length) throw new ArgumentException($"{eta.Length} linear predictors but {y.Length} labels.", nameof(y));
        if (stride < eta.Length) throw new ArgumentOutOfRangeException(nameof(stride), stride, $"The stride must be at least the number of rows ({eta.Length}).");
        if (eta.Length > 0 && output.Length < (long)(highest - lowest) * stride + eta.Length)
            throw new ArgumentException($"The output needs {(highest - lowest) * stride + eta.Length} values, got {output.Length}.", nameof(output));
    }
}

/// <summary>
/// <c>g(y, eta) = log sigmoid(m)</c>, <c>m = s eta</c>, so <c>g^(k)(eta) = s^k ls^(k)(m)</c>. With <c>u = sigmoid(m)</c> and
/// <c>v = sigmoid(-m)</c>, both computed without cancellation from <c>e = exp(-|m|)</c>:
/// <c>ls(m) = min(m, 0) - log1p(e)</c>, <c>ls'(m) = v</c>, and for <c>k &gt;= 2</c> <c>ls^(k) = -sigmoid^(k-1)</c> with
/// <c>sigmoid^(n) = sum_i b_{n,i} u^{i+1} v^{n-i}</c>: a form in u and v together, so neither tail subtracts numbers near 1.
/// </summary>
internal sealed class LogisticLink : GlmLink
{
    // b_{n,i}, i < n: the coefficients of sigmoid^(n). From u' = u v and v' = -u v:
    // d/dm (u^{i+1} v^{n-i}) = (i+1) u^{i+1} v^{n+1-i} - (n-i) u^{i+2} v^{n-i}, so b_{n+1,i} += (i+1) b_{n,i} and
    // b_{n+1,i+1} -= (n-i) b_{n,i}, starting from sigmoid' = u v (b_{1,0} = 1).
    private static readonly double[][] Coefficients = BuildCoefficients(Highest);

    // The coefficients grow like n! (Eulerian numbers); 60 keeps them far inside the double range.
    private const int Highest = 60;

    private static double[][] BuildCoefficients(int max)
    {
        var b = new double[max + 1][];
        b[0] = [];
        b[1] = [1];
        for (int n = 1; n < max; n++)
        {
            var next = new double[n + 1];
            for (int i = 0; i < n; i++)
            {
                next[i] += (i + 1) * b[n][i];
                next[i + 1] -= (n - i) * b[n][i];
            }
            b[n + 1] = next;
        }
        return b;
    }

    public override int MaxOrder => Highest;
    public override bool SupportsJets => true;

    public override string? CheckLabel(double y) =>
        y is 0 or 1 or -1 ? null : $"a Bernoulli label must be 0 or 1 (or -1 or +1), got {y.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}";

    public override Jet Evaluate(double y, Jet eta) => Jet.LogSigmoid(y > 0 ? eta : -eta);

    public override void Derivatives(ReadOnlySpan<double> y, ReadOnlySpan<double> eta, int lowest, int highest, Span<double> output, int stride)
    {
        CheckRequest(y, eta, lowest, highest, output, stride);
        int count = eta.Length, i = 0;
        Span<Vector256<double>> powers = stackalloc Vector256<double>[highest + 1];
        Span<Vector256<double>> results = stackalloc Vector256<double>[highest - lowest + 1];
        for (; i + 4 <= count; i += 4)
        {
            Lanes(Vector256.Create(y.Slice(i, 4)), Vector256.Create(eta.Slice(i, 4)), lowest, highest, powers, results);
            for (int k = lowest; k <= highest; k++) results[k - lowest].CopyTo(output.Slice((k - lowest) * stride + i, 4));
        }
        if (i < count)
        {
            // The tail through the same lanes, padded with eta = 0 (results of the padding are dropped).
            Span<double> ty = stackalloc double[4], te = stackalloc double[4];
            ty.Fill(1);
            y.Slice(i, count - i).CopyTo(ty);
            eta.Slice(i, count - i).CopyTo(te);
            Lanes(Vector256.Create((ReadOnlySpan<double>)ty), Vector256.Create((ReadOnlySpan<double>)te), lowest, highest, powers, results);
            Span<double> lane = stackalloc double[4];
            for (int k = lowest; k <= highest; k++)
            {
                results[k - lowest].CopyTo(lane);
                lane[..(count - i)].CopyTo(output.Slice((k - lowest) * stride + i, count - i));
            }
        }
    }

    // Four rows at once: results[k - lowest] = g^(k) for the four lanes; vPowers is scratch for v^p.
    private static void Lanes(Vector256<double> y, Vector256<double> eta, int lowest, int highest, Span<Vector256<double>> vPowers, Span<Vector256<double>> results)
    {
        var one = Vector256<double>.One;
        var sign = Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<double>.Zero), one, -one);
        var m = sign * eta;
        var e = FastMath.ExpNonPositive(-Vector256.Abs(m));       // e = exp(-|m|) in [0, 1]
        var r = one / (one + e);                                 // sigmoid(|m|)
        var small = e * r;                                       // sigmoid(-|m|) = e / (1 + e)
        var positive = Vector256.GreaterThanOrEqual(m, Vector256<double>.Zero);
        var u = Vector256.ConditionalSelect(positive, r, small); // sigmoid(m)
        var v = Vector256.ConditionalSelect(positive, small, r); // sigmoid(-m)
        var signPower = one;                                     // s^k
        for (int k = 0; k < lowest; k++) signPower *= sign;
        if (highest >= 2)
        {
            vPowers[0] = one;
            for (int p = 1; p < highest; p++) vPowers[p] = vPowers[p - 1] * v;
        }
        for (int k = lowest; k <= highest; k++)
        {
            Vector256<double> value;
            if (k == 0)
            {
                // log1p(e) = log(w) e / (w - 1) with w = 1 + e: exact where w rounds (the classic correction), e where w = 1.
                var w = one + e;
                var log1p = Vector256.ConditionalSelect(Vector256.Equals(w, one), e, Vector256.Log(w) * e / (w - one));
                value = Vector256.Min(m, Vector256<double>.Zero) - log1p;
            }
            else if (k == 1) value = v;
            else
            {
                // ls^(k) = -sigmoid^(n), n = k - 1: u v sum_i b_{n,i} u^i v^{n-1-i}, by Horner in u with v's powers.
                int n = k - 1;
                var b = Coefficients[n];
                var q = Vector256.Create(b[n - 1]);
                for (int t = n - 2; t >= 0; t--) q = Vector256.FusedMultiplyAdd(q, u, Vector256.Create(b[t]) * vPowers[n - 1 - t]);
                value = -(u * v * q);
            }
            results[k - lowest] = signPower * value;
            signPower *= sign;
        }
    }
}

/// <summary>g over jets, one row at a time (a user's model; the closure over y is built once).</summary>
internal sealed class JetLink : GlmLink
{
    private readonly Func<double, Jet, Jet> _g;
    private readonly Func<Jet, Jet> _atY;
    private double _y;

    public JetLink(Func<double, Jet, Jet> g)
    {
        _g = g ?? throw new ArgumentNullException(nameof(g));
        _atY = eta => _g(_y, eta);
    }

    public override bool SupportsJets => true;

    public override Jet Evaluate(double y, Jet eta) => _g(y, eta);

    public override void Derivatives(ReadOnlySpan<double> y, ReadOnlySpan<double> eta, int lowest, int highest, Span<double> output, int stride)
    {
        CheckRequest(y, eta, lowest, highest, output, stride);
        Span<double> d = stackalloc double[highest + 1];
        for (int i = 0; i < eta.Length; i++)
        {
            _y = y[i];
            SeriesCompiler.Runtime.Differentiation.Derivatives.OfScalar(_atY, eta[i], highest, d);
            for (int k = lowest; k <= highest; k++) output[(k - lowest) * stride + i] = d[k];
        }
    }
}

/// <summary>g with hand-written derivatives, one row at a time.</summary>
internal sealed class CallbackLink(GlmDerivativeFunction derivatives) : GlmLink
{
    private readonly GlmDerivativeFunction _derivatives = derivatives ?? throw new ArgumentNullException(nameof(derivatives));

    public override void Derivatives(ReadOnlySpan<double> y, ReadOnlySpan<double> eta, int lowest, int highest, Span<double> output, int stride)
    {
        CheckRequest(y, eta, lowest, highest, output, stride);
        Span<double> d = stackalloc double[highest + 1];
        for (int i = 0; i < eta.Length; i++)
        {
            _derivatives(y[i], eta[i], d);
            for (int k = lowest; k <= highest; k++) output[(k - lowest) * stride + i] = d[k];
        }
    }
}

/// <summary>Vector kernels the logistic link and the GLM objective share.</summary>
internal static class FastMath
{
    // ln 2 split for Cody-Waite reduction: Ln2Hi has its low 32 bits zero, so k Ln2Hi is exact for |k| < 2^21.
    private const double Log2E = 1.4426950408889634, Ln2Hi = 6.93147180369123816490e-01, Ln2Lo = 1.90821492927058770002e-10;

    // Below this exp(x) < 2^-1022 (subnormal): 0 is returned, an absolute error under 2.3e-308.
    private const double Underflow = -708.7;

    // 2^52 + 1023: adding k (an integer-valued double in [-1022, 0]) puts k + 1023 in the low mantissa bits.
    private const double ExponentBias = 4503599627370496.0 + 1023.0;

    /// <summary>
    /// exp(x) for x &lt;= 0 (NaN stays NaN), lane by lane (a lane's result never depends on its neighbours, so a scalar
    /// broadcast gives the same number): x = k ln 2 + r with |r| &lt;= ln 2 / 2, exp(r) by its Taylor polynomial to r^13
    /// (the remainder is below 5e-18 relative; Estrin's scheme), and 2^k written into the exponent bits. Within 2 ulps of Math.Exp where the
    /// result is normal; 0 where it would be subnormal. Cheaper than Vector256.Exp, which handles the whole real line.
    /// </summary>
    public static Vector256<double> ExpNonPositive(Vector256<double> x)
    {
        var k = Vector256.Round(x * Log2E);                     // nearest integer, ties to even
        var r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2Hi), x);
        r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2Lo), r);
        // exp(r) = sum_{i <= 13} r^i / i!, by Estrin's scheme: pairs c_i + c_{i+1} r, combined with r^2, r^4, r^8 (four
        // multiply-adds deep instead of Horner's thirteen: the kernels that call it are latency-bound).
        var r2 = r * r;
        var r4 = r2 * r2;
        var r8 = r4 * r4;
        var p01 = r + Vector256<double>.One;
        var p23 = Vector256.FusedMultiplyAdd(r, Vector256.Create(1.0 / 6.0), Vector256.Create(0.5));
        var p45 = Vector256.FusedMultiplyAdd(r, Vector256.Create(1.0 / 120.0), Vector256.Create(1.0 / 24.0));
        var p67 = Vector256.FusedMultiplyAdd(r, Vector256.Create(1.0 / 5040.0), Vector256.Create(1.0 / 720.0));
        var p89 = Vector256.FusedMultiplyAdd(r, Vector256.Create(1.0 / 362880.0), Vector256.Create(1.0 / 40320.0));
        var p1011 = Vector256.FusedMultiplyAdd(r, Vector256.Create(1.0 / 39916800.0), Vector256.Create(1.0 / 3628800.0));
        var p1213 = Vector256.FusedMultiplyAdd(r, Vector256.Create(1.0 / 6227020800.0), Vector256.Create(1.0 / 479001600.0));
        var q0 = Vector256.FusedMultiplyAdd(r2, p23, p01);
        var q1 = Vector256.FusedMultiplyAdd(r2, p67, p45);
        var q2 = Vector256.FusedMultiplyAdd(r2, p1011, p89);
        var p = Vector256.FusedMultiplyAdd(r8, Vector256.FusedMultiplyAdd(r4, p1213, q2), Vector256.FusedMultiplyAdd(r4, q1, q0));
        // 2^k: the low 12 bits of k + 1023 shifted into the exponent field (k >= -1022 wherever x >= Underflow).
        var scale = Vector256.ShiftLeft((k + Vector256.Create(ExponentBias)).AsUInt64(), 52).AsDouble();
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(Underflow)), Vector256<double>.Zero, p * scale);
    }

    /// <summary><see cref="ExpNonPositive(Vector256{double})"/> of one number (the same bits as a lane).</summary>
    public static double ExpNonPositive(double x) => ExpNonPositive(Vector256.Create(x)).ToScalar();
}
