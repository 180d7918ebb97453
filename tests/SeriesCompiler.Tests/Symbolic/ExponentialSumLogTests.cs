using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Series;
using Xunit;

namespace SeriesCompiler.Tests.Symbolic;

/// <summary>
/// The closed form of the log of a short exponential sum (<see cref="ExponentialSumLog"/>) against the log recurrence
/// it replaces, polynomial for polynomial: every coefficient and every parameter derivative, for the bundled forms at
/// order 64 and for random sums (rates of either sign, integer weights, monomials that collide, constant terms that
/// are a number, a monomial or a sum); and the forms it must leave to the recurrence.
/// </summary>
public sealed class ExponentialSumLogTests
{
    private static readonly Symbol T = Ex.Sym("t", SymbolKind.Variable);
    private static readonly Symbol X = Ex.Sym("x");
    private static readonly Symbol Y = Ex.Sym("y");

    /// <summary>log(argument) to the order, by the closed form where it applies and by the recurrence; and whether the closed form was taken.</summary>
    private static (TruncatedSeries Closed, TruncatedSeries Recurrence, bool Taken) Both(Expr argument, int order)
    {
        int uses = ExponentialSumLog.Uses;
        var closed = new SeriesExpander(T).Expand(Ex.Log(argument), order);
        bool taken = ExponentialSumLog.Uses > uses;
        ExponentialSumLog.Off = true;
        try
        {
            return (closed, new SeriesExpander(T).Expand(Ex.Log(argument), order), taken);
        }
        finally { ExponentialSumLog.Off = false; }
    }

    private static void AssertSame(TruncatedSeries closed, TruncatedSeries recurrence, params Symbol[] parameters)
    {
        Assert.Equal(recurrence.Order, closed.Order);
        for (int n = 0; n <= closed.Order; n++) Assert.Equal(recurrence[n], closed[n]);
        foreach (var p in parameters)
            Assert.Equal(recurrence.DerivativeOfCoefficients(p), closed.DerivativeOfCoefficients(p));
    }

    private static Expr E(int rate) => Ex.Exp(Ex.Mul(Ex.Num(rate), T));

    [Fact]
    public void Categorical_form_at_order_64_equals_the_recurrence_with_its_derivatives()
    {
        var p1 = Ex.Sym("p1");
        var p2 = Ex.Sym("p2");
        // (1 - p1 - p2) + p1 e^t + p2 e^(2t)
        var argument = Ex.Add(Ex.Sub(Ex.Sub(Ex.One, p1), p2), Ex.Mul(p1, E(1)), Ex.Mul(p2, E(2)));
        var (closed, recurrence, taken) = Both(argument, 64);
        Assert.True(taken);
        AssertSame(closed, recurrence, p1, p2);
    }

    [Fact]
    public void Bernoulli_and_negative_binomial_forms_at_order_64_equal_the_recurrence()
    {
        var p = Ex.Sym("p");
        // 1 - p + p e^t (a_0 = 1), and 1 - p e^t (a_0 = 1 - p: the recurrence divides by the atom (1 - p)^-1).
        foreach (var argument in new[] { Ex.Add(Ex.Sub(Ex.One, p), Ex.Mul(p, E(1))), Ex.Sub(Ex.One, Ex.Mul(p, E(1))) })
        {
            var (closed, recurrence, taken) = Both(argument, 64);
            Assert.True(taken);
            AssertSame(closed, recurrence, p);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_short_exponential_sums_equal_the_recurrence(int seed)
    {
        var random = new Random(seed);
        Expr[] constants = [Ex.One, Ex.Num(2), Ex.Num(new Rational(3, 2)), Ex.Mul(Ex.Num(2), X), Ex.Sub(Ex.One, X), Ex.Add(Ex.Num(2), Y), Ex.Sub(Ex.Sub(Ex.One, X), Y)];
        int taken = 0;
        for (int round = 0; round < 12; round++)
        {
            // a_0 + sum_j c_j m_j (e^(lambda_j t) - 1): one or two terms (three leave it to the recurrence).
            var a0 = constants[random.Next(constants.Length)];
            var parts = new List<Expr> { a0 };
            int count = random.Next(1, 4);
            for (int j = 0; j < count; j++)
            {
                int c = random.Next(1, 4) * (random.Next(2) == 0 ? 1 : -1);
                int rate = random.Next(1, 4) * (random.Next(3) == 0 ? -1 : 1);
                var monomial = Ex.Mul(Ex.Pow(X, Ex.Num(random.Next(3))), Ex.Pow(Y, Ex.Num(random.Next(3))));
                parts.Add(Ex.Mul(Ex.Num(c), monomial, Ex.Sub(E(rate), Ex.One)));
            }
            var argument = Ex.Add(parts.ToArray());
            var (closed, recurrence, wasTaken) = Both(argument, 20);
            if (wasTaken) taken++;
            AssertSame(closed, recurrence, X, Y);
        }
        Assert.True(taken >= 3, $"the closed form was taken in {taken} of 12 rounds");
    }

    [Fact]
    public void Sums_it_does_not_cover_take_the_recurrence_and_agree()
    {
        var p = Ex.Sym("p");
        Expr[] arguments =
        [
            Ex.Add(Ex.Sub(Ex.One, p), Ex.Mul(p, Ex.Exp(Ex.Div(T, Ex.Num(2))))), // a rate of 1/2
            Ex.Add(Ex.Sub(Ex.One, p), Ex.Mul(Ex.Div(p, Ex.Num(3)), E(1)), Ex.Mul(Ex.Num(new Rational(-1, 3)), p)), // weight 1/3
            Ex.Add(Ex.One, Ex.Mul(p, T)), // not an exponential sum
            Ex.Sub(Ex.Num(2), Ex.Exp(Ex.Mul(p, T))), // a symbolic rate
        ];
        foreach (var argument in arguments)
        {
            var (closed, recurrence, taken) = Both(argument, 12);
            Assert.False(taken, argument.ToString());
            AssertSame(closed, recurrence, p);
        }
    }
}
