using System.Runtime.CompilerServices;
using SeriesCompiler.Runtime.Special;

namespace SeriesCompiler.Runtime.Differentiation;

/// <summary>
/// Allocation-free kernels over truncated Taylor series held as normalized coefficients
/// <c>a[k] = f^(k)(x0) / k!</c>. These are the O(N^2) recurrences of <c>docs/series-math.md</c>
/// (Knuth TAOCP 4.7, Griewank &amp; Walther ch. 13) evaluated in doubles; no expression is ever
/// differentiated symbolically.
/// </summary>
/// <remarks>
/// <para>The destination fixes the truncation: <c>b.Length = N + 1</c> and every input must hold at
/// least <c>b.Length</c> coefficients (extra ones are ignored, so a higher-order jet can feed a
/// lower-order one).</para>
/// <para>Aliasing: the linear kernels, <see cref="Multiply"/>, <see cref="Square"/>,
/// <see cref="Divide"/> (numerator only) and <see cref="Sqrt"/> may write over an input; every
/// other kernel reads input coefficients after writing result coefficients, so the destination
/// must not overlap its inputs (checked in debug builds). Kernels that need temporaries take
/// caller-provided <c>scratch</c> spans of the destination's length.</para>
/// </remarks>
public static class TaylorSeries
{
    /// <summary>Largest order whose factorial is finite in doubles (170! ~ 7.3e306).</summary>
    public const int MaxOrder = 170;

    // ---------------------------------------------------------------- constants, conversion

    /// <summary>Constant c: <c>b = (c, 0, 0, ...)</c>.</summary>
    public static void Constant(double c, Span<double> b)
    {
        b.Clear();
        b[0] = c;
    }

    /// <summary>The independent variable <c>x0 + direction t</c>: <c>b = (x0, direction, 0, ...)</c>.</summary>
    public static void Variable(double x0, double direction, Span<double> b)
    {
        b.Clear();
        b[0] = x0;
        if (b.Length > 1) b[1] = direction;
    }

    /// <summary>Derivatives from normalized coefficients: <c>f^(k) = k! a_k</c>. May alias.</summary>
    public static void ToDerivatives(ReadOnlySpan<double> coefficients, Span<double> derivatives)
    {
        var f = Factorials.Table;
        for (int k = 0; k < derivatives.Length; k++) derivatives[k] = coefficients[k] * f[k];
    }

    /// <summary>Normalized coefficients from derivatives: <c>a_k = f^(k) / k!</c>. May alias.</summary>
    public static void FromDerivatives(ReadOnlySpan<double> derivatives, Span<double> coefficients)
    {
        var f = Factorials.Inverse;
        for (int k = 0; k < coefficients.Length; k++) coefficients[k] = derivatives[k] * f[k];
    }

    // ---------------------------------------------------------------- linear operations

    /// <summary><c>(a + c)_n = a_n + c_n</c>.</summary>
    public static void Add(ReadOnlySpan<double> a, ReadOnlySpan<double> c, Span<double> b)
    {
        a = a[..b.Length];
        c = c[..b.Length];
        for (int n = 0; n < b.Length; n++) b[n] = a[n] + c[n];
    }

    /// <summary><c>(a - c)_n = a_n - c_n</c>.</summary>
    public static void Subtract(ReadOnlySpan<double> a, ReadOnlySpan<double> c, Span<double> b)
    {
        a = a[..b.Length];
        c = c[..b.Length];
        for (int n = 0; n < b.Length; n++) b[n] = a[n] - c[n];
    }

    /// <summary><c>(-a)_n = -a_n</c>.</summary>
    public static void Negate(ReadOnlySpan<double> a, Span<double> b)
    {
        a = a[..b.Length];
        for (int n = 0; n < b.Length; n++) b[n] = -a[n];
    }

    /// <summary><c>(s a)_n = s a_n</c>.</summary>
    public static void Scale(ReadOnlySpan<double> a, double s, Span<double> b)
    {
        a = a[..b.Length];
        for (int n = 0; n < b.Length; n++) b[n] = s * a[n];
    }

