using System.Numerics;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Series;
using Xunit;
using static SeriesCompiler.Tests.Symbolic.SymbolicTestHelpers;

namespace SeriesCompiler.Tests.Symbolic;

/// <summary>
/// The series engine at high order against independent oracles: the Eulerian-number closed form of
/// -log(1 - p e^t) (the negative binomial's series, whose coefficients have denominators (1 - p)^n), and the
/// textbook log recurrence run on plain rationals for a Categorical-type cf at fixed probabilities. They guard the
/// exponentially scaled recurrences and the grouped denominator cancellation, which must not change any value.
/// </summary>
public sealed class HighOrderSeriesTests
{
    private static readonly Symbol T = Ex.Sym("t", SymbolKind.Variable);

    /// <summary>A(n, k) by (k+1) A(n-1, k) + (n-k) A(n-1, k-1), A(0, 0) = 1.</summary>
    internal static BigInteger[] EulerianRow(int n)
    {
        var row = new BigInteger[] { 1 };
        for (int m = 1; m <= n; m++)
        {
            var next = new BigInteger[m + 1];
            for (int k = 0; k <= m; k++)
                next[k] = (k < m ? (k + 1) * row[k] : 0) + (k > 0 ? (m - k) * row[k - 1] : 0);
            row = next;
        }
        return row;
    }

    /// <summary>The t^n coefficient of -log(1 - p e^t), n >= 1: Li_{1-n}(p) / n! = p A_{n-1}(p) / ((1 - p)^n n!).</summary>
    internal static Rational MinusLogOneMinusPExpCoefficient(int n, Rational p)
    {
        var eulerian = EulerianRow(n - 1);
        var polynomial = Rational.Zero;
        for (int j = eulerian.Length - 1; j >= 0; j--) polynomial = polynomial * p + eulerian[j];
        var factorial = BigInteger.One;
        for (int m = 2; m <= n; m++) factorial *= m;
        return p * polynomial * (Rational.One - p).Pow(-n) * new Rational(BigInteger.One, factorial);
    }

