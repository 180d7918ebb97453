using System.Numerics;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Series;
using Xunit;

namespace SeriesCompiler.Tests.Symbolic;

/// <summary>
/// The dense and cached paths of the polynomial ring against the plain ones on random polynomials: the lift of
/// <see cref="Poly.CancelDenominators"/> over one sum in one atom (dense rows in powers of the atom) against the sparse
/// Horner's rule, and derivatives that reuse lowered monomials across coefficients against derivatives that do not.
/// </summary>
public sealed class DenseRingPathTests
{
    private static readonly Symbol X = Ex.Sym("x");
    private static readonly Symbol Y = Ex.Sym("y");

    private static Expr RandomCoefficient(Random random, bool integer)
    {
        var c = new BigInteger(random.Next(1, 1000)) * BigInteger.Pow(7, random.Next(40)) * (random.Next(2) == 0 ? 1 : -1);
        return Ex.Num(new Rational(c, integer ? 1 : random.Next(1, 30)));
    }

    /// <summary>sum of c x^a y^b S^-e over a few terms, S one of the sums given.</summary>
    private static Poly RandomOverSum(Random random, Expr sum, int terms, bool integer)
    {
        var parts = new List<Expr>();
        for (int i = 0; i < terms; i++)
            parts.Add(Ex.Mul(RandomCoefficient(random, integer), Ex.Pow(X, random.Next(5)), Ex.Pow(Y, random.Next(3) - (random.Next(4) == 0 ? 1 : 0)),
                Ex.Pow(sum, Ex.Num(-random.Next(0, 9)))));
        var total = Poly.Zero;
        foreach (var p in parts) total += Poly.FromExpr(p);
        return total;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Dense_lift_equals_the_sparse_one(int seed)
    {
        var random = new Random(seed);
        // Sums in x alone (the dense path) and in x and y (the sparse path either way).
        Expr[] sums = [Ex.Sub(Ex.One, X), Ex.Add(Ex.Num(2), Ex.Mul(Ex.Num(3), X)), Ex.Sub(Ex.Pow(X, 2), Ex.Num(5)), Ex.Add(Ex.One, Ex.Mul(X, Y))];
        Poly.DenseUses = 0;
        for (int round = 0; round < 30; round++)
        {
            var p = RandomOverSum(random, sums[random.Next(sums.Length)], random.Next(1, 12), integer: random.Next(2) == 0);
            var dense = p.CancelDenominators();
            Poly.DenseOff = true;
            try { Assert.Equal(p.CancelDenominators().ToExpr(), dense.ToExpr()); }
            finally { Poly.DenseOff = false; }
        }
        // The comparison means something only if the dense path ran (it returns null, and the sparse path runs, otherwise).
        Assert.True(Poly.DenseUses > 0, "the dense path was never taken");
    }

    [Fact]
    public void Dense_lift_of_an_exact_multiple_cancels_the_sum()
    {
        // (x^2 - 1) / (1 - x)^2 = -(1 + x) / (1 - x): the dense numerator must divide exactly once, as the sparse one does.
        var s = Ex.Sub(Ex.One, X);
        var p = Poly.FromExpr(Ex.Mul(Ex.Sub(Ex.Pow(X, 2), Ex.One), Ex.Pow(s, Ex.Num(-2))));
        var inverse = Ex.Pow(s, Ex.MinusOne);
        var expected = Poly.FromExpr(Ex.Add(Ex.Neg(inverse), Ex.Neg(Ex.Mul(X, inverse))));
        Assert.Equal(expected.ToExpr(), p.CancelDenominators().ToExpr());
        Assert.Equal(2, p.CancelDenominators().TermCount);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void Derivatives_with_shared_lowerings_equal_plain_derivatives(int seed)
    {
        var random = new Random(seed);
        var lowerings = new Dictionary<(Monomial, int), Monomial>();
        // Atom derivatives are cached per variable; lowered monomials do not depend on it.
        var withCache = new Dictionary<Symbol, Dictionary<int, Poly>> { [X] = new(), [Y] = new() };
        var plainCache = new Dictionary<Symbol, Dictionary<int, Poly>> { [X] = new(), [Y] = new() };
        for (int round = 0; round < 30; round++)
        {
            // Coefficients share monomials (as the coefficients of one series do), so the lowerings are reused.
            var p = RandomOverSum(random, Ex.Sub(Ex.One, Ex.Mul(Ex.Num(2), X)), random.Next(1, 10), integer: false)
                + Poly.FromExpr(Ex.Mul(RandomCoefficient(random, false), Ex.Log(X), Ex.Pow(Y, 3)));
            foreach (var v in new[] { X, Y })
                Assert.Equal(p.Derivative(v, plainCache[v]).ToExpr(), p.Derivative(v, withCache[v], lowerings).ToExpr());
        }
        Assert.NotEmpty(lowerings);
    }
}
