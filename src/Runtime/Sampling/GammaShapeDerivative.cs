using System.Runtime.Intrinsics;
using SeriesCompiler.Runtime.Special;

namespace SeriesCompiler.Runtime.Sampling;

/// <summary>
/// The implicit reparameterisation derivative of a Gamma(k, 1) draw g in its shape, <c>dg/dk = -(dP/dk)(k, g) / p(k, g)</c>
/// (P the regularised lower incomplete gamma function, p the density), for a whole row of draws at one shape: what does
/// not depend on g (digamma) is computed once per row, and neither exp nor lgamma is needed per draw:
/// <list type="bullet">
/// <item>g &lt;= k + 1: <c>P = x^k e^-x / Gamma(k+1) sum_n t_n</c>, <c>t_0 = 1</c>, <c>t_n = t_{n-1} x/(k+n)</c>, so
/// <c>dP/dk = x^k e^-x / Gamma(k+1) sum_n t_n (ln x - psi(k+n+1))</c>; divided by <c>p = x^(k-1) e^-x / Gamma(k)</c> the
/// prefactors leave <c>x/k</c>: <c>dg/dk = -(x/k) sum_n t_n (ln x - psi(k+n+1))</c>. Terms all positive in the sum, and
/// x &lt;= k + 1 keeps the signed sum free of cancellation. Four draws at a time in SIMD lanes (they share k, so the
/// 1/(k+n) and psi(k+n+1) of each step are scalars).</item>
/// <item>g &gt; k + 1: <c>Q = x^k e^-x / Gamma(k) h</c> with h Legendre's continued fraction, and <c>dP/dk = -dQ/dk</c>;
/// divided by p: <c>dg/dk = x ((ln x - psi(k)) h + dh/dk)</c>, h and dh/dk by the modified Lentz recurrence carrying
/// derivatives.</item>
/// </list>
/// </summary>
public static class GammaShapeDerivative
{
    private const double Epsilon = 1e-17;
    private const int MaxTerms = 100_000;

    /// <summary>dg/dk of one draw (the row form for one element).</summary>
    public static double Of(double g, double k)
    {
        Span<double> one = [g];
        Span<double> result = stackalloc double[1];
        Row(k, one, result);
        return result[0];
    }

    /// <summary><c>result[i] = dg/dk</c> at <c>g[i]</c>, all drawn at shape <paramref name="k"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">k is not positive and finite, or a draw is not positive and finite (a
    /// draw that underflowed to 0 has no derivative).</exception>
    public static void Row(double k, ReadOnlySpan<double> g, Span<double> result)
    {
        if (!(k > 0) || double.IsInfinity(k)) throw new ArgumentOutOfRangeException(nameof(k), k, "The gamma shape k must be positive and finite.");
        double psiK1 = SpecialFunctions.Digamma(k + 1), psiK = psiK1 - 1 / k;   // psi(k) = psi(k+1) - 1/k
        // The series serves x up to k + 1 + 4 sqrt(k + 1) (all but about 1e-4 of the draws): there P(x) is below 1 - 1e-5, so
        // the signed sum loses at most 5 of its 16 digits to cancellation. Beyond, the fraction converges fast.
        double split = k + 1 + 4 * Math.Sqrt(k + 1);
        int i = 0;
        if (g.Length < 8 || !Vector256.IsHardwareAccelerated)
        {
            // Too short a row to pay for the tables (one sample per gradient): each draw on its own.
            for (; i < g.Length; i++) result[i] = One(k, psiK1, psiK, g[i]);
            return;
        }
        // 1/(k+n) and psi(k+n+1) once per row: the terms need n up to about 2x - k + 60 (ratio below 1/2, then 1e-17),
        // x the row's largest draw within the series' range.
        double xMax = 0;
        foreach (double x in g)
            if (x <= split && x > xMax) xMax = x;
        int terms = (int)Math.Clamp(2 * xMax - k + 64, 64, MaxTable);
        Span<double> inv = terms <= 512 ? stackalloc double[terms] : new double[terms];
        Span<double> psi = terms <= 512 ? stackalloc double[terms] : new double[terms];
        double p = psiK1;
        for (int n = 1; n < terms; n++)
        {
            inv[n] = 1 / (k + n);
            psi[n] = p += inv[n];   // psi(k+n+1) = psi(k+n) + 1/(k+n)
        }
        for (; i + 4 <= g.Length; i += 4)
        {
            var x = Vector256.Create(g.Slice(i, 4));
            var inSeries = Vector256.GreaterThan(x, Vector256<double>.Zero) & Vector256.LessThanOrEqual(x, Vector256.Create(split));
            if (Vector256.EqualsAll(inSeries, Vector256<double>.Zero))
            {
                for (int j = i; j < i + 4; j++) result[j] = One(k, psiK1, psiK, g[j]);
                continue;
            }
            // Lanes outside the series run it at x = 1 (discarded), then take the fraction or the refusal.
            var y = Vector256.ConditionalSelect(inSeries, x, Vector256<double>.One);
            var value = SeriesLanes(k, psiK1, y, inv, psi, out bool converged);
            value.CopyTo(result.Slice(i, 4));
            for (int j = 0; j < 4; j++)
                if (!converged || inSeries.AsUInt64()[j] == 0) result[i + j] = One(k, psiK1, psiK, g[i + j]);
        }
        for (; i < g.Length; i++) result[i] = One(k, psiK1, psiK, g[i]);
    }

