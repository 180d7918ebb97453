using System.Numerics;
using System.Runtime.InteropServices;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Series;
using Xunit;
using static SeriesCompiler.Tests.Symbolic.SymbolicTestHelpers;
using static SeriesCompiler.Tests.Symbolic.HighOrderSeriesTests;

namespace SeriesCompiler.Tests.Symbolic;

/// <summary>
/// Session 8's leaner series engine (issue 15): a sum's coefficient held by one scaled term keeps its cancelled numerator
/// and scale apart, one-sum integer cancellation runs in limbs, and the limb store packs each magnitude at its own length.
/// Values are checked against independent oracles (Eulerian numbers, BigInteger arithmetic), and the limb cancellation
/// against the dictionary path it replaces.
/// </summary>
public sealed class LeanEngineS8sTests
{
    private static readonly Symbol T = Ex.Sym("t", SymbolKind.Variable);

    /// <summary>K = r log(1 - p) - r log(1 - p e^t), as the negative binomial writes it (a sum: the ring's sum path).</summary>
    private static Expr NegativeBinomialK(Symbol r, Symbol p) =>
        Ex.Sub(Ex.Mul(r, Ex.Log(Ex.Sub(Ex.One, p))), Ex.Mul(r, Ex.Log(Ex.Sub(Ex.One, Ex.Mul(p, Ex.Exp(T))))));

    [Fact]
    public void Negative_binomial_sum_matches_the_Eulerian_closed_form_and_its_r_derivative_at_order_48()
    {
        var r = P("r");
        var p = P("p");
        const int order = 48;
        var series = new SeriesExpander(T).Expand(NegativeBinomialK(r, p), order);
        Assert.True(series[0].IsZero);
        var rv = new Rational(5, 2);
        var pv = new Rational(2, 7);
        var point = new Dictionary<Symbol, Expr> { [r] = Ex.Num(rv), [p] = Ex.Num(pv) };
        var dr = series.DerivativeOfCoefficients(r);
        for (int n = 1; n <= order; n++)
        {
            // c_n = r Li_{1-n}(p) / n! = r p A_{n-1}(p) / ((1 - p)^n n!), and d c_n / dr = c_n / r.
            var perR = MinusLogOneMinusPExpCoefficient(n, pv);
            Assert.Equal(rv * perR, ValueAt(series[n], point));
            Assert.Equal(perR, ValueAt(dr[n], point));
        }
    }

    [Fact]
    public void Limb_cancellation_gives_the_expressions_of_the_sparse_dictionary_path()
    {
        var r = P("r");
        var p = P("p");
        const int order = 32;
        var dense = new SeriesExpander(T).Expand(NegativeBinomialK(r, p), order);
        bool before = Poly.DenseOff;
        Poly.DenseOff = true; // CancelDenominators takes the general path with SparseHorner: no limbs in the lift
        try
        {
            var sparse = new SeriesExpander(T).Expand(NegativeBinomialK(r, p), order);
            for (int n = 0; n <= order; n++)
            {
                Assert.Equal(sparse[n], dense[n]);
                Assert.Equal(sparse.DerivativeOfCoefficients(p)[n], dense.DerivativeOfCoefficients(p)[n]);
            }
        }
        finally { Poly.DenseOff = before; }
    }

