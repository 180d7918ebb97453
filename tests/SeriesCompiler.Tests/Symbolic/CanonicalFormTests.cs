using CsCheck;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Expressions;
using Xunit;
using static SeriesCompiler.Tests.Symbolic.SymbolicTestHelpers;

namespace SeriesCompiler.Tests.Symbolic;

/// <summary>The canonical form kept by <see cref="Ex"/>, exact numbers, and printing that parses back.</summary>
public sealed class CanonicalFormTests
{
    private static readonly Symbol A = P("a"), B = P("b"), X = P("x");

    [Fact]
    public void Difference_of_squares_identity_is_zero()
    {
        var e = Ex.Add(Ex.Mul(Ex.Add(A, B), Ex.Sub(A, B)), Ex.Neg(Ex.Pow(A, 2)), Ex.Pow(B, 2));
        Assert.Same(Ex.Zero, e);
        Assert.True(e.IsZero);
    }

    [Fact]
    public void Binomial_expansion_identity_is_zero()
    {
        var lhs = Ex.Pow(Ex.Add(A, B), 3);
        var rhs = Ex.Add(Ex.Pow(A, 3), Ex.Mul(Ex.Num(3), Ex.Pow(A, 2), B), Ex.Mul(Ex.Num(3), A, Ex.Pow(B, 2)), Ex.Pow(B, 3));
        Assert.Equal(rhs, lhs);
        Assert.True(Ex.Sub(lhs, rhs).IsZero);
    }

    [Fact]
    public void Powers_of_the_same_base_merge()
    {
        Assert.Same(Ex.One, Ex.Mul(X, Ex.Pow(X, -1)));
        Assert.Same(Ex.One, Ex.Div(X, X));
        Assert.Same(Ex.One, Ex.Mul(Ex.Add(A, B), Ex.Pow(Ex.Add(B, A), -1)));
        Assert.Equal(Ex.Pow(X, -1), Ex.Mul(Ex.Pow(X, 2), Ex.Pow(X, -3)));
        Assert.Equal(Ex.Pow(X, Ex.Add(A, B)), Ex.Mul(Ex.Pow(X, A), Ex.Pow(X, B)));
        Assert.Equal(X, Ex.Pow(Ex.Sqrt(X), 2));
        Assert.Equal(Ex.Num(2), Ex.Mul(Ex.Sqrt(Ex.Num(2)), Ex.Sqrt(Ex.Num(2))));
        Assert.Equal(Ex.Num(2), Ex.Sqrt(Ex.Num(4)));
        Assert.Equal(Q(2, 3), Ex.Pow(Q(8, 27), Ex.Num(new Rational(1, 3))));
        Assert.Same(Ex.One, Ex.Mul(Ex.Exp(A), Ex.Exp(Ex.Neg(A))));
        Assert.Equal(Ex.Exp(Ex.Mul(Ex.Num(2), A)), Ex.Pow(Ex.Exp(A), 2));
        Assert.Equal(A, Ex.Log(Ex.Exp(A)));
        Assert.Equal(A, Ex.Exp(Ex.Log(A)));
    }

    [Fact]
    public void Order_of_operands_does_not_matter_and_equal_nodes_are_shared()
    {
        Expr ab = Ex.Add(A, B), ba = Ex.Add(B, A);
        Assert.Equal(ab, ba);
        Assert.Same(ab, ba);
        Assert.Equal(ab.GetHashCode(), ba.GetHashCode());
        Expr pab = Ex.Mul(A, B), pba = Ex.Mul(B, A);
        Assert.Same(pab, pba);
        Assert.Equal(pab.GetHashCode(), pba.GetHashCode());
        Assert.Same(Ex.Sin(Ex.Add(A, Ex.Mul(Ex.Num(2), B))), Ex.Sin(Ex.Add(Ex.Mul(B, Ex.Num(2)), A)));
        Assert.NotEqual(Ex.Sub(A, B), Ex.Sub(B, A));
    }

