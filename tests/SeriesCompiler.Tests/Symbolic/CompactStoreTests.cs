using System.Numerics;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Series;
using Xunit;

namespace SeriesCompiler.Tests.Symbolic;

/// <summary>
/// The compact coefficient store: polynomials that limb computations return keep their integer terms in limbs and build
/// the dictionary only when read. Checked against the rational ring: the terms read back, the bit measure taken on the
/// limbs (two's-complement lengths, so -2^k counts one bit less than 2^k), and derivatives accumulated in limbs.
/// </summary>
public sealed class CompactStoreTests
{
    private static readonly Symbol X = Ex.Sym("x");
    private static readonly Symbol Y = Ex.Sym("y");

    /// <summary>Random integer polynomial in x, y and the atoms log(x), (1 - x)^-1 with coefficients of up to <paramref name="bits"/> bits.</summary>
    private static Expr Random(Random random, int terms, int bits, bool atoms)
    {
        var parts = new List<Expr>();
        for (int i = 0; i < terms; i++)
        {
            var c = BigInteger.One << random.Next(bits);
            c += random.Next(3) - 1; // 2^k - 1, 2^k, 2^k + 1: the edges of the limb lengths
            if (random.Next(2) == 0) c = -c;
            var factors = new List<Expr> { Ex.Num(new Rational(c, 1)), Ex.Pow(X, random.Next(5)), Ex.Pow(Y, random.Next(4)) };
            if (atoms && random.Next(2) == 0) factors.Add(Ex.Pow(Ex.Log(X), random.Next(1, 3)));
            if (atoms && random.Next(2) == 0) factors.Add(Ex.Pow(Ex.Add(Ex.One, Ex.Neg(X)), -random.Next(1, 4)));
            parts.Add(Ex.Mul(factors.ToArray()));
        }
        return Ex.Add(parts.ToArray());
    }

    /// <summary>a * b through the limb path: a polynomial in the compact store (the test fails if the path declined).</summary>
    private static Poly Compact(Poly a, Poly b) =>
        Poly.IntegerSumOfProducts(Poly.Zero, [(GaussianRational.One, a, b)]) ?? throw new InvalidOperationException("the limb path declined");