    [Fact]
    public void Packed_limbs_read_back_every_size_and_sign()
    {
        // Two's-complement entries of width 3: zero (dropped), +-1, +-2^64 (one more limb as a magnitude), -2^128,
        // 2^191 - 1 (the largest positive), and a mixed value; each must read back as the integer it encodes.
        const int width = 3;
        var values = new[]
        {
            BigInteger.Zero, BigInteger.One, BigInteger.MinusOne, BigInteger.One << 64, -(BigInteger.One << 64),
            -(BigInteger.One << 128), (BigInteger.One << 191) - 1, -BigInteger.Parse("123456789012345678901234567890"),
        };
        var table = new ulong[values.Length * width];
        var monomials = new Monomial[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            var bytes = MemoryMarshal.AsBytes(table.AsSpan(i * width, width));
            bytes.Fill(values[i].Sign < 0 ? (byte)0xFF : (byte)0);
            Assert.True(values[i].TryWriteBytes(bytes, out _, isUnsigned: false, isBigEndian: false));
            monomials[i] = Monomial.Atom(1000 + i, 1);
        }
        var terms = IntegerTerms.FromTwosComplement(monomials, table, width);
        Assert.Equal(values.Length - 1, terms.Count); // the zero entry is dropped
        long maxBits = 0, maxConstantBits = 0;
        for (int i = 1; i < values.Length; i++)
        {
            Assert.Equal(monomials[i], terms.Monomials[i - 1]);
            Assert.Equal(values[i], terms.Value(i - 1));
            Assert.Equal((long)BigInteger.Abs(values[i]).GetBitLength(), BitsOf(terms.Magnitude(i - 1)));
            // No top zero limb: the packed magnitude is exactly as long as it needs.
            Assert.NotEqual(0UL, terms.Magnitude(i - 1)[^1]);
            maxBits = Math.Max(maxBits, (long)BigInteger.Abs(values[i]).GetBitLength());
            maxConstantBits = Math.Max(maxConstantBits, new GaussianRational(values[i], Rational.Zero).BitLength);
        }
        Assert.Equal(maxBits, terms.MaxBits);
        Assert.Equal(maxConstantBits, terms.MaxConstantBits);

        // The dictionary's route into limbs packs the same way.
        var map = new Dictionary<Monomial, GaussianRational>();
        for (int i = 1; i < values.Length; i++) map[monomials[i]] = new GaussianRational(values[i], Rational.Zero);
        var viaMap = IntegerTerms.Of(map)!;
        for (int i = 0; i < viaMap.Count; i++) Assert.Equal(values[i + 1], viaMap.Value(i));
    }

    [Fact]
    public void Recurrence_weights_past_64_bits_give_the_Fubini_and_Bell_numbers_at_order_90()
    {
        // 1/(2 - e^t) = sum a_n t^n/n! (Fubini: a_n = sum_{k=1..n} C(n,k) a_{n-k}) and exp(e^t - 1) = sum B_n t^n/n! (Bell,
        // from the Bell triangle): the division's and exp's binomial weights exceed 64 bits past n = 66.
        const int order = 90;
        var fubini = new SeriesExpander(T).Expand(Ex.Pow(Ex.Sub(Ex.Num(2), Ex.Exp(T)), Ex.MinusOne), order);
        var bell = new SeriesExpander(T).Expand(Ex.Exp(Ex.Sub(Ex.Exp(T), Ex.One)), order);
        var a = new BigInteger[order + 1];
        a[0] = 1;
        for (int n = 1; n <= order; n++)
        {
            BigInteger sum = 0, c = 1;
            for (int k = 1; k <= n; k++) { c = c * (n - k + 1) / k; sum += c * a[n - k]; }
            a[n] = sum;
        }
        var bellNumbers = new BigInteger[order + 1];
        var row = new List<BigInteger> { 1 };
        bellNumbers[0] = 1;
        for (int n = 1; n <= order; n++)
        {
            var next = new List<BigInteger> { row[^1] };
            foreach (var x in row) next.Add(next[^1] + x);
            row = next;
            bellNumbers[n] = row[0];
        }
        var factorial = BigInteger.One;
        for (int n = 0; n <= order; n++)
        {
            if (n > 1) factorial *= n;
            Assert.Equal(Ex.Num(new Rational(a[n], factorial)), fubini[n]);
            Assert.Equal(Ex.Num(new Rational(bellNumbers[n], factorial)), bell[n]);
        }
    }

    private static long BitsOf(ReadOnlySpan<ulong> magnitude) =>
        64L * (magnitude.Length - 1) + (64 - BitOperations.LeadingZeroCount(magnitude[^1]));
}
