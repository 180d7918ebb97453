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
    private static BigInteger[] EulerianRow(int n)
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

    private static Rational ValueAt(Expr e, Dictionary<Symbol, Expr> point)
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
        var factorial = BigInteger.One;
        for (int n = 1; n <= order; n++)
        {
            factorial *= n;
            var eulerian = EulerianRow(n - 1);
            var polynomial = Rational.Zero;
            for (int j = eulerian.Length - 1; j >= 0; j--) polynomial = polynomial * pv + eulerian[j];
            var expected = pv * polynomial * (Rational.One - pv).Pow(-n) * new Rational(BigInteger.One, factorial);
            Assert.Equal(expected, ValueAt(series[n], point));
        }
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
}