    [Theory]
    [InlineData(1, 6, 60)]
    [InlineData(2, 20, 200)]
    [InlineData(3, 4, 400)]
    public void Compact_terms_and_their_bit_measure_equal_the_rational_ring(int seed, int terms, int bits)
    {
        var random = new Random(seed);
        for (int round = 0; round < 20; round++)
        {
            var a = Poly.FromExpr(Random(random, terms, bits, atoms: round % 2 == 0));
            var b = Poly.FromExpr(Random(random, 1 + random.Next(terms), bits, atoms: false));
            var compact = Compact(a, b);
            var expected = a * b; // the rational ring's product, a dictionary of exact rationals
            // Measured on the limbs first (the store is still compact), then read back term by term.
            Assert.Equal(expected.MaxConstantBits, compact.MaxConstantBits);
            Assert.Equal(expected.IsReal, compact.IsReal);
            Assert.Equal(expected.TermCount, compact.TermCount);
            foreach (var (m, c) in expected.Terms) Assert.Equal(c, compact.Terms[m]);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Minus_a_power_of_two_measures_one_bit_less(int k)
    {
        // BigInteger.GetBitLength(-2^64k) = 64k, one below |v|'s: the limb measure must agree with the rational one.
        foreach (var value in new[] { -BigInteger.Pow(2, 64 * k), -BigInteger.Pow(2, 64 * k) + 1, BigInteger.Pow(2, 64 * k), -BigInteger.Pow(2, 64 * k) - 1 })
        {
            var a = Poly.FromExpr(Ex.Mul(Ex.Num(new Rational(value, 1)), X));
            var compact = Compact(a, Poly.One);
            Assert.Equal(a.MaxConstantBits, compact.MaxConstantBits);
            Assert.Equal(a.Terms.Single().Value, compact.Terms.Single().Value);
        }
    }

    [Theory]
    [InlineData(1, 8, 50)]
    [InlineData(2, 25, 180)]
    public void Derivatives_in_limbs_equal_the_rational_path(int seed, int terms, int bits)
    {
        var random = new Random(seed);
        for (int round = 0; round < 20; round++)
        {
            var p = Compact(Poly.FromExpr(Random(random, terms, bits, atoms: true)), Poly.FromExpr(Random(random, 2, 8, atoms: false)));
            foreach (var x in new[] { X, Y })
            {
                var inLimbs = p.Derivative(x, new Dictionary<int, Poly>());
                // The same polynomial over 3 has no integer coefficients, so its derivative takes the rational path.
                var third = new GaussianRational(new Rational(1, 3), Rational.Zero);
                var rational = p.Scale(third).Derivative(x, new Dictionary<int, Poly>()).Scale(3);
                Assert.Equal(rational.TermCount, inLimbs.TermCount);
                Assert.Equal(rational.MaxConstantBits, inLimbs.MaxConstantBits);
                // Measured in the accumulator (what check does) without packing the terms: the same bits.
                Assert.Equal(rational.MaxConstantBits, p.DerivativeMaxConstantBits(x, new Dictionary<int, Poly>(), new Dictionary<(Monomial, int), Monomial>()));
                foreach (var (m, c) in rational.Terms) Assert.Equal(c, inLimbs.Terms[m]);
            }
        }
    }

    [Fact]
    public void A_linear_divisor_divides_exactly_what_vanishes_at_its_root()
    {
        // S = 2 - 3x (root 2/3), and S = y + 1 (root -1): P S divides back to P; P itself, non-zero at the root, does not
        // divide, and P - P(root) (zero there) does.
        var random = new Random(7);
        foreach (var (divisor, variable, root) in new[] { (Ex.Add(Ex.Num(2), Ex.Mul(Ex.Num(-3), X)), X, new Rational(2, 3)), (Ex.Add(Y, Ex.One), Y, Rational.MinusOne) })
        {
            var s = Poly.FromExpr(divisor);
            for (int round = 0; round < 10; round++)
            {
                var p = Poly.FromExpr(Random(random, 6, 40, atoms: false));
                Assert.Equal(p.ToExpr(), (p * s).DivideBy(s).ToExpr());
                var atRoot = Poly.FromExpr(Substitution.Apply(p.ToExpr(), new Dictionary<Symbol, Expr> { [variable] = Ex.Num(root) }));
                Assert.Equal(!atRoot.IsZero, !p.DividesExactly(s));
                Assert.True((p - atRoot).IsZero || (p - atRoot).DividesExactly(s));
            }
        }
    }

    /// <summary>A random monomial over atoms 0..5 with exponents in [-3, 3] (zero exponents dropped, as products drop them).</summary>
    private static Monomial RandomMonomial(Random random)
    {
        var m = Monomial.One;
        for (int id = 0; id < 6; id++)
            if (random.Next(2) == 0) m = m.Multiply(Monomial.Atom(id, random.Next(-3, 4)));
        return m;
    }

    [Fact]
    public void Monomials_formed_as_pairs_equal_the_formed_products_and_find_their_slots()
    {
        var random = new Random(7);
        var acc = new IntegerAccumulator(1, 4);
        Span<int> pairs = stackalloc int[32];
        for (int round = 0; round < 2000; round++)
        {
            var m = RandomMonomial(random);
            var other = RandomMonomial(random);
            // m * other: the pairs written equal the product's (equal monomial, equal hash).
            var product = m.Multiply(other);
            var written = pairs[..m.WriteTimes(other, pairs)];
            Assert.True(product.HasPairs(written));
            Assert.Equal(product.GetHashCode(), Monomial.HashOf(written));
            Assert.Equal(product, Monomial.FromPairs(written));
            if (m.Length > 0)
            {
                // m / a_i * other for each atom of m, as a derivative's term is formed.
                int i = random.Next(m.Length);
                var expected = m.Lower(i).Multiply(other);
                var lowered = pairs[..m.WriteLowerTimes(i, other, pairs)];
                Assert.True(expected.HasPairs(lowered));
                Assert.Equal(expected, Monomial.FromPairs(lowered));
                // Looking up by pairs finds the slot the monomial itself has, and adds one only when new.
                int count = acc.Count;
                int slot = acc.Slot(lowered);
                Assert.Equal(slot, acc.Slot(expected));
                Assert.True(acc.Count == count || (acc.Count == count + 1 && slot == count));
                Assert.Equal(expected, acc.MonomialAt(slot));
            }
        }
    }

    [Fact]
    public void Released_accumulators_come_back_empty_at_any_width()
    {
        var random = new Random(11);
        for (int round = 0; round < 50; round++)
        {
            int width = 1 + random.Next(4);
            var outer = IntegerAccumulator.Rent(width, 2);
            var inner = IntegerAccumulator.Rent(1 + random.Next(4), 2); // rented while the other is out: a different one
            Assert.NotSame(outer, inner);
            foreach (var acc in new[] { outer, inner })
            {
                Assert.Equal(0, acc.Count);
                for (int k = 0; k < 20; k++)
                {
                    int slot = acc.Slot(RandomMonomial(random));
                    Assert.True(acc.IsZero(slot) || acc.Value(slot) != 0);
                    acc.Add(slot, [(ulong)random.NextInt64(1, long.MaxValue)], random.Next(2) == 0);
                }
            }
            inner.Release();
            outer.Release();
            // Whatever comes back next starts at zero in every slot it hands out.
            var again = IntegerAccumulator.Rent(1 + random.Next(4), 2);
            for (int k = 0; k < 20; k++) Assert.True(again.IsZero(again.Slot(RandomMonomial(random))));
            again.Release();
        }
    }

    [Theory]
    [InlineData(4, 6, 60)]
    [InlineData(5, 20, 200)]
    public void The_bit_sum_on_the_limbs_equals_the_rational_terms(int seed, int terms, int bits)
    {
        var random = new Random(seed);
        for (int round = 0; round < 20; round++)
        {
            var a = Poly.FromExpr(Random(random, terms, bits, atoms: round % 2 == 0));
            var b = Poly.FromExpr(Random(random, 1 + random.Next(terms), bits, atoms: false));
            var compact = Compact(a, b).Integers!;
            long expected = 0;
            foreach (var (_, c) in (a * b).Terms) expected += c.BitLength;
            Assert.Equal(expected, compact.SumConstantBits);
        }
    }
}
