using System.Numerics;

namespace SeriesCompiler.Runtime.Special;

/// <summary>
/// Special functions the runtime needs and MathNet.Numerics lacks: polygamma of any order
/// (for lgamma jets and gamma/beta rules), the Riemann and Hurwitz zeta functions, and the
/// regularized lower incomplete gamma function with its derivative in the shape (implicit
/// reparameterisation of gamma samples).
/// </summary>
public static partial class SpecialFunctions
{
    /// <summary>Euler-Mascheroni constant, <c>-psi(1)</c>.</summary>
    public const double EulerGamma = 0.57721566490153286061;

    // Where the asymptotic expansions take over: the Bernoulli terms of psi^(m)(y) shrink like
    // ((m + 2j)/(2 pi y))^2 per step, so y >= 15 + m/2 reaches 1e-17 within 20 terms for every m.
    private const double ShiftBase = 15.0;

    // ------------------------------------------------------------------ Bernoulli numbers

    /// <summary>Number of even Bernoulli numbers tabulated: B_2 .. B_40.</summary>
    private const int BernoulliTerms = 20;

    // BernoulliOverFactorial[j] = B_{2j} / (2j)!,  BernoulliOverIndex[j] = B_{2j} / (2j), j = 1..20.
    private static readonly double[] BernoulliOverFactorial = new double[BernoulliTerms + 1];
    private static readonly double[] BernoulliOverIndex = new double[BernoulliTerms + 1];

    static SpecialFunctions()
    {
        // Exact rationals from B_n = -1/(n+1) sum_{k<n} C(n+1,k) B_k, so no table can be mistyped.
        int nMax = 2 * BernoulliTerms;
        var num = new BigInteger[nMax + 1];
        var den = new BigInteger[nMax + 1];
        num[0] = 1;
        den[0] = 1;
        for (int n = 1; n <= nMax; n++)
        {
            BigInteger sn = 0, sd = 1, binom = 1; // binom = C(n+1, k)
            for (int k = 0; k < n; k++)
            {
                // sn/sd += binom * num[k]/den[k]
                sn = sn * den[k] + binom * num[k] * sd;
                sd *= den[k];
                var g = BigInteger.GreatestCommonDivisor(sn, sd);
                if (!g.IsZero && !g.IsOne) { sn /= g; sd /= g; }
                binom = binom * (n + 1 - k) / (k + 1);
            }
            num[n] = -sn;
            den[n] = sd * (n + 1);
            var h = BigInteger.GreatestCommonDivisor(num[n], den[n]);
            if (!h.IsZero && !h.IsOne) { num[n] /= h; den[n] /= h; }
            if (den[n].Sign < 0) { num[n] = -num[n]; den[n] = -den[n]; }
        }
        BigInteger fact = 1;
        for (int j = 1; j <= BernoulliTerms; j++)
        {
            fact *= (2 * j - 1) * (2 * j);
            BernoulliOverFactorial[j] = RatioToDouble(num[2 * j], den[2 * j] * fact);
            BernoulliOverIndex[j] = RatioToDouble(num[2 * j], den[2 * j] * (2 * j));
        }
    }

    // p/q rounded once at the end: scale so that the integer quotient carries 64+ significant bits.
    private static double RatioToDouble(BigInteger p, BigInteger q)
    {
        int shift = 64 + (int)(q.GetBitLength() - BigInteger.Abs(p).GetBitLength());
        BigInteger scaled = shift >= 0 ? (p << shift) / q : p / (q << -shift);
        return (double)scaled * Math.Pow(2, -shift);
    }

    /// <summary>The Bernoulli number <c>B_n</c> for <c>n = 0..40</c> (<c>B_1 = -1/2</c>).</summary>
    public static double Bernoulli(int n)
    {
        if ((uint)n > 2 * BernoulliTerms) throw new ArgumentOutOfRangeException(nameof(n), n, "Tabulated for 0..40.");
        if (n == 0) return 1;
        if (n == 1) return -0.5;
        if ((n & 1) == 1) return 0;
        return BernoulliOverIndex[n / 2] * n;
    }

    // ------------------------------------------------------------------ gamma family

    /// <summary>
    /// <c>log|Gamma(x)|</c>: MathNet's Lanczos <c>GammaLn</c> for x &gt; 0, and the reflection
    /// <c>log|Gamma(x)| = log(pi / |sin(pi x)|) - log Gamma(1 - x)</c> below. +Infinity at the poles
    /// x = 0, -1, -2, ...
    /// </summary>
    public static double LogGamma(double x)
    {
        if (x > 0) return MathNet.Numerics.SpecialFunctions.GammaLn(x);
        if (double.IsNaN(x)) return double.NaN;
        if (x == Math.Floor(x)) return double.PositiveInfinity;
        return Math.Log(Math.PI / Math.Abs(double.SinPi(x))) - MathNet.Numerics.SpecialFunctions.GammaLn(1 - x);
    }

    /// <summary>Digamma <c>psi(x) = d/dx log Gamma(x)</c>.</summary>
    public static double Digamma(double x) => Polygamma(0, x);

