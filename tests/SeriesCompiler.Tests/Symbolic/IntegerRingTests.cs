using System.Collections.Immutable;
using System.Numerics;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Model;
using SeriesCompiler.Symbolic.Series;
using Xunit;

namespace SeriesCompiler.Tests.Symbolic;

/// <summary>
/// The fast paths of the series' polynomial ring against its plain operations: integer sums of products in fixed-width
/// limbs (carries and borrows across limbs, signs, cancellation to zero) against <c>*</c> and <c>+</c> on exact
/// rationals, and a coefficient whose expressions are built on first read against one built eagerly.
/// </summary>
public sealed class IntegerRingTests
{
    private static readonly Symbol X = Ex.Sym("x");
    private static readonly Symbol Y = Ex.Sym("y");

    /// <summary>A random polynomial in x, y (exponents 0..3) with integer coefficients of up to <paramref name="bits"/> bits, either sign.</summary>
    private static Expr RandomPolynomial(Random random, int terms, int bits)
    {
        var parts = new List<Expr>();
        for (int i = 0; i < terms; i++)
        {
            var bytes = new byte[(bits + 7) / 8 + 1];
            random.NextBytes(bytes);
            bytes[^1] = 0; // non-negative, then a random sign
            var c = new BigInteger(bytes) >> (bytes.Length * 8 - 8 - bits);
            if (random.Next(2) == 0) c = -c;
            if (random.Next(8) == 0) c = BigInteger.Pow(2, 64 * random.Next(1, 4)) - 1; // all-ones limbs: the longest carries
            if (random.Next(8) == 0) c = -BigInteger.Pow(2, 64 * random.Next(1, 3)); // -2^64k: one bit more than its two's complement
            parts.Add(Ex.Mul(Ex.Num(new Rational(c, 1)), Ex.Pow(X, random.Next(4)), Ex.Pow(Y, random.Next(4))));
        }
        return Ex.Add(parts.ToArray());
    }

    [Theory]
    [InlineData(1, 8, 40)]
    [InlineData(2, 30, 200)]
    [InlineData(3, 3, 700)]
    public void Integer_sum_of_products_equals_the_rational_ring(int seed, int terms, int bits)
    {
        var random = new Random(seed);
        for (int round = 0; round < 20; round++)
        {
            var start = Poly.FromExpr(RandomPolynomial(random, terms, bits));
            var products = new List<(GaussianRational, Poly, Poly)>();
            var expected = start;
            for (int i = 0; i < 1 + random.Next(6); i++)
            {
                // Small factors (<= 4 terms) take the grouped path, larger ones the direct one.
                var a = Poly.FromExpr(RandomPolynomial(random, random.Next(2) == 0 ? 2 : terms, bits));
                var b = Poly.FromExpr(RandomPolynomial(random, terms, bits));
                var w = new Rational(BigInteger.Pow(3, random.Next(90)) * (random.Next(2) == 0 ? 1 : -1), 1);
                if (random.Next(4) == 0) w = Rational.One;
                products.Add((w, a, b));
                expected += (a * b).Scale(w);
            }
            var actual = Poly.SumOfProducts(start, products);
            Assert.Equal(expected.ToExpr(), actual.ToExpr());
            // Integer coefficients and weights: the limb path itself must take them (not fall back to the rational one).
            var integral = Poly.IntegerSumOfProducts(start, products);
            Assert.NotNull(integral);
            Assert.Equal(expected.ToExpr(), integral.ToExpr());
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_factor_of_minus_two_to_the_64k_keeps_its_top_bit(int k)
    {
        // -2^64k needs one limb more as a magnitude than its two's complement bit length suggests: as a weight, and as a
        // coefficient of either factor.
        var big = new Rational(-BigInteger.Pow(2, 64 * k), 1);
        var a = Poly.FromExpr(Ex.Mul(Ex.Num(big), X));
        var b = Poly.FromExpr(Ex.Add(Ex.Mul(Ex.Num(3), Y), Ex.Num(5)));
        Assert.Equal((a * b).ToExpr(), Poly.SumOfProducts(Poly.Zero, [(GaussianRational.One, a, b)]).ToExpr());
        var integral = Poly.IntegerSumOfProducts(Poly.Zero, [(GaussianRational.One, a, b)]);
        Assert.NotNull(integral);
        Assert.Equal((a * b).ToExpr(), integral.ToExpr());
        Assert.Equal((b * b).Scale(big).ToExpr(), Poly.SumOfProducts(Poly.Zero, [(big, b, b)]).ToExpr());
    }

    [Fact]
    public void A_sum_that_cancels_exactly_is_zero()
    {
        var a = Poly.FromExpr(RandomPolynomial(new Random(7), 12, 300));
        var b = Poly.FromExpr(RandomPolynomial(new Random(8), 12, 300));
        // a b - a b, with the second product's weight negative: every slot returns to zero through borrows.
        var sum = Poly.SumOfProducts(Poly.Zero, [(GaussianRational.One, a, b), (-GaussianRational.One, b, a)]);
        Assert.True(sum.IsZero);
    }

    [Fact]
    public void A_coefficient_read_late_equals_one_built_at_once()
    {
        var value = Ex.Add(Ex.Mul(Ex.Num(3), X), Ex.Pow(Y, 2));
        var derivatives = new[] { Ex.Num(3), Ex.Mul(Ex.Num(2), Y) }.ToEquatableArray();
        var eager = new CoefficientSpec([1], value, derivatives);
        int built = 0;
        var late = new CoefficientSpec([1], () => { built++; return value; }, () => derivatives);
        Assert.Equal(0, built);
        Assert.Equal(eager, late);
        Assert.Equal(eager.GetHashCode(), late.GetHashCode());
        Assert.Equal(1, built); // built once, then kept
        Assert.NotEqual(eager, new CoefficientSpec([1], () => Ex.Num(3), () => derivatives));
        var (index, v, d) = late;
        Assert.Equal(1, Assert.Single(index));
        Assert.Same(value, v);
        Assert.Equal(derivatives, d);
    }
}