    internal static Rational ValueAt(Expr e, Dictionary<Symbol, Expr> point)
    {
        var value = Substitution.Apply(e, point);
        var number = Assert.IsType<Number>(value);
        Assert.True(number.IsReal);
        return number.Re;
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 7)]
    public void Negative_binomial_type_log_matches_the_Eulerian_closed_form_at_order_40(int num, int den)
    {
        // -log(1 - p e^t) = sum_m p^m e^(m t)/m, so c_n = Li_{1-n}(p)/n! = p A_{n-1}(p) / ((1 - p)^n n!) for n >= 1.
        var p = P("p");
        var k = Ex.Neg(Ex.Log(Ex.Sub(Ex.One, Ex.Mul(p, Ex.Exp(T)))));
        const int order = 40;
        var series = new SeriesExpander(T).Expand(k, order);
        var pv = new Rational(num, den);
        var point = new Dictionary<Symbol, Expr> { [p] = Ex.Num(pv) };
        Assert.Equal(Ex.Neg(Ex.Log(Ex.Sub(Ex.One, p))), series[0]);
        for (int n = 1; n <= order; n++)
            Assert.Equal(MinusLogOneMinusPExpCoefficient(n, pv), ValueAt(series[n], point));
    }

    [Fact]
    public void Categorical_type_log_matches_the_plain_rational_recurrence_at_order_32()
    {
        var p1 = P("p1");
        var p2 = P("p2");
        // cf after w = -i t: p0 + p1 e^t + p2 e^(2t), with p0 = 1 - p1 - p2.
        var u = Ex.Add(Ex.Sub(Ex.Sub(Ex.One, p1), p2), Ex.Mul(p1, Ex.Exp(T)), Ex.Mul(p2, Ex.Exp(Ex.Mul(Ex.Num(2), T))));
        const int order = 32;
        var series = new SeriesExpander(T).Expand(Ex.Log(u), order);
        foreach (var (q1, q2) in new[] { (new Rational(1, 5), new Rational(3, 10)), (new Rational(2, 3), new Rational(1, 7)) })
        {
            // Oracle: a_j = (q1 + 2^j q2)/j! (a_0 = 1), b_n = a_n - (1/n) sum_{k=1..n-1} k b_k a_{n-k}, on numbers.
            var a = new Rational[order + 1];
            a[0] = Rational.One;
            var factorial = BigInteger.One;
            for (int j = 1; j <= order; j++)
            {
                factorial *= j;
                a[j] = (q1 + q2 * BigInteger.Pow(2, j)) * new Rational(BigInteger.One, factorial);
            }
            var b = new Rational[order + 1];
            b[0] = Rational.Zero;
            for (int n = 1; n <= order; n++)
            {
                var sum = Rational.Zero;
                for (int kk = 1; kk < n; kk++) sum += b[kk] * a[n - kk] * kk;
                b[n] = a[n] - sum * new Rational(1, n);
            }
            var point = new Dictionary<Symbol, Expr> { [p1] = Ex.Num(q1), [p2] = Ex.Num(q2) };
            for (int n = 1; n <= order; n++) Assert.Equal(b[n], ValueAt(series[n], point));
        }
    }

    // ---- The bundled declarations derived whole (series, canonical expressions, a_{n,p}) at the maximum order 64,
    // checked exactly at rational points against closed forms and a textbook recurrence run on numbers. ----

    private const int MaxOrder = 64;

    /// <summary>Stirling numbers of the second kind S(n, k), k = 0..n, by S(n, k) = k S(n-1, k) + S(n-1, k-1).</summary>
    private static BigInteger[] StirlingRow(int n)
    {
        var row = new BigInteger[] { 1 };
        for (int m = 1; m <= n; m++)
        {
            var next = new BigInteger[m + 1];
            for (int k = 1; k <= m; k++) next[k] = (k < m ? k * row[k] : 0) + row[k - 1];
            row = next;
        }
        return row;
    }

    /// <summary>
    /// log(1 - p + p e^t) = sum_k (-1)^(k-1) p^k (e^t - 1)^k / k and (e^t - 1)^k = k! sum_n S(n, k) t^n / n!, so
    /// c_n = sum_k (-1)^(k-1) (k-1)! S(n, k) p^k / n! and d c_n / dp = sum_k (-1)^(k-1) k! S(n, k) p^(k-1) / n!.
    /// </summary>
    private static (Rational C, Rational DcDp) BernoulliClosedForm(int n, Rational p)
    {
        var s = StirlingRow(n);
        Rational c = Rational.Zero, d = Rational.Zero;
        for (int k = 1; k <= n; k++)
        {
            var sign = k % 2 == 1 ? Rational.One : Rational.MinusOne;
            c += sign * (Rational)(Factorial(k - 1) * s[k]) * p.Pow(k);
            d += sign * (Rational)(Factorial(k) * s[k]) * p.Pow(k - 1);
        }
        var inverse = new Rational(BigInteger.One, Factorial(n));
        return (c * inverse, d * inverse);
    }

    private static Rational At(Expr e, params (string Name, Rational Value)[] point) =>
        ValueAt(e, point.ToDictionary(x => P(x.Name), x => Ex.Num(x.Value)));

    [Fact]
    public void Bernoulli_and_Binomial_at_order_64_match_the_Stirling_closed_form()
    {
        var bernoulli = DeriveBundled("Bernoulli", MaxOrder);
        var binomial = DeriveBundled("Binomial", MaxOrder);
        var pv = new Rational(3, 10);
        var trials = (Rational)7;
        bool nDifferentiable = binomial.Differentiable.Any(x => x.Name == "n");
        for (int n = 1; n <= MaxOrder; n++)
        {
            var (c, dcdp) = BernoulliClosedForm(n, pv);
            Assert.Equal(c, At(C(bernoulli, n), ("p", pv)));
            Assert.Equal(dcdp, At(A(bernoulli, n, "p"), ("p", pv)));
            // (1 - p + p e^t)^n: K is n times the Bernoulli K.
            Assert.Equal(trials * c, At(C(binomial, n), ("n", trials), ("p", pv)));
            Assert.Equal(trials * dcdp, At(A(binomial, n, "p"), ("n", trials), ("p", pv)));
            if (nDifferentiable) Assert.Equal(c, At(A(binomial, n, "n"), ("n", trials), ("p", pv)));
        }
    }

    [Fact]
    public void Negative_binomial_at_order_64_matches_the_Eulerian_closed_form_with_its_derivatives()
    {
        // K = r log(1 - p) - r log(1 - p e^t): c_n = r p A_{n-1}(p) (1 - p)^-n / n!, so a_{n,r} = c_n / r and
        // a_{n,p} = r/n! [(A(p) + p A'(p)) (1 - p)^-n + n p A(p) (1 - p)^(-n-1)].
        var rule = DeriveBundled("NegativeBinomial", MaxOrder);
        var pv = new Rational(2, 7);
        var rv = new Rational(5, 2);
        var factorial = BigInteger.One;
        for (int n = 1; n <= MaxOrder; n++)
        {
            factorial *= n;
            var eulerian = EulerianRow(n - 1);
            Rational poly = Rational.Zero, slope = Rational.Zero;
            for (int j = eulerian.Length - 1; j >= 0; j--)
            {
                slope = slope * pv + poly; // Horner for A'(p) beside A(p)
                poly = poly * pv + eulerian[j];
            }
            var q = Rational.One - pv;
            var inverse = new Rational(BigInteger.One, factorial);
            var c = rv * pv * poly * q.Pow(-n) * inverse;
            var dp = rv * inverse * ((poly + pv * slope) * q.Pow(-n) + n * pv * poly * q.Pow(-n - 1));
            Assert.Equal(c, At(C(rule, n), ("r", rv), ("p", pv)));
            Assert.Equal(c / rv, At(A(rule, n, "r"), ("r", rv), ("p", pv)));
            Assert.Equal(dp, At(A(rule, n, "p"), ("r", rv), ("p", pv)));
        }
    }

    /// <summary>A rational with its two partial derivatives (forward mode): the oracle's arithmetic for d/dp1, d/dp2.</summary>
    private readonly record struct Dual(Rational V, Rational D1, Rational D2)
    {
        public static Dual operator +(Dual a, Dual b) => new(a.V + b.V, a.D1 + b.D1, a.D2 + b.D2);
        public static Dual operator -(Dual a, Dual b) => new(a.V - b.V, a.D1 - b.D1, a.D2 - b.D2);
        public static Dual operator *(Dual a, Dual b) => new(a.V * b.V, a.D1 * b.V + a.V * b.D1, a.D2 * b.V + a.V * b.D2);
        public static Dual operator *(Dual a, Rational k) => new(a.V * k, a.D1 * k, a.D2 * k);
    }

    [Fact]
    public void Categorical_at_order_64_matches_the_plain_log_recurrence_with_forward_derivatives()
    {
        var rule = DeriveBundled("Categorical", MaxOrder);
        var q1 = new Rational(1, 5);
        var q2 = new Rational(3, 10);
        // phi(t) = p0 + p1 e^t + p2 e^(2t) = sum_j a_j t^j: a_0 = 1, a_j = (p1 + 2^j p2)/j!, carried with d/dp1 and d/dp2.
        var a = new Dual[MaxOrder + 1];
        a[0] = new Dual(Rational.One, Rational.Zero, Rational.Zero);
        var factorial = BigInteger.One;
        for (int j = 1; j <= MaxOrder; j++)
        {
            factorial *= j;
            var inverse = new Rational(BigInteger.One, factorial);
            var power = (Rational)BigInteger.Pow(2, j);
            a[j] = new Dual((q1 + power * q2) * inverse, inverse, power * inverse);
        }
        // log phi: b_n = a_n - (1/n) sum_{k=1..n-1} k b_k a_{n-k} (a_0 = 1).
        var b = new Dual[MaxOrder + 1];
        for (int n = 1; n <= MaxOrder; n++)
        {
            var sum = new Dual(Rational.Zero, Rational.Zero, Rational.Zero);
            for (int k = 1; k < n; k++) sum += b[k] * a[n - k] * k;
            b[n] = a[n] - sum * new Rational(1, n);
            Assert.Equal(b[n].V, At(C(rule, n), ("p1", q1), ("p2", q2)));
            Assert.Equal(b[n].D1, At(A(rule, n, "p1"), ("p1", q1), ("p2", q2)));
            Assert.Equal(b[n].D2, At(A(rule, n, "p2"), ("p1", q1), ("p2", q2)));
        }
    }
}
