using System.Numerics;
using static SeriesCompiler.Tests.Hardening.ExactSeries;

namespace SeriesCompiler.Tests.Hardening;

/// <summary>
/// Exact Fourier-rule coefficients a_{n,p} = d c_n / d theta_p of the bundled distributions, from closed forms of their
/// cumulants or exact series arithmetic on their cumulant generating functions, at the exact (dyadic) value of each
/// double parameter. Rows as the generated rules lay them out: <c>a[row * differentiable + p]</c>.
/// </summary>
public static class CoefficientReferences
{
    // pi to 60 digits: the Logistic coefficients hold pi^(2m), and this keeps them exact far beyond double precision.
    private static readonly Exact Pi = Exact.Ratio(
        BigInteger.Parse("314159265358979323846264338327950288419716939937510582097494459", System.Globalization.CultureInfo.InvariantCulture),
        BigInteger.Pow(10, 62));

    // Euler's gamma to 60 digits.
    private static readonly Exact EulerGamma = Exact.Ratio(
        BigInteger.Parse("577215664901532860606512090082402431042159335939923598805767", System.Globalization.CultureInfo.InvariantCulture),
        BigInteger.Pow(10, 60));

    /// <summary>
    /// zeta(2) .. zeta(order) in rationals, from the alternating eta(s) = (1 - 2^(1-s)) zeta(s) by Borwein's algorithm
    /// (P. Borwein, "An efficient algorithm for the Riemann zeta function", 2000): with
    /// d_k = N sum_{i<=k} (N+i-1)! 4^i / ((N-i)! (2i)!), eta(s) = -(1/d_N) sum_{k<N} (-1)^k (d_k - d_N)/(k+1)^s within
    /// 3/(3 + sqrt 8)^N, about 1e-45 relative at N = 60: far below a double's rounding.
    /// </summary>
    private static readonly Lazy<Exact[]> s_zeta = new(() => ZetaValues(64));

    private static Exact[] ZetaValues(int order)
    {
        const int N = 60;
        var d = new Exact[N + 1];
        Exact sum = Exact.Zero;
        for (int i = 0; i <= N; i++)
        {
            sum += Exact.Ratio(Factorial(N + i - 1) * BigInteger.Pow(4, i), Factorial(N - i) * Factorial(2 * i));
            d[i] = Exact.Ratio(N, 1) * sum;
        }
        var zeta = new Exact[order + 1];
        for (int s = 2; s <= order; s++)
        {
            Exact eta = Exact.Zero;
            for (int k = 0; k < N; k++)
            {
                var term = (d[k] - d[N]) / Exact.Ratio(BigInteger.Pow(k + 1, s), 1);
                eta = k % 2 == 0 ? eta + term : eta - term;
            }
            eta = -eta / d[N];
            zeta[s] = eta / (Exact.One - Exact.Ratio(1, BigInteger.Pow(2, s - 1)));
        }
        return zeta;
    }

