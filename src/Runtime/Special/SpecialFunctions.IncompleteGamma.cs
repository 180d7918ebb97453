namespace SeriesCompiler.Runtime.Special;

public static partial class SpecialFunctions
{
    private const double IncompleteGammaEpsilon = 1e-16;
    private const int IncompleteGammaMaxIterations = 100_000;
    private const double Tiny = 1e-300;

    /// <summary>Regularized lower incomplete gamma <c>P(k, x) = gamma(k, x) / Gamma(k)</c>, the Gamma(k, 1) CDF.</summary>
    public static double IncompleteGammaP(double k, double x) => IncompleteGammaP(k, x, out _);

    /// <summary><c>dP(k, x)/dk</c>, the derivative of the regularized lower incomplete gamma in its shape.</summary>
    public static double IncompleteGammaPShapeDerivative(double k, double x)
    {
        IncompleteGammaP(k, x, out double dPdk);
        return dPdk;
    }

    /// <summary>
    /// <c>P(k, x)</c> and <c>dP/dk</c> together. Method: forward-mode differentiation in k of the
    /// classical evaluations (Numerical Recipes 6.2), so value and derivative share one loop:
    /// <list type="bullet">
    /// <item>x &lt; k + 1: the series <c>P = sum_n x^(k+n) e^-x / Gamma(k+n+1)</c>, whose terms have
    /// log-derivative <c>d/dk log t_n = ln x - psi(k+n+1)</c>, with
    /// <c>psi(k+n+1) = psi(k+n) + 1/(k+n)</c> carried along.</item>
    /// <item>x &gt;= k + 1: Legendre's continued fraction for <c>Q = 1 - P =
    /// e^-x x^k / Gamma(k) * 1/(x+1-k- 1(1-k)/(x+3-k- 2(2-k)/(x+5-k- ...)))</c>, evaluated by modified
    /// Lentz with dual numbers (value, d/dk); <c>dP/dk = -dQ/dk</c>, so no cancellation when P is near 1.</item>
    /// </list>
    /// Relative accuracy about 1e-13 for moderate k (limited by <c>lgamma</c> for large k).
    /// </summary>
    public static double IncompleteGammaP(double k, double x, out double dPdk)
    {
        if (!(k > 0)) throw new ArgumentOutOfRangeException(nameof(k), k, "Shape must be positive.");
        if (!(x >= 0)) throw new ArgumentOutOfRangeException(nameof(x), x, "Argument must be non-negative.");
        if (x == 0)
        {
            dPdk = 0;
            return 0;
        }
        if (double.IsPositiveInfinity(x))
        {
            dPdk = 0;
            return 1;
        }
        return x < k + 1 ? LowerSeries(k, x, out dPdk) : UpperFraction(k, x, out dPdk);
    }

    /// <summary>
    /// Implicit reparameterisation of a Gamma(k, 1) sample z (Figurnov et al. 2018): differentiate
    /// <c>P(z; k) = u</c> at fixed u, so <c>dz/dk = -(dP(z; k)/dk) / p(z; k)</c> with the density
    /// <c>p(z; k) = z^(k-1) e^-z / Gamma(k)</c>. For a scale theta, <c>z_theta = theta z</c> scales it.
    /// </summary>
    public static double GammaSampleShapeDerivative(double z, double k)
    {
        if (!(z > 0)) throw new ArgumentOutOfRangeException(nameof(z), z,
            z == 0 ? $"a Gamma draw at shape k = {k.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} underflowed to 0 (below the smallest double), where dz/dk cannot be taken"
                   : "a Gamma draw must be positive");
        IncompleteGammaP(k, z, out double dPdk);
        double logDensity = (k - 1) * Math.Log(z) - z - LogGamma(k);
        return -dPdk / Math.Exp(logDensity);
    }

    // P = e^{k ln x - x - lgamma(k+1)} sum_n t_n, t_0 = 1, t_n = t_{n-1} x/(k+n).
    private static double LowerSeries(double k, double x, out double dPdk)
    {
        double lnX = Math.Log(x);
        double psi = Digamma(k + 1);
        double t = 1, sum = 1, dSum = lnX - psi, dAbs = Math.Abs(dSum);
        for (int n = 1; n < IncompleteGammaMaxIterations; n++)
        {
            double kn = k + n;
            t *= x / kn;
            psi += 1.0 / kn; // psi(k+n+1) = psi(k+n) + 1/(k+n)
            double dt = t * (lnX - psi);
            sum += t;
            dSum += dt;
            dAbs += Math.Abs(dt);
            if (t <= IncompleteGammaEpsilon * sum && Math.Abs(dt) <= IncompleteGammaEpsilon * dAbs) break;
        }
        double prefactor = Math.Exp(k * lnX - x - LogGamma(k + 1));
        dPdk = prefactor * dSum;
        return prefactor * sum;
    }

    // Q = e^{k ln x - x - lgamma(k)} h, h the continued fraction; (v, d) pairs carry d/dk.
    private static double UpperFraction(double k, double x, out double dPdk)
    {
        // b = x + 1 - k, b' = -1; c = 1/tiny; d = 1/b; h = d.
        double b = x + 1 - k, db = -1;
        double c = 1 / Tiny, dc = 0;
        double d = 1 / b, dd = -db / (b * b);
        double h = d, dh = dd;
        for (int i = 1; i < IncompleteGammaMaxIterations; i++)
        {
            double an = -i * (i - k), dan = i; // a_i = -i(i - k)
            b += 2;
            // d <- a_i d + b
            double nd = an * d + b, ndd = dan * d + an * dd + db;
            if (Math.Abs(nd) < Tiny) { nd = Tiny; ndd = 0; }
            // c <- b + a_i / c
            double nc = b + an / c, ndc = db + (dan * c - an * dc) / (c * c);
            if (Math.Abs(nc) < Tiny) { nc = Tiny; ndc = 0; }
            // d <- 1/d
            d = 1 / nd;
            dd = -ndd * d * d;
            c = nc;
            dc = ndc;
            // h <- h * (c d)
            double del = c * d, dDel = dc * d + c * dd;
            dh = dh * del + h * dDel;
            h *= del;
            if (Math.Abs(del - 1) <= IncompleteGammaEpsilon && Math.Abs(dDel) <= IncompleteGammaEpsilon * (1 + Math.Abs(dh / h))) break;
        }
        double lnPrefactor = k * Math.Log(x) - x - LogGamma(k);
        double prefactor = Math.Exp(lnPrefactor);
        double dLnPrefactor = Math.Log(x) - Digamma(k);
        double q = prefactor * h;
        dPdk = -prefactor * (dLnPrefactor * h + dh);
        return 1 - q;
    }
}