    /// <summary>Any permutation of the same terms and factors gives the same node.</summary>
    [Fact]
    public void Sums_and_products_are_independent_of_operand_order() =>
        Gen.Int[0, 1000].Array[6].SampleFixed(keys =>
        {
            Expr[] atoms = [A, B, X, Ex.Sin(A), Ex.Pow(B, 2), Ex.Exp(X), Ex.Num(3), Ex.Log(Ex.Add(A, Ex.One))];
            var terms = keys.Select((k, i) => Ex.Mul(Ex.Num(1 + k % 4), atoms[(k + i) % atoms.Length])).ToArray();
            var shuffled = terms.Zip(keys).OrderBy(p => p.Second).Select(p => p.First).ToArray();
            Assert.Same(Ex.Add(terms), Ex.Add(shuffled));
            Assert.Same(Ex.Mul(terms), Ex.Mul(shuffled));
            // pairwise folding in either direction agrees with the n-ary constructor
            Assert.Same(Ex.Add(terms), terms.Aggregate(Ex.Add));
            Assert.Same(Ex.Mul(terms), shuffled.Reverse().Aggregate(Ex.Mul));
            Assert.Equal(Ex.Add(terms).GetHashCode(), Ex.Add(shuffled).GetHashCode());
        }, iterations: 100, print: k => string.Join(",", k));

    /// <summary>Negative powers of sums are normalised so that equal denominators are recognised.</summary>
    [Fact]
    public void Reciprocals_of_scaled_sums_share_one_normal_form()
    {
        var aMinusB = Ex.Sub(A, B);
        var twoAMinusTwoB = Ex.Sub(Ex.Mul(Ex.Num(2), A), Ex.Mul(Ex.Num(2), B));
        Assert.Equal(Ex.Mul(Ex.Half, Ex.Pow(aMinusB, -1)), Ex.Div(Ex.One, twoAMinusTwoB));
        Assert.Equal(Ex.Mul(Ex.MinusOne, Ex.Pow(aMinusB, -1)), Ex.Div(Ex.One, Ex.Sub(B, A)));
        Assert.Equal(Ex.Neg(Ex.Div(Ex.One, aMinusB)), Ex.Div(Ex.One, Ex.Sub(B, A)));
        Assert.Equal(Ex.Mul(Q(-1, 6), Ex.Pow(aMinusB, -2)), Ex.Mul(Q(-2, 3), Ex.Pow(twoAMinusTwoB, -2)));
        Assert.Same(Ex.One, Ex.Mul(Ex.Pow(twoAMinusTwoB, -1), twoAMinusTwoB));
        Assert.Same(Ex.One, Ex.Mul(aMinusB, Ex.Pow(aMinusB, -1)));
        Assert.Same(Ex.Zero, Ex.Add(Ex.Div(Ex.One, Ex.Sub(B, A)), Ex.Div(Ex.One, aMinusB)));
        Assert.Equal("1/(2*(a - b))", ExprPrinter.ToSource(Ex.Div(Ex.One, twoAMinusTwoB)));
    }

    /// <summary>x/x = 1 for a sum x whose first term has a coefficient other than 1, in either order of the factors.</summary>
    [Fact]
    public void Scaled_sum_over_itself_is_one_in_either_order()
    {
        var x = Ex.Sub(Ex.Mul(Ex.Num(2), A), Ex.Mul(Ex.Num(2), B));
        Assert.Same(Ex.One, Ex.Mul(x, Ex.Pow(x, -1)));
        Assert.Same(Ex.One, Ex.Div(x, x));
        Assert.Same(Ex.Mul(x, Ex.Pow(x, -1)), Ex.Mul(Ex.Pow(x, -1), x));
    }

    /// <summary>(b - a)/(a - b) = -1: the numerator is the negated normal form of the denominator.</summary>
    [Fact]
    public void Quotient_of_opposite_differences_is_minus_one()
    {
        Assert.Equal(Ex.MinusOne, Ex.Div(Ex.Sub(B, A), Ex.Sub(A, B)));
        Assert.Equal(Ex.Num(-2), Ex.Div(Ex.Sub(Ex.Mul(Ex.Num(2), B), Ex.Mul(Ex.Num(2), A)), Ex.Sub(A, B)));
    }