    /// <summary>Highest polygamma order: psi^(m) carries m!, and 171! overflows a double (the jets' highest order too).</summary>
    public const int MaxPolygammaOrder = 170;

    /// <summary>Trigamma <c>psi'(x)</c>.</summary>
    public static double Trigamma(double x) => Polygamma(1, x);

    /// <summary>
    /// Polygamma <c>psi^(m)(x) = d^(m+1)/dx^(m+1) log Gamma(x)</c> for <c>m = 0..170</c>. Relative
    /// accuracy about 1e-15 for x &gt; 0 (absolute near the root of psi at 1.4616). Negative non-integer x
    /// use the reflection formula (less accurate close to the poles); the poles
    /// x = 0, -1, -2, ... throw <see cref="ArgumentOutOfRangeException"/>.
    /// </summary>
    public static double Polygamma(int m, double x)
    {
        if ((uint)m > MaxPolygammaOrder) throw new ArgumentOutOfRangeException(nameof(m), m, $"Order must be in 0..{MaxPolygammaOrder}.");
        Span<double> all = stackalloc double[m + 1];
        Polygammas(x, all);
        return all[m];
    }

    /// <summary>
    /// <c>result[m] = psi^(m)(x)</c> for every <c>m = 0..result.Length-1</c> in one pass (what an
    /// lgamma jet needs). Method, for x &gt; 0: shift to <c>y = x + K &gt;= 15 + M/2</c> with
    /// <c>psi^(m)(x) = psi^(m)(y) - (-1)^m m! sum_{k&lt;K} (x+k)^-(m+1)</c> (terms built by one
    /// multiplication per order, <c>m! r^(m+1) = (m-1)! r^m * m r</c>), then the asymptotic series
    /// <c>psi(y) ~ ln y - 1/(2y) - sum_j B_2j/(2j y^2j)</c> and, for m &gt;= 1,
    /// <c>psi^(m)(y) ~ (-1)^(m+1) m!/y^m [1/m + 1/(2y) + sum_j B_2j/(2j)! (m+1)...(m+2j-1) / y^2j]</c>.
    /// For x &lt; 0: <c>psi^(m)(x) = (-1)^m psi^(m)(1-x) - pi d^m/dx^m cot(pi x)</c>, the cotangent
    /// derivatives from a jet of <c>cos/sin</c>.
    /// </summary>
    public static void Polygammas(double x, Span<double> result)
    {
        int maxOrder = result.Length - 1;
        if (maxOrder < 0) return;
        if (maxOrder > MaxPolygammaOrder) throw new ArgumentOutOfRangeException(nameof(result), $"At most {MaxPolygammaOrder + 1} orders.");
        if (double.IsNaN(x))
        {
            result.Fill(double.NaN);
            return;
        }
        if (x <= 0)
        {
            Reflect(x, result);
            return;
        }
        if (double.IsPositiveInfinity(x))
        {
            result.Clear();
            result[0] = double.PositiveInfinity;
            return;
        }

        // Shift sums first, smallest terms (largest k) first: result[m] = m! sum_k (x+k)^-(m+1).
        double yMin = ShiftBase + 0.5 * maxOrder;
        int shifts = x < yMin ? (int)Math.Ceiling(yMin - x) : 0;
        double y = x + shifts;
        result.Clear();
        for (int k = shifts - 1; k >= 0; k--)
        {
            double r = 1.0 / (x + k);
            double t = r;
            result[0] += t;
            for (int m = 1; m <= maxOrder; m++)
            {
                t *= m * r;
                result[m] += t;
            }
        }

        // psi(x) = psi(y) - sum_k 1/(x+k).
        result[0] = DigammaAsymptotic(y) - result[0];

        // psi^(m)(x) = (-1)^(m+1) [m! sum_k (x+k)^-(m+1) + m! zeta-tail(m+1, y)].
        double invY = 1.0 / y, invY2 = invY * invY;
        double v = 1; // m! / y^m
        for (int m = 1; m <= maxOrder; m++)
        {
            v *= m * invY;
            // bracket = 1/m + 1/(2y) + (1/y) sum_j B_2j/(2j)! P_j,  P_j = (m+1)...(m+2j-1) / y^(2j-1)
            double p = (m + 1) * invY, series = 0;
            for (int j = 1; j <= BernoulliTerms; j++)
            {
                double term = BernoulliOverFactorial[j] * p;
                series += term;
                if (Math.Abs(term) <= 1e-17 * Math.Abs(series)) break;
                p *= (m + 2 * j) * (m + 2 * j + 1) * invY2;
            }
            double tail = v * (1.0 / m + 0.5 * invY + invY * series);
            double value = result[m] + tail;
            result[m] = (m & 1) == 1 ? value : -value;
        }
    }

    // psi(y) ~ ln y - 1/(2y) - sum_j B_2j / (2j y^2j), for y >= 15.
    private static double DigammaAsymptotic(double y)
    {
        double invY2 = 1.0 / (y * y), p = invY2, series = 0;
        for (int j = 1; j <= BernoulliTerms; j++)
        {
            double term = BernoulliOverIndex[j] * p;
            series += term;
            if (Math.Abs(term) <= 1e-17 * Math.Abs(series)) break;
            p *= invY2;
        }
        return Math.Log(y) - 0.5 / y - series;
    }

