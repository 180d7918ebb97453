using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using SeriesCompiler.Runtime.Differentiation;

using SeriesCompiler.Runtime.Special;

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
        Derivatives(y, eta, lowest, highest, ulong.MaxValue, output, stride);
    }

    /// <summary>
    /// As <see cref="Derivatives(ReadOnlySpan{double}, ReadOnlySpan{double}, int, int, Span{double}, int)"/> for the orders
    /// k in lowest..highest whose bit is set in <paramref name="orders"/> only; the other orders' rows are not written. An
    /// order's numbers are the same whatever else is asked (each is its own Horner sum over the shared u, v and v powers).
    /// </summary>
    internal void Derivatives(ReadOnlySpan<double> y, ReadOnlySpan<double> eta, int lowest, int highest, ulong orders, Span<double> output, int stride)
    {
        CheckRequest(y, eta, lowest, highest, output, stride);
        int count = eta.Length, i = 0;
        if (lowest == 0 && highest == 1 && (orders & 3) == 3)
        {
            // g and g' alone (f and its slope: every estimator's values, the resummed rules' E[f']): Lanes' operations
            // for those two orders, written straight to the output (the same numbers, without the order loop).
            if (WideMath.Enabled)
            {
                // Two vectors per pass: their chains (an exponential, a logarithm, two divisions) overlap.
                for (; i + 16 <= count; i += 16)
                {
                    var (a0, a1) = ValueAndSlope(Vector512.Create(y.Slice(i, 8)), Vector512.Create(eta.Slice(i, 8)));
                    var (b0, b1) = ValueAndSlope(Vector512.Create(y.Slice(i + 8, 8)), Vector512.Create(eta.Slice(i + 8, 8)));
                    a0.CopyTo(output.Slice(i, 8));
                    b0.CopyTo(output.Slice(i + 8, 8));
                    a1.CopyTo(output.Slice(stride + i, 8));
                    b1.CopyTo(output.Slice(stride + i + 8, 8));
                }
                for (; i + 8 <= count; i += 8)
                {
                    var (g0, g1) = ValueAndSlope(Vector512.Create(y.Slice(i, 8)), Vector512.Create(eta.Slice(i, 8)));
                    g0.CopyTo(output.Slice(i, 8));
                    g1.CopyTo(output.Slice(stride + i, 8));
                }
            }
            for (; i + 4 <= count; i += 4)
            {
                var (g0, g1) = ValueAndSlope(Vector256.Create(y.Slice(i, 4)), Vector256.Create(eta.Slice(i, 4)));
                g0.CopyTo(output.Slice(i, 4));
                g1.CopyTo(output.Slice(stride + i, 4));
            }
            if (i == count) return;
        }
        Span<Vector256<double>> powers = stackalloc Vector256<double>[highest + 1];
        Span<Vector256<double>> results = stackalloc Vector256<double>[highest - lowest + 1];
        if (WideMath.Enabled && count >= 8)
        {
            // Eight rows at once where AVX-512 is there: the same lane operations (WideMath), so the same bits.
            Span<Vector512<double>> widePowers = stackalloc Vector512<double>[highest + 1];
            Span<Vector512<double>> wideResults = stackalloc Vector512<double>[highest - lowest + 1];
            for (; i + 8 <= count; i += 8)
            {
                Lanes(Vector512.Create(y.Slice(i, 8)), Vector512.Create(eta.Slice(i, 8)), lowest, highest, orders, widePowers, wideResults);
                for (int k = lowest; k <= highest; k++)
                    if (Wanted(orders, k)) wideResults[k - lowest].CopyTo(output.Slice((k - lowest) * stride + i, 8));
            }
        }
        for (; i + 4 <= count; i += 4)
        {
            Lanes(Vector256.Create(y.Slice(i, 4)), Vector256.Create(eta.Slice(i, 4)), lowest, highest, orders, powers, results);
            for (int k = lowest; k <= highest; k++)
                if (Wanted(orders, k)) results[k - lowest].CopyTo(output.Slice((k - lowest) * stride + i, 4));
        }
        if (i < count)
        {
            // The tail through the same lanes, padded with eta = 0 (results of the padding are dropped).
            Span<double> ty = stackalloc double[4], te = stackalloc double[4];
            ty.Fill(1);
            y.Slice(i, count - i).CopyTo(ty);
            eta.Slice(i, count - i).CopyTo(te);
            Lanes(Vector256.Create((ReadOnlySpan<double>)ty), Vector256.Create((ReadOnlySpan<double>)te), lowest, highest, orders, powers, results);
            Span<double> lane = stackalloc double[4];
            for (int k = lowest; k <= highest; k++)
            {
                if (!Wanted(orders, k)) continue;
                results[k - lowest].CopyTo(lane);
                lane[..(count - i)].CopyTo(output.Slice((k - lowest) * stride + i, count - i));
            }
        }
    }

    private static bool Wanted(ulong orders, int k) => k >= 64 || (orders & (1UL << k)) != 0;

    // Lanes for orders 0 and 1 only: g = min(m, 0) - log1p(e) and g' = s v, operation for operation (s^0 g = 1 g and
    // s^1 v = s v are the same numbers as Lanes' products by the sign power).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<double> Value, Vector256<double> Slope) ValueAndSlope(Vector256<double> y, Vector256<double> eta)
    {
        var one = Vector256<double>.One;
        var sign = Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<double>.Zero), one, -one);
        var m = sign * eta;
        var e = FastMath.ExpNonPositive(-Vector256.Abs(m));
        var r = one / (one + e);
        var small = e * r;
        var v = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(m, Vector256<double>.Zero), small, r);
        var w = one + e;
        var log1p = Vector256.ConditionalSelect(Vector256.Equals(w, one), e, FastMath.Log(w) * e / (w - one));
        return (Vector256.Min(m, Vector256<double>.Zero) - log1p, sign * v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<double> Value, Vector512<double> Slope) ValueAndSlope(Vector512<double> y, Vector512<double> eta)
    {
        var one = Vector512<double>.One;
        var sign = Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<double>.Zero), one, -one);
        var m = sign * eta;
        var e = WideMath.ExpNonPositive(-Vector512.Abs(m));
        var r = one / (one + e);
        var small = e * r;
        var v = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(m, Vector512<double>.Zero), small, r);
        var w = one + e;
        var log1p = Vector512.ConditionalSelect(Vector512.Equals(w, one), e, WideMath.Log(w) * e / (w - one));
        return (Vector512.Min(m, Vector512<double>.Zero) - log1p, sign * v);
    }

    // Four rows at once: results[k - lowest] = g^(k) for the four lanes (orders not wanted are skipped); vPowers is scratch for v^p.
    private static void Lanes(Vector256<double> y, Vector256<double> eta, int lowest, int highest, ulong orders, Span<Vector256<double>> vPowers, Span<Vector256<double>> results)
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
            if (!Wanted(orders, k))
            {
                signPower *= sign;
                continue;
            }
            Vector256<double> value;
            if (k == 0)
            {
                // log1p(e) = log(w) e / (w - 1) with w = 1 + e: exact where w rounds (the classic correction), e where w = 1.
                var w = one + e;
                var log1p = Vector256.ConditionalSelect(Vector256.Equals(w, one), e, FastMath.Log(w) * e / (w - one));
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

    // Lanes on eight rows: the four-lane body with Vector512 and WideMath, operation for operation.
    private static void Lanes(Vector512<double> y, Vector512<double> eta, int lowest, int highest, ulong orders, Span<Vector512<double>> vPowers, Span<Vector512<double>> results)
    {
        var one = Vector512<double>.One;
        var sign = Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<double>.Zero), one, -one);
        var m = sign * eta;
        var e = WideMath.ExpNonPositive(-Vector512.Abs(m));
        var r = one / (one + e);
        var small = e * r;
        var positive = Vector512.GreaterThanOrEqual(m, Vector512<double>.Zero);
        var u = Vector512.ConditionalSelect(positive, r, small);
        var v = Vector512.ConditionalSelect(positive, small, r);
        var signPower = one;
        for (int k = 0; k < lowest; k++) signPower *= sign;
        if (highest >= 2)
        {
            vPowers[0] = one;
            for (int p = 1; p < highest; p++) vPowers[p] = vPowers[p - 1] * v;
        }
        for (int k = lowest; k <= highest; k++)
        {
            if (!Wanted(orders, k))
            {
                signPower *= sign;
                continue;
            }
            Vector512<double> value;
            if (k == 0)
            {
                var w = one + e;
                var log1p = Vector512.ConditionalSelect(Vector512.Equals(w, one), e, WideMath.Log(w) * e / (w - one));
                value = Vector512.Min(m, Vector512<double>.Zero) - log1p;
            }
            else if (k == 1) value = v;
            else
            {
                int n = k - 1;
                var b = Coefficients[n];
                var q = Vector512.Create(b[n - 1]);
                for (int t = n - 2; t >= 0; t--) q = Vector512.FusedMultiplyAdd(q, u, Vector512.Create(b[t]) * vPowers[n - 1 - t]);
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