    /// <summary>1/(a + b)^2 and (a + b)^-2 are the same value and must be the same node.</summary>
    [Fact(Skip = "bug: Ex.Div(1, Ex.Pow(a + b, 2)) expands the square first and gives (a^2 + 2*a*b + b^2)^-1, while Ex.Pow(a + b, -2) gives (a + b)^-2: two canonical forms of one value, so '1/(a + b)^2' printed by ToSource parses back to a different expression")]
    public void Reciprocal_of_a_squared_sum_has_one_canonical_form()
    {
        var s = Ex.Add(A, B);
        Assert.Equal(Ex.Pow(s, -2), Ex.Div(Ex.One, Ex.Pow(s, 2)));
        Assert.Equal(Ex.Pow(s, -2), Ex.Pow(Ex.Pow(s, 2), -1));
        Assert.Same(Ex.Zero, Ex.Sub(Ex.Div(Ex.One, Ex.Pow(s, 2)), Ex.Pow(s, -2)));
        Assert.Equal(Ex.Mul(Q(-1, 6), Ex.Pow(Ex.Sub(A, B), -2)), Ex.Div(Q(-2, 3), Ex.Pow(Ex.Sub(Ex.Mul(Ex.Num(2), A), Ex.Mul(Ex.Num(2), B)), 2)));
        Assert.Equal(Ex.Pow(s, -2), Reparse(ExprPrinter.ToSource(Ex.Pow(s, -2))));
    }

    [Theory]
    [InlineData("0.49", 49, 100)]
    [InlineData("2.5E+2", 250, 1)]
    [InlineData("2.5e2", 250, 1)]
    [InlineData("1e-3", 1, 1000)]
    [InlineData("1E3", 1000, 1)]
    [InlineData("2", 2, 1)]
    [InlineData("0", 0, 1)]
    [InlineData("007.50", 15, 2)]
    [InlineData("3.", 3, 1)]
    [InlineData("1.25e-1", 1, 8)]
    [InlineData("1e1000", 0, 0)] // checked below: exactly 10^1000
    public void Decimal_literals_parse_exactly(string text, long numerator, long denominator)
    {
        Assert.True(Rational.TryParseDecimal(text, 1000, out var value), text);
        var expected = denominator == 0 ? (Rational)System.Numerics.BigInteger.Pow(10, 1000) : new Rational(numerator, denominator);
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("1e1001")]
    [InlineData("1e-1001")]
    [InlineData("1e99999")]
    [InlineData("1e")]
    [InlineData("e3")]
    [InlineData("1.2.3")]
    [InlineData("")]
    [InlineData("1e+")]
    public void Malformed_or_out_of_range_literals_are_refused(string text) =>
        Assert.False(Rational.TryParseDecimal(text, 1000, out _), text);

    [Fact]
    public void Rationals_are_normalised()
    {
        Assert.Equal(new Rational(-1, 2), new Rational(2, -4));
        Assert.Equal(new Rational(-1, 2).GetHashCode(), new Rational(3, -6).GetHashCode());
        Assert.Equal(Rational.Zero, default);
        Assert.Equal(System.Numerics.BigInteger.One, default(Rational).Denominator);
        Assert.Equal(Rational.Zero, new Rational(0, -7));
        Assert.Equal("-1/2", new Rational(2, -4).ToString());
        Assert.Equal(new Rational(1, 6), new Rational(1, 2) - new Rational(1, 3));
        Assert.Equal(new Rational(8, 27), new Rational(3, 2).Pow(-3));
        Assert.Throws<DivideByZeroException>(() => new Rational(1, 0));
        Assert.Equal(0.49, new Rational(49, 100).ToDouble());
        Assert.Equal(1.0 / 3, new Rational(System.Numerics.BigInteger.Pow(10, 400), 3 * System.Numerics.BigInteger.Pow(10, 400)).ToDouble());
        Assert.Equal(-0.75, new Rational(-3, 4).ToDouble());
        Assert.Equal(0.0, Rational.Zero.ToDouble());
    }

    /// <summary>ToDouble promises the nearest double: for a decimal literal that is what double.Parse gives.</summary>
    [Theory]
    [InlineData("0.1")]
    [InlineData("1e-300")]
    [InlineData("1e300")]
    [InlineData("123456789.123456789")]
    public void ToDouble_is_the_nearest_double(string literal)
    {
        Assert.True(Rational.TryParseDecimal(literal, 1000, out var r));
        Assert.Equal(double.Parse(literal, System.Globalization.CultureInfo.InvariantCulture), r.ToDouble());
    }

    /// <summary>Common literals and a subnormal one.</summary>
    [Theory]
    [InlineData("0.3")]
    [InlineData("0.49")]
    [InlineData("0.7")]
    [InlineData("1.7")]
    [InlineData("2.5E+2")]
    [InlineData("1e-320")]
    public void ToDouble_of_common_literals(string literal)
    {
        Assert.True(Rational.TryParseDecimal(literal, 1000, out var r));
        Assert.Equal(double.Parse(literal, System.Globalization.CultureInfo.InvariantCulture), r.ToDouble());
    }