    /// <summary><c>(a + s)_0 = a_0 + s</c>, higher coefficients unchanged (a constant has no slope).</summary>
    public static void AddScalar(ReadOnlySpan<double> a, double s, Span<double> b)
    {
        a[..b.Length].CopyTo(b);
        b[0] += s;
    }

    /// <summary><c>(s - a)_0 = s - a_0</c>, <c>(s - a)_n = -a_n</c>.</summary>
    public static void ScalarSubtract(double s, ReadOnlySpan<double> a, Span<double> b)
    {
        Negate(a, b);
        b[0] += s;
    }

    // ---------------------------------------------------------------- products and quotients

    /// <summary>Cauchy product <c>b_n = sum_{k=0..n} a_k c_{n-k}</c>. <paramref name="b"/> may alias either input.</summary>
    public static void Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> c, Span<double> b)
    {
        // Descending n: b_n needs a_0..a_n, c_0..c_n only, so overwriting index n afterwards is safe.
        for (int n = b.Length - 1; n >= 0; n--)
        {
            double s = 0;
            for (int k = 0; k <= n; k++) s += a[k] * c[n - k];
            b[n] = s;
        }
    }

    /// <summary><c>(a^2)_n = 2 sum_{k&lt;n-k} a_k a_{n-k} + [n even] a_{n/2}^2</c> (half the work of a product). May alias.</summary>
    public static void Square(ReadOnlySpan<double> a, Span<double> b)
    {
        for (int n = b.Length - 1; n >= 0; n--)
        {
            double s = 0;
            for (int k = 0; 2 * k < n; k++) s += a[k] * a[n - k];
            s *= 2;
            if ((n & 1) == 0) s += a[n / 2] * a[n / 2];
            b[n] = s;
        }
    }

    /// <summary>Quotient <c>b_n = (a_n - sum_{k=1..n} c_k b_{n-k}) / c_0</c>. <paramref name="b"/> may alias <paramref name="a"/>, not <paramref name="c"/>.</summary>
    public static void Divide(ReadOnlySpan<double> a, ReadOnlySpan<double> c, Span<double> b)
    {
        AssertNoOverlap(c, b);
        double inv = 1.0 / c[0];
        for (int n = 0; n < b.Length; n++)
        {
            double s = a[n];
            for (int k = 1; k <= n; k++) s -= c[k] * b[n - k];
            b[n] = s * inv;
        }
    }

    /// <summary>Reciprocal <c>b_0 = 1/a_0</c>, <c>b_n = -(1/a_0) sum_{k=1..n} a_k b_{n-k}</c>.</summary>
    public static void Reciprocal(ReadOnlySpan<double> a, Span<double> b)
    {
        AssertNoOverlap(a, b);
        double inv = 1.0 / a[0];
        b[0] = inv;
        for (int n = 1; n < b.Length; n++)
        {
            double s = 0;
            for (int k = 1; k <= n; k++) s += a[k] * b[n - k];
            b[n] = -s * inv;
        }
    }

    /// <summary>Scalar over series: <c>s / a</c>.</summary>
    public static void ScalarDivide(double s, ReadOnlySpan<double> a, Span<double> b)
    {
        Reciprocal(a, b);
        Scale(b, s, b);
    }

    // ---------------------------------------------------------------- powers

    /// <summary>
    /// Square root from <c>b^2 = a</c>: <c>b_0 = sqrt(a_0)</c>,
    /// <c>b_n = (a_n - sum_{k=1..n-1} b_k b_{n-k}) / (2 b_0)</c>. May alias <paramref name="a"/>.
    /// At <c>a_0 = 0</c> the root is not analytic: higher coefficients are NaN (or 0 for the zero series).
    /// </summary>
    public static void Sqrt(ReadOnlySpan<double> a, Span<double> b)
    {
        double b0 = Math.Sqrt(a[0]);
        if (b0 == 0)
        {
            NonAnalytic(a, b, 0);
            return;
        }
        double inv = 0.5 / b0;
        b[0] = b0;
        for (int n = 1; n < b.Length; n++)
        {
            // sum_{k=1..n-1} b_k b_{n-k}, folded in half like Square.
            double s = 0;
            for (int k = 1; 2 * k < n; k++) s += b[k] * b[n - k];
            s *= 2;
            if ((n & 1) == 0) s += b[n / 2] * b[n / 2];
            b[n] = (a[n] - s) * inv;
        }
    }

    /// <summary>
    /// Real power by J.C.P. Miller's recurrence: <c>b_0 = a_0^alpha</c>,
    /// <c>b_n = 1/(n a_0) sum_{k=1..n} (k(alpha+1) - n) a_k b_{n-k}</c> (from <c>a b' = alpha a' b</c>).
    /// Integral exponents go to <see cref="PowInt"/> (stable at <c>a_0 = 0</c> and for negative <c>a_0</c>).
    /// A non-integral power at <c>a_0 = 0</c> is not analytic: higher coefficients are NaN.
    /// </summary>
    public static void Pow(ReadOnlySpan<double> a, double alpha, Span<double> b, Span<double> scratch)
    {
        if (alpha == Math.Round(alpha) && Math.Abs(alpha) <= int.MaxValue)
        {
            PowInt(a, (int)alpha, b, scratch);
            return;
        }
        AssertNoOverlap(a, b);
        double a0 = a[0];
        b[0] = Math.Pow(a0, alpha);
        if (a0 == 0)
        {
            NonAnalytic(a, b, b[0]);
            return;
        }
        double inv = 1.0 / a0, ap1 = alpha + 1;
        for (int n = 1; n < b.Length; n++)
        {
            double s = 0;
            for (int k = 1; k <= n; k++) s += (k * ap1 - n) * a[k] * b[n - k];
            b[n] = s * inv / n;
        }
    }

    /// <summary>
    /// Integer power by binary powering of Cauchy products (O(N^2 log|p|), no division, so exact
    /// structure at <c>a_0 = 0</c>); negative powers raise the reciprocal. <c>a^0 = 1</c>.
    /// </summary>
    public static void PowInt(ReadOnlySpan<double> a, int p, Span<double> b, Span<double> scratch)
    {
        AssertNoOverlap(a, b);
        if (p == 0)
        {
            Constant(1.0, b);
            return;
        }
        var baseSeries = scratch[..b.Length];
        if (p < 0) Reciprocal(a, baseSeries);
        else a[..b.Length].CopyTo(baseSeries);
        // (p = int.MinValue: its magnitude still fits in uint.)
        uint e = p < 0 ? (uint)(-(long)p) : (uint)p;
        bool first = true;
        while (true)
        {
            if ((e & 1) != 0)
            {
                // result *= base^(2^i)
                if (first) baseSeries.CopyTo(b);
                else Multiply(b, baseSeries, b);
                first = false;
            }
            e >>= 1;
            if (e == 0) break;
            Square(baseSeries, baseSeries);
        }
    }

    // ---------------------------------------------------------------- exponential and logarithms

    /// <summary><c>b = exp(a)</c> from <c>b' = a' b</c>: <c>b_0 = e^{a_0}</c>, <c>b_n = (1/n) sum_{k=1..n} k a_k b_{n-k}</c>.</summary>
    public static void Exp(ReadOnlySpan<double> a, Span<double> b)
    {
        AssertNoOverlap(a, b);
        b[0] = Math.Exp(a[0]);
        for (int n = 1; n < b.Length; n++)
        {
            double s = 0;
            for (int k = 1; k <= n; k++) s += k * a[k] * b[n - k];
            b[n] = s / n;
        }
    }

    /// <summary>
    /// <c>b = log(a)</c> from <c>a b' = a'</c>: <c>b_0 = log a_0</c>,
    /// <c>b_n = (a_n - (1/n) sum_{k=1..n-1} k b_k a_{n-k}) / a_0</c>.
    /// </summary>
    public static void Log(ReadOnlySpan<double> a, Span<double> b)
    {
        AssertNoOverlap(a, b);
        LogCore(a, a[0], Math.Log(a[0]), b);
    }

    /// <summary>
    /// <c>b = log(1 + a)</c>: the log recurrence applied to <c>1 + a</c> whose constant term is
    /// <c>1 + a_0</c>; <c>b_0 = log1p(a_0)</c> keeps full accuracy for small <c>a_0</c>.
    /// </summary>
    public static void Log1p(ReadOnlySpan<double> a, Span<double> b)
    {
        AssertNoOverlap(a, b);
        LogCore(a, 1.0 + a[0], LogOnePlus(a[0]), b);
    }

    private static void LogCore(ReadOnlySpan<double> a, double denominator, double b0, Span<double> b)
    {
        double inv = 1.0 / denominator;
        b[0] = b0;
        for (int n = 1; n < b.Length; n++)
        {
            double s = 0;
            for (int k = 1; k < n; k++) s += k * b[k] * a[n - k];
            b[n] = (a[n] - s / n) * inv;
        }
    }

    // ---------------------------------------------------------------- trigonometric and hyperbolic

    /// <summary>
    /// <c>s = sin(a)</c>, <c>c = cos(a)</c> together from <c>s' = a' c</c>, <c>c' = -a' s</c>:
    /// <c>s_n = (1/n) sum k a_k c_{n-k}</c>, <c>c_n = -(1/n) sum k a_k s_{n-k}</c>.
    /// </summary>
    public static void SinCos(ReadOnlySpan<double> a, Span<double> s, Span<double> c)
    {
        (double s0, double c0) = Math.SinCos(a[0]);
        SinCosCore(a, s0, c0, -1.0, s, c);
    }

    /// <summary><c>sinh</c>, <c>cosh</c> together: as <see cref="SinCos"/> with <c>c' = +a' s</c>.</summary>
    public static void SinhCosh(ReadOnlySpan<double> a, Span<double> s, Span<double> c)
    {
        SinCosCore(a, Math.Sinh(a[0]), Math.Cosh(a[0]), +1.0, s, c);
    }

    // sign = -1: trigonometric pair, +1: hyperbolic pair. s0, c0 are supplied so that callers can
    // evaluate them more accurately (sinpi/cospi in the polygamma reflection).
    internal static void SinCosCore(ReadOnlySpan<double> a, double s0, double c0, double sign, Span<double> s, Span<double> c)
    {
        AssertNoOverlap(a, s);
        AssertNoOverlap(a, c);
        s[0] = s0;
        c[0] = c0;
        for (int n = 1; n < s.Length; n++)
        {
            double ss = 0, cc = 0;
            for (int k = 1; k <= n; k++)
            {
                double ka = k * a[k];
                ss += ka * c[n - k];
                cc += ka * s[n - k];
            }
            s[n] = ss / n;
            c[n] = sign * cc / n;
        }
    }

    /// <summary><c>sin(a)</c>; <paramref name="scratch"/> receives <c>cos(a)</c>.</summary>
    public static void Sin(ReadOnlySpan<double> a, Span<double> b, Span<double> scratch) => SinCos(a, b, scratch[..b.Length]);

    /// <summary><c>cos(a)</c>; <paramref name="scratch"/> receives <c>sin(a)</c>.</summary>
    public static void Cos(ReadOnlySpan<double> a, Span<double> b, Span<double> scratch) => SinCos(a, scratch[..b.Length], b);

    /// <summary><c>sinh(a)</c>; <paramref name="scratch"/> receives <c>cosh(a)</c>.</summary>
    public static void Sinh(ReadOnlySpan<double> a, Span<double> b, Span<double> scratch) => SinhCosh(a, b, scratch[..b.Length]);

    /// <summary><c>cosh(a)</c>; <paramref name="scratch"/> receives <c>sinh(a)</c>.</summary>
    public static void Cosh(ReadOnlySpan<double> a, Span<double> b, Span<double> scratch) => SinhCosh(a, scratch[..b.Length], b);

    /// <summary>
    /// <c>b = tan(a)</c> from <c>b' = (1 + b^2) a'</c>: with <c>d = 1 + b^2</c>,
    /// <c>b_n = (1/n) sum_{k=1..n} k a_k d_{n-k}</c>; <c>d_{n-1}</c> needs only <c>b_0..b_{n-1}</c>,
    /// so <c>d</c> (in <paramref name="scratch"/>) is built one step behind <c>b</c>.
    /// </summary>
    public static void Tan(ReadOnlySpan<double> a, Span<double> b, Span<double> scratch)
    {
        AssertNoOverlap(a, b);
        double b0 = Math.Tan(a[0]);
        TanLike(a, b, scratch, b0, 1.0 + b0 * b0, +1.0);
    }

    /// <summary>
    /// <c>b = tanh(a)</c> from <c>b' = (1 - b^2) a'</c>; <c>d_0 = sech^2(a_0)</c> is computed directly
    /// because <c>1 - tanh^2</c> cancels catastrophically for large <c>|a_0|</c>.
    /// </summary>
    public static void Tanh(ReadOnlySpan<double> a, Span<double> b, Span<double> scratch)
    {
        AssertNoOverlap(a, b);
        double sech = 1.0 / Math.Cosh(a[0]);
        TanLike(a, b, scratch, Math.Tanh(a[0]), sech * sech, -1.0);
    }

    // d = d0 + sign (b^2 - b_0^2): d_m = sign sum_{j=0..m} b_j b_{m-j} for m >= 1.
    private static void TanLike(ReadOnlySpan<double> a, Span<double> b, Span<double> scratch, double b0, double d0, double sign)
    {
        var d = scratch[..b.Length];
        b[0] = b0;
        d[0] = d0;
        for (int n = 1; n < b.Length; n++)
        {
            int m = n - 1;
            if (m > 0)
            {
                double q = 0;
                for (int j = 0; j <= m; j++) q += b[j] * b[m - j];
                d[m] = sign * q;
            }
            double s = 0;
            for (int k = 1; k <= n; k++) s += k * a[k] * d[n - k];
            b[n] = s / n;
        }
    }

    /// <summary>
    /// <c>b = atan(a)</c> from <c>b' = a' / (1 + a^2)</c>: <c>d = 1 + a^2</c> (scratch1), the quotient
    /// <c>q = a'/d</c> by the division recurrence (scratch2), then integrate: <c>b_n = q_{n-1} / n</c>.
    /// </summary>
    public static void Atan(ReadOnlySpan<double> a, Span<double> b, Span<double> scratch1, Span<double> scratch2)
    {
        AssertNoOverlap(a, b);
        int len = b.Length;
        var d = scratch1[..len];
        var q = scratch2[..len];
        Square(a, d);
        d[0] += 1.0;
        double inv = 1.0 / d[0];
        b[0] = Math.Atan(a[0]);
        for (int m = 0; m < len - 1; m++)
        {
            // (a')_m = (m+1) a_{m+1}
            double s = (m + 1) * a[m + 1];
            for (int k = 1; k <= m; k++) s -= d[k] * q[m - k];
            q[m] = s * inv;
            b[m + 1] = q[m] / (m + 1);
        }
    }

    // ---------------------------------------------------------------- logistic family

    /// <summary>
    /// <c>s = sigmoid(a) = 1/(1+e^-a)</c> from <c>s' = s(1-s) a'</c>. With <c>e = s(1-s)</c>:
    /// <c>e_0 = sigmoid(a_0) sigmoid(-a_0)</c> and <c>e_m = -tanh(a_0/2) s_m - sum_{j=1..m-1} s_j s_{m-j}</c>
    /// (using <c>1 - 2 s_0 = -tanh(a_0/2)</c>), which avoids the cancellation in <c>s - s^2</c> when
    /// <c>s_0</c> is near 1. <paramref name="scratch"/> holds <c>e</c>.
    /// </summary>
    public static void Sigmoid(ReadOnlySpan<double> a, Span<double> b, Span<double> scratch)
    {
        AssertNoOverlap(a, b);
        var e = scratch[..b.Length];
        double a0 = a[0];
        double s0 = Logistic(a0);
        double oneMinus2S0 = -Math.Tanh(0.5 * a0);
        b[0] = s0;
        e[0] = s0 * Logistic(-a0);
        for (int n = 1; n < b.Length; n++)
        {
            int m = n - 1;
            if (m > 0)
            {
                double q = 0;
                for (int j = 1; j < m; j++) q += b[j] * b[m - j];
                e[m] = oneMinus2S0 * b[m] - q;
            }
            double s = 0;
            for (int k = 1; k <= n; k++) s += k * a[k] * e[n - k];
            b[n] = s / n;
        }
    }

    /// <summary>
    /// <c>b = softplus(a) = log(1 + e^a)</c> from <c>b' = sigmoid(a) a'</c>:
    /// <c>b_n = (1/n) sum k a_k s_{n-k}</c> with <c>s = sigmoid(a)</c> in <paramref name="scratch1"/>;
    /// <c>b_0 = max(a_0, 0) + log1p(e^{-|a_0|})</c> never overflows.
    /// </summary>
    public static void Softplus(ReadOnlySpan<double> a, Span<double> b, Span<double> scratch1, Span<double> scratch2)
    {
        AssertNoOverlap(a, b);
        var s = scratch1[..b.Length];
        Sigmoid(a, s, scratch2);
        b[0] = Softplus(a[0]);
        for (int n = 1; n < b.Length; n++)
        {
            double acc = 0;
            for (int k = 1; k <= n; k++) acc += k * a[k] * s[n - k];
            b[n] = acc / n;
        }
    }

    /// <summary>
    /// <c>b = log sigmoid(a) = -softplus(-a)</c> from <c>b' = (1 - sigmoid(a)) a'</c>: with
    /// <c>u = 1 - s</c>, <c>u_0 = sigmoid(-a_0)</c> (no cancellation) and <c>u_m = -s_m</c>;
    /// <c>b_n = (1/n) sum k a_k u_{n-k}</c>.
    /// </summary>
    public static void LogSigmoid(ReadOnlySpan<double> a, Span<double> b, Span<double> scratch1, Span<double> scratch2)
    {
        AssertNoOverlap(a, b);
        var s = scratch1[..b.Length];
        Sigmoid(a, s, scratch2);
        double u0 = Logistic(-a[0]);
        b[0] = -Softplus(-a[0]);
        for (int n = 1; n < b.Length; n++)
        {
            double acc = n * a[n] * u0;
            for (int k = 1; k < n; k++) acc -= k * a[k] * s[n - k];
            b[n] = acc / n;
        }
    }

    // ---------------------------------------------------------------- composition, lgamma, abs

    /// <summary>
    /// Composition <c>b = F(a)</c> for an outer function known through its normalized Taylor
    /// coefficients at <c>a_0</c>: <c>g_j = F^(j)(a_0)/j!</c>, so
    /// <c>F(a) = sum_j g_j (a - a_0)^j</c>, evaluated by Horner's rule in the series algebra.
    /// Because <c>(a - a_0)</c> has no constant term, the Horner step for <c>g_j</c> only needs
    /// orders up to <c>N - j</c>: about <c>N^3/6</c> multiply-adds (5.5k at N = 32). This is the
    /// fallback for functions whose derivative obeys no short recurrence (lgamma).
    /// </summary>
    public static void Compose(ReadOnlySpan<double> g, ReadOnlySpan<double> a, Span<double> b)
    {
        AssertNoOverlap(a, b);
        int order = b.Length - 1;
        b.Clear();
        b[0] = g[order];
        for (int j = order - 1; j >= 0; j--)
        {
            int top = order - j;
            // b <- (a - a_0) b, descending so that b_{n-k} (k >= 1) are still the old values.
            for (int n = top; n >= 1; n--)
            {
                double s = 0;
                for (int k = 1; k <= n; k++) s += a[k] * b[n - k];
                b[n] = s;
            }
            b[0] = g[j];
        }
    }

    /// <summary>
    /// <c>b = lgamma(a) = log|Gamma(a)|</c>: <c>d^k/dx^k lgamma = psi^(k-1)</c>, so
    /// <c>g_0 = lgamma(a_0)</c>, <c>g_k = psi^(k-1)(a_0) / k!</c>, then <see cref="Compose"/>.
    /// All polygammas come from one shared shift-and-asymptotic pass
    /// (<see cref="SpecialFunctions.Polygammas"/>). <paramref name="scratch"/> holds <c>g</c>.
    /// </summary>
    public static void LogGamma(ReadOnlySpan<double> a, Span<double> b, Span<double> scratch)
    {
        int len = b.Length;
        var g = scratch[..len];
        double a0 = a[0];
        if (a0 <= 0 && a0 == Math.Floor(a0))
        {
            // Pole of Gamma: lgamma = +inf, derivatives undefined (NaN, like Math.Log(-1), not an exception).
            b.Fill(double.NaN);
            b[0] = double.PositiveInfinity;
            return;
        }
        g[0] = SpecialFunctions.LogGamma(a0);
        if (len > 1)
        {
            var psi = g[1..];
            SpecialFunctions.Polygammas(a0, psi); // g[k] = psi^(k-1)(a0)
            var inv = Factorials.Inverse;
            for (int k = 1; k < len; k++) g[k] *= inv[k];
        }
        Compose(g, a, b);
    }

    /// <summary>
    /// <c>|a|</c>: <c>d|x|/dx = sign(x)</c>, so <c>b = sign a</c>. At <c>a_0 = 0</c> the sign of the
    /// first non-zero coefficient is used, giving the exact one-sided (t -> 0+) expansion. May alias.
    /// </summary>
    public static void Abs(ReadOnlySpan<double> a, Span<double> b)
    {
        double sign = 1.0;
        for (int k = 0; k < b.Length; k++)
        {
            if (a[k] != 0)
            {
                sign = a[k] < 0 ? -1.0 : 1.0;
                break;
            }
        }
        Scale(a, sign, b);
    }

    // ---------------------------------------------------------------- scalar helpers

    /// <summary>Logistic function evaluated without overflow: <c>1/(1+e^-x)</c> for x &gt;= 0, <c>e^x/(1+e^x)</c> otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Logistic(double x)
    {
        if (x >= 0) return 1.0 / (1.0 + Math.Exp(-x));
        double e = Math.Exp(x);
        return e / (1.0 + e);
    }

    /// <summary><c>log(1 + e^x) = max(x, 0) + log1p(e^{-|x|})</c>: no overflow, full accuracy for large negative x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Softplus(double x) => Math.Max(x, 0.0) + LogOnePlus(Math.Exp(-Math.Abs(x)));

    /// <summary>
    /// <c>log(1 + x)</c> accurate for small x (the .NET BCL has no log1p): with <c>u = 1 + x</c>
    /// rounded, <c>log(u) * x / (u - 1)</c> cancels the rounding error of <c>u</c> (Goldberg's trick).
    /// </summary>
    public static double LogOnePlus(double x)
    {
        double u = 1.0 + x;
        if (u == 1.0) return x;
        if (double.IsInfinity(u)) return Math.Log(u);
        return Math.Log(u) * (x / (u - 1.0));
    }

    // Non-analytic point (a_0 = 0 for sqrt or a fractional power): keep the value, NaN above it,
    // except for the identically zero series whose powers stay zero.
    private static void NonAnalytic(ReadOnlySpan<double> a, Span<double> b, double b0)
    {
        bool allZero = true;
        for (int k = 1; k < b.Length; k++) allZero &= a[k] == 0;
        b.Fill(allZero ? 0.0 : double.NaN);
        b[0] = b0;
    }

    [System.Diagnostics.Conditional("DEBUG")]
    private static void AssertNoOverlap(ReadOnlySpan<double> input, ReadOnlySpan<double> output) =>
        System.Diagnostics.Debug.Assert(!input.Overlaps(output), "Taylor kernel: destination overlaps an input it still reads.");
}