    private const int MaxTable = 1 << 16;

    private static double One(double k, double psiK1, double psiK, double x)
    {
        if (!(x > 0) || double.IsInfinity(x))
            throw new ArgumentOutOfRangeException(nameof(x), x, x == 0
                ? $"a Gamma draw at shape k = {k.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} underflowed to 0 (below the smallest double), where dz/dk cannot be taken"
                : "a Gamma draw must be positive and finite");
        return x <= k + 1 + 4 * Math.Sqrt(k + 1) ? Series(k, psiK1, x) : Fraction(k, psiK, x);
    }

    // -(x/k) sum_n t_n (ln x - psi(k+n+1)); stops when the next terms cannot move either sum: t_n below eps of the sum
    // with the ratio x/(k+n+1) at most 1/2 (the tail is then below t_n, and |ln x - psi| grows only like log n).
    private static double Series(double k, double psiK1, double x)
    {
        double lnX = Math.Log(x), psi = psiK1;
        double t = 1, sum = 1, dSum = lnX - psi, dAbs = Math.Abs(dSum);
        for (int n = 1; n < MaxTerms; n++)
        {
            double inv = 1 / (k + n);
            t *= x * inv;
            psi += inv;   // psi(k+n+1) = psi(k+n) + 1/(k+n)
            double dt = t * (lnX - psi);
            sum += t;
            dSum += dt;
            dAbs += Math.Abs(dt);
            if (x * inv <= 0.5 && t * (1 + Math.Abs(lnX - psi)) <= Epsilon * (sum + dAbs)) break;
        }
        return -(x / k) * dSum;
    }

    // The series for four draws sharing k, from the row's tables (no division per step); converged false when the table
    // ran out first (the caller then takes each lane on its own).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> SeriesLanes(double k, double psiK1, Vector256<double> x, ReadOnlySpan<double> inv, ReadOnlySpan<double> psi, out bool converged)
    {
        var lnX = FastMath.Log(x);
        var t = Vector256<double>.One;
        var sum = t;
        var dSum = lnX - Vector256.Create(psiK1);
        var dAbs = Vector256.Abs(dSum);
        double xMax = Math.Max(Math.Max(x[0], x[1]), Math.Max(x[2], x[3]));
        converged = false;
        for (int n = 1; n < inv.Length; n++)
        {
            t *= x * inv[n];
            var gap = lnX - Vector256.Create(psi[n]);
            var dt = t * gap;
            sum += t;
            dSum += dt;
            dAbs += Vector256.Abs(dt);
            if (xMax * inv[n] <= 0.5 && Vector256.LessThanOrEqualAll(t * (Vector256<double>.One + Vector256.Abs(gap)), Epsilon * (sum + dAbs)))
            {
                converged = true;
                break;
            }
        }
        return -(x / k) * dSum;
    }

    // x ((ln x - psi(k)) h + dh/dk), h = 1/(b_0 + a_1/(b_1 + a_2/(b_2 + ...))) with b_i = x + 2i + 1 - k, a_i = -i(i - k):
    // modified Lentz (C_i = b_i + a_i/C_{i-1}, D_i = 1/(b_i + a_i D_{i-1}), h_i = h_{i-1} C_i D_i) with each quantity
    // carried with its k-derivative (db/dk = -1, da_i/dk = i).
    private static double Fraction(double k, double psiK, double x)
    {
        const double Tiny = 1e-300;
        double b = x + 1 - k, db = -1;
        double c = 1 / Tiny, dc = 0;
        double d = 1 / b, dd = -db / (b * b);
        double h = d, dh = dd;
        for (int i = 1; i < MaxTerms; i++)
        {
            double a = -i * (i - k), da = i;
            b += 2;
            double nd = a * d + b, dnd = da * d + a * dd + db;
            if (Math.Abs(nd) < Tiny) { nd = Tiny; dnd = 0; }
            double nc = b + a / c, dnc = db + (da * c - a * dc) / (c * c);
            if (Math.Abs(nc) < Tiny) { nc = Tiny; dnc = 0; }
            d = 1 / nd;
            dd = -dnd * d * d;
            c = nc;
            dc = dnc;
            double delta = c * d, dDelta = dc * d + c * dd;
            dh = dh * delta + h * dDelta;
            h *= delta;
            if (Math.Abs(delta - 1) <= 1e-16 && Math.Abs(dDelta) <= 1e-16 * (1 + Math.Abs(dh / h))) break;
        }
        return x * ((Math.Log(x) - psiK) * h + dh);
    }
}