    [Fact]
    public void Gaussian_rationals()
    {
        var i = GaussianRational.I;
        Assert.Equal(new GaussianRational(-1, 0), i * i);
        Assert.Equal(new GaussianRational(new Rational(1, 2), new Rational(-1, 2)), GaussianRational.One / new GaussianRational(1, 1));
        Assert.Equal(GaussianRational.One, i.Pow(4));
        Assert.Equal(new GaussianRational(0, -1), i.Pow(-1));
        Assert.Same(Ex.MinusOne, Ex.Mul(Ex.I, Ex.I));
        Assert.True(Ex.Mul(Ex.I, A).ContainsImaginary());
        Assert.False(Ex.Mul(Ex.I, Ex.I, A).ContainsImaginary());
    }

    // ---- printing -------------------------------------------------------------------------------

    /// <summary>Binds <paramref name="source"/> as the body of a cgf in parameters a, b, x, y and returns the bound expression.</summary>
    private static Expr Reparse(string source)
    {
        var text = $"distribution RoundTrip(a, b, x, y) {{\n    support real\n    cgf(t) = {source}\n}}\n";
        var ws = Workspace.Create([new SourceText("roundtrip.dist", text)]);
        Assert.True(ws.Diagnostics.Count == 0, source + Environment.NewLine + Format(ws.Diagnostics));
        return Assert.IsAssignableFrom<Expr>(Assert.Single(ws.Distributions).Characteristic);
    }

    public static TheoryData<string> PrintedExamples()
    {
        Symbol t = Ex.Sym("t", SymbolKind.Variable), y = P("y");
        Expr[] examples =
        [
            Ex.Sub(A, B),
            Ex.Div(Ex.One, Ex.Sub(Ex.Mul(Ex.Num(2), A), Ex.Mul(Ex.Num(2), B))),
            Ex.Mul(Q(-2, 3), Ex.Pow(A, -1)),
            Ex.Neg(Ex.Pow(X, 2)),
            Ex.Pow(Ex.Neg(A), B),
            Ex.Pow(A, Ex.Neg(B)),
            Ex.Pow(A, Ex.Add(B, Ex.One)),
            Ex.Pow(A, Ex.Pow(B, 2)),
            Ex.Pow(Ex.Pow(A, -1), B),
            Ex.Pow(Ex.Num(2), Ex.Num(new Rational(-1, 2))),
            Ex.Pow(Q(2, 3), Ex.Half),
            Ex.Pow(Q(1, 3), A),
            Ex.Pow(Ex.Num(-2), Ex.Num(new Rational(1, 3))),
            Ex.Pow(Ex.Add(A, B), 65),
            Ex.Div(Ex.Mul(Ex.Num(3), A), Ex.Mul(Ex.Num(4), Ex.Pow(B, 2), Ex.Sqrt(X))),
            Ex.Pow(Ex.Add(Ex.One, Ex.Pow(X, 2)), Ex.Num(new Rational(-3, 2))),
            Ex.Add(Ex.Mul(A, t), Ex.Mul(Ex.Half, Ex.Pow(B, 2), Ex.Pow(t, 2))),
            Ex.Mul(Ex.Neg(A), Ex.Log(Ex.Sub(Ex.One, Ex.Mul(B, t)))),
            Ex.Mul(Ex.Pi, Ex.Pow(A, 2), Q(1, 6)),
            Ex.Add(Ex.LogGamma(Ex.Add(A, t)), Ex.Neg(Ex.LogGamma(A))),
            Ex.Mul(Q(1, 2), Ex.Polygamma(1, A)),
            Ex.Digamma(Ex.Mul(Ex.Num(2), A)),
            Ex.Add(Ex.Sin(A), Ex.Cos(B), Ex.Tan(X), Ex.Sinh(y), Ex.Cosh(A), Ex.Tanh(B), Ex.Atan(X)),
            Ex.Exp(Ex.Neg(Ex.Div(Ex.Pow(Ex.Sub(X, A), 2), Ex.Mul(Ex.Num(2), Ex.Pow(B, 2))))),
            Ex.Sub(Ex.Num(-5), Ex.Mul(Q(7, 2), A)),
            Ex.Mul(Ex.Num(-1), Ex.Pow(Ex.Add(A, B), -1)),
            Ex.Div(Ex.One, Ex.Mul(A, Ex.Add(A, B))),
            Ex.Polygamma(1, Ex.Num(3)),
        ];
        return new TheoryData<string>(examples.Select(ExprPrinter.ToSource));
    }