    /// <summary>The references for a univariate rule (rows n = 1..order), or null for a distribution not covered.</summary>
    public static Exact[]? Univariate(string name, double[] theta, int order)
    {
        Exact E(int i) => Exact.From(theta[i]);
        Exact[] Rows(int pd, Func<int, int, Exact> a)
        {
            var result = new Exact[order * pd];
            for (int n = 1; n <= order; n++)
                for (int p = 0; p < pd; p++) result[(n - 1) * pd + p] = a(n, p);
            return result;
        }
        Exact Fact(int n) => Exact.Ratio(Factorial(n), 1);
        switch (name)
        {
            case "Bernoulli":
            {
                // d/dp log(1 - p + p e^t) = (e^t - 1) / (1 + p (e^t - 1))
                var b = BernoulliSeries(E(0), order);
                return Rows(1, (n, _) => b[n]);
            }
            case "Binomial":
            {
                var b = BernoulliSeries(E(1), order);
                return Rows(1, (n, _) => E(0) * b[n]);
            }
            case "Categorical":
            {
                // K = log D, D = 1 + p1 (e^t - 1) + p2 (e^{2t} - 1): d/dp1 K = (e^t - 1)/D, d/dp2 K = (e^{2t} - 1)/D.
                var e1 = Exp(order, 1, dropConstant: true);
                var e2 = Exp(order, 2, dropConstant: true);
                var d = Add(Scale(e1, E(0)), Scale(e2, E(1)));
                d[0] = Exact.One;
                var a1 = Divide(e1, d);
                var a2 = Divide(e2, d);
                return Rows(2, (n, p) => p == 0 ? a1[n] : a2[n]);
            }
            case "NegativeBinomial":
            {
                // K = r log(1-p) - r log(1 - p e^t). With v = e^t / (1 - p e^t): d/dp K = r v - r/(1-p) (t^n, n >= 1: r v_n);
                // d/dr K = -log(1 - p e^t) + const, whose t-derivative is p v, so its t^n coefficient is p v_{n-1} / n.
                var numerator = Exp(order, 1, dropConstant: false);
                var denominator = Scale(numerator, -E(1));
                denominator[0] = Exact.One - E(1);
                var v = Divide(numerator, denominator);
                return Rows(2, (n, p) => p == 0 ? E(1) * v[n - 1] / Exact.Ratio(n, 1) : E(0) * v[n]);
            }
            case "Poisson": return Rows(1, (n, _) => Exact.One / Fact(n));
            case "Gamma": return Rows(2, (n, p) => p == 0 ? E(1).Pow(n) / Exact.Ratio(n, 1) : E(0) * E(1).Pow(n - 1));
            case "Exponential": return Rows(1, (n, _) => E(0).Pow(n - 1));
            case "Erlang": return Rows(1, (n, _) => E(0) * E(1).Pow(n - 1));
            case "ChiSquared": return Rows(1, (n, _) => Exact.Ratio(BigInteger.Pow(2, n - 1), n));
            case "Dirac": return Rows(1, (n, _) => n == 1 ? Exact.One : Exact.Zero);
            // A stable part has no series: the class's coefficients are the analytic part's, i x0 w = x0 t (c_1 = x0).
            case "Cauchy" or "Stable": return Rows(2, (n, p) => n == 1 && p == 0 ? Exact.One : Exact.Zero);
            case "Normal": return Rows(2, (n, p) => (n, p) switch { (1, 0) => Exact.One, (2, 1) => E(1), _ => Exact.Zero });
            case "Laplace":
                // K = mu t - log(1 - b^2 t^2) = mu t + sum_m b^{2m} t^{2m} / m.
                return Rows(2, (n, p) => p == 0 ? (n == 1 ? Exact.One : Exact.Zero) : n % 2 == 0 ? 2 * E(1).Pow(n - 1) : Exact.Zero);
            case "Logistic":
            {
                // K = mu t + log(x / sin x), x = pi s t; log(x/sin x) = sum_m |B_2m| 2^{2m} x^{2m} / (2m (2m)!).
                var bernoulli = Bernoulli(order);
                return Rows(2, (n, p) => p == 0 ? (n == 1 ? Exact.One : Exact.Zero)
                    : n % 2 == 0 ? Abs(bernoulli[n]) * Exact.Ratio(BigInteger.Pow(2, n), 1) * Pi.Pow(n) * E(1).Pow(n - 1) / Fact(n) : Exact.Zero);
            }
            case "Gumbel":
            {
                // K = mu t + lgamma(1 - beta t) = (mu + gamma beta) t + sum_{n>=2} zeta(n) beta^n t^n / n, from
                // log Gamma(1 - x) = gamma x + sum_{n>=2} zeta(n) x^n / n: a_{1,beta} = gamma, a_{n,beta} = zeta(n) beta^(n-1).
                var zeta = s_zeta.Value;
                return Rows(2, (n, p) => p == 0 ? (n == 1 ? Exact.One : Exact.Zero) : n == 1 ? EulerGamma : zeta[n] * E(1).Pow(n - 1));
            }
            case "CompoundPoisson":
                // K = lambda (beta/(beta - t) - 1) = lambda sum_{n>=1} (t/beta)^n: c_n = lambda beta^-n,
                // a_{n,lambda} = beta^-n, a_{n,beta} = -n lambda beta^-(n+1).
                return Rows(2, (n, p) => p == 0 ? Exact.One / E(1).Pow(n) : -(Exact.Ratio(n, 1) * E(0) / E(1).Pow(n + 1)));
            case "VarianceGamma":
            {
                // K = -m log(1 - b1 t) - m log(1 + b2 t) = m sum_n (b1^n + (-b2)^n) t^n / n: a_{n,m} = (b1^n + (-b2)^n)/n,
                // a_{n,b1} = m b1^(n-1), a_{n,b2} = m (-1)^n b2^(n-1).
                Exact Sign(int n, Exact x) => n % 2 == 0 ? x : -x;
                return Rows(3, (n, p) => p switch
                {
                    0 => (E(1).Pow(n) + Sign(n, E(2).Pow(n))) / Exact.Ratio(n, 1),
                    1 => E(0) * E(1).Pow(n - 1),
                    _ => Sign(n, E(0) * E(2).Pow(n - 1)),
                });
            }
            case "Uniform":
            {
                // K = a t + log((e^{wt} - 1)/(wt)) = a t + w t/2 + sum_{n>=2} B_n (wt)^n / (n n!).
                var bernoulli = Bernoulli(order);
                return Rows(2, (n, p) => p == 0 ? (n == 1 ? Exact.One : Exact.Zero)
                    : n == 1 ? Exact.Ratio(1, 2) : bernoulli[n] * E(1).Pow(n - 1) / Fact(n));
            }
            default: return null;
        }
    }

    /// <summary>BivariateNormal(m1, m2, s1, s2, rho): K = m1 t1 + m2 t2 + (s1^2 t1^2 + 2 rho s1 s2 t1 t2 + s2^2 t2^2)/2.</summary>
    public static Exact[] BivariateNormal(double[] theta, IReadOnlyList<int[]> multiIndices)
    {
        Exact m(int i) => Exact.From(theta[i]);
        var a = new Exact[multiIndices.Count * 5];
        Array.Fill(a, Exact.Zero);
        for (int row = 0; row < multiIndices.Count; row++)
        {
            var index = multiIndices[row];
            void Set(int p, Exact v) => a[row * 5 + p] = v;
            switch ((index[0], index[1]))
            {
                case (1, 0): Set(0, 1); break;
                case (0, 1): Set(1, 1); break;
                case (2, 0): Set(2, m(2)); break;
                case (0, 2): Set(3, m(3)); break;
                case (1, 1): Set(2, m(4) * m(3)); Set(3, m(4) * m(2)); Set(4, m(2) * m(3)); break;
            }
        }
        return a;
    }

    private static Exact Abs(Exact x) => x.Numerator.Sign < 0 ? -x : x;

    private static Exact[] BernoulliSeries(Exact p, int order)
    {
        var e1 = Exp(order, 1, dropConstant: true);
        var d = Scale(e1, p);
        d[0] = Exact.One;
        return Divide(e1, d);
    }
}