    // Reflection psi^(m)(x) = (-1)^m psi^(m)(1-x) - pi d^m/dx^m cot(pi x), x < 0 non-integral.
    private static void Reflect(double x, Span<double> result)
    {
        if (x == Math.Floor(x))
            throw new ArgumentOutOfRangeException(nameof(x), x, "Polygamma has poles at 0, -1, -2, ...");
        int len = result.Length;
        Polygammas(1 - x, result);
        // Taylor series of cot(pi (x + t)) in t as cos/sin: sin(pi x + pi t) has coefficients
        // s_k = pi^k/k! sin(pi x + k pi/2) and cos likewise (the derivatives cycle S, C, -S, -C), with S and C
        // from sinpi/cospi so that no argument reduction error enters; then a = c/s by series division,
        // a_k = (c_k - sum_{j=1..k} s_j a_{k-j}) / s_0. Written here (not with the jets' series) so that the
        // special functions depend on nothing of Differentiation.
        Span<double> a = stackalloc double[len];
        Span<double> s = stackalloc double[len];
        Span<double> c = stackalloc double[len];
        double sinX = double.SinPi(x), cosX = double.CosPi(x), scale = 1.0;
        for (int k = 0; k < len; k++)
        {
            if (k > 0) scale *= Math.PI / k;
            (double sk, double ck) = (k & 3) switch { 0 => (sinX, cosX), 1 => (cosX, -sinX), 2 => (-sinX, -cosX), _ => (-cosX, sinX) };
            s[k] = scale * sk;
            c[k] = scale * ck;
        }
        for (int k = 0; k < len; k++)
        {
            double sum = c[k];
            for (int j = 1; j <= k; j++) sum -= s[j] * a[k - j];
            a[k] = sum / s[0];
        }
        // d^m/dx^m cot(pi x) = m! a_m; m! built as the loop goes (exact in doubles to 22!, then one rounding per step).
        double factorial = 1.0;
        for (int m = 0; m < len; m++)
        {
            if (m > 0) factorial *= m;
            double mirrored = (m & 1) == 0 ? result[m] : -result[m];
            result[m] = mirrored - Math.PI * factorial * a[m];
        }
    }

    // ------------------------------------------------------------------ zeta

    /// <summary>
    /// Riemann zeta at integers n &gt;= 2: even n from Bernoulli numbers,
    /// <c>zeta(2k) = |B_2k| (2 pi)^2k / (2 (2k)!)</c>; odd n from <see cref="HurwitzZeta"/> at 1;
    /// n &gt; 60 from the first four terms of the sum (the rest is below half an ulp).
    /// </summary>
    public static double Zeta(int n)
    {
        if (n < 2) throw new ArgumentOutOfRangeException(nameof(n), n, "Zeta is evaluated at integers n >= 2 (n = 1 is a pole).");
        if (n > 60) return 1 + Math.Pow(2, -n) + Math.Pow(3, -n) + Math.Pow(4, -n);
        if ((n & 1) == 0 && n / 2 <= BernoulliTerms)
            return 0.5 * Math.Abs(BernoulliOverFactorial[n / 2]) * Math.Pow(2 * Math.PI, n);
        return HurwitzZeta(n, 1.0);
    }

    /// <summary>
    /// Hurwitz zeta <c>zeta(s, x) = sum_{k&gt;=0} (x+k)^-s</c> for s &gt; 1, x &gt; 0, by Euler-Maclaurin:
    /// direct terms up to <c>y = x + K &gt;= 15 + s/2</c>, then
    /// <c>y^(1-s)/(s-1) + y^-s/2 + sum_j B_2j/(2j)! s(s+1)...(s+2j-2) y^(-s-2j+1)</c>.
    /// </summary>
    public static double HurwitzZeta(double s, double x)
    {
        if (!(s > 1)) throw new ArgumentOutOfRangeException(nameof(s), s, "Hurwitz zeta needs s > 1.");
        if (!(x > 0)) throw new ArgumentOutOfRangeException(nameof(x), x, "Hurwitz zeta needs x > 0.");
        double yMin = ShiftBase + 0.5 * s;
        int shifts = x < yMin ? (int)Math.Ceiling(yMin - x) : 0;
        double y = x + shifts;
        double invY = 1.0 / y, invY2 = invY * invY;
        double p = s * invY, series = 0;
        for (int j = 1; j <= BernoulliTerms; j++)
        {
            double term = BernoulliOverFactorial[j] * p;
            series += term;
            if (Math.Abs(term) <= 1e-17 * Math.Abs(series)) break;
            p *= (s + 2 * j - 1) * (s + 2 * j) * invY2;
        }
        // y^-s [y/(s-1) + 1/2 + series]
        double sum = Math.Pow(y, -s) * (y / (s - 1) + 0.5 + series);
        for (int k = shifts - 1; k >= 0; k--) sum += Math.Pow(x + k, -s);
        return sum;
    }
}