    [Theory]
    [MemberData(nameof(PrintedExamples))]
    public void Printed_canonical_expressions_parse_back_to_themselves(string source)
    {
        var once = Reparse(source);
        Assert.Equal(source, ExprPrinter.ToSource(once));
        Assert.Equal(once, Reparse(ExprPrinter.ToSource(once)));
    }

    /// <summary>Printing keeps the value: the printed text, bound again, evaluates to the same number (precedence, signs, fractions).</summary>
    [Fact]
    public void Printed_random_expressions_parse_back_to_the_same_value() =>
        Gen.Select(Gen.Int[0, 10_000].Array[40], Gen.Double[0.3, 1.7], Gen.Double[-1.5, 1.5]).SampleFixed(p =>
        {
            var (code, x, y) = p;
            var e = new RandomExpressions.TreeBuilder(code, X, P("y")).Build(0);
            var back = Reparse(ExprPrinter.ToSource(e));
            var point = new Dictionary<Symbol, double> { [X] = x, [P("y")] = y };
            double expected = ExprEvaluator.Evaluate(e, point);
            RelClose(expected, ExprEvaluator.Evaluate(back, point), 1e-12 * Math.Max(1, Math.Abs(expected)), ExprPrinter.ToSource(e));
        }, iterations: 150, print: p => ExprPrinter.ToSource(new RandomExpressions.TreeBuilder(p.Item1, X, P("y")).Build(0)));

    /// <summary>Printing round-trips exactly: the printed text binds to the very same canonical node.</summary>
    [Fact(Skip = "bug: see Reciprocal_of_a_squared_sum_has_one_canonical_form: a negative power below -1 of a sum prints as 1/(s)^k, which binds to (expanded s^k)^-1, e.g. log(100/(9*(sin(y)^2 + 1)^2) + 1) comes back as log(50/(9*(sin(y)^2 + sin(y)^4/2 + 1/2)) + 1)")]
    public void Printed_random_expressions_parse_back_to_themselves() =>
        Gen.Int[0, 10_000].Array[40].SampleFixed(code =>
        {
            var e = new RandomExpressions.TreeBuilder(code, X, P("y")).Build(0);
            Assert.Equal(e, Reparse(ExprPrinter.ToSource(e)));
        }, iterations: 150, print: code => ExprPrinter.ToSource(new RandomExpressions.TreeBuilder(code, X, P("y")).Build(0)));

    [Fact]
    public void Printing_reads_naturally()
    {
        Assert.Equal("-2/(3*a)", ExprPrinter.ToSource(Ex.Mul(Q(-2, 3), Ex.Pow(A, -1))));
        Assert.Equal("a - b", ExprPrinter.ToSource(Ex.Sub(A, B)));
        Assert.Equal("k*mu + 1", ExprPrinter.ToSource(Ex.Add(Ex.One, Ex.Mul(P("k"), P("mu")))));
        Assert.Equal("sqrt(a)", ExprPrinter.ToSource(Ex.Sqrt(A)));
        Assert.Equal("1/sqrt(2)", ExprPrinter.ToSource(Ex.Pow(Ex.Num(2), Ex.Num(new Rational(-1, 2)))));
        Assert.Equal("digamma(k)", ExprPrinter.ToSource(Ex.Digamma(P("k"))));
        Assert.Equal("-euler_gamma", ExprPrinter.ToSource(Ex.Digamma(Ex.One)));
    }

    [Fact]
    public void Latex_of_typical_coefficients()
    {
        Symbol mu = P("mu"), s1 = P("s1"), k = P("k");
        Assert.Equal("\\frac{k \\mu^{2}}{2}", ExprPrinter.ToLatex(Ex.Mul(Ex.Half, k, Ex.Pow(mu, 2))));
        Assert.Equal("\\rho s_{1}", ExprPrinter.ToLatex(Ex.Mul(P("rho"), s1)));
        Assert.Equal("\\psi^{(2)}\\left(k\\right)", ExprPrinter.ToLatex(Ex.Polygamma(2, k)));
        Assert.Equal("\\sqrt{k}", ExprPrinter.ToLatex(Ex.Sqrt(k)));
        Assert.Equal("-\\gamma_E", ExprPrinter.ToLatex(Ex.Neg(Ex.EulerGamma)));
    }
}
