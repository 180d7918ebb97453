using CsCheck;
using SeriesCompiler.Symbolic.Calculus;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Series;
using Xunit;
using static SeriesCompiler.Tests.Symbolic.SymbolicTestHelpers;

namespace SeriesCompiler.Tests.Symbolic;

/// <summary>
/// Property tests of the truncated-series algebra on random series with small rational coefficients and with
/// symbolic coefficients (polynomials in two symbols x, y). Every property compares canonical forms exactly.
/// Generators run from a fixed seed for a fixed number of iterations (<see cref="SymbolicTestHelpers.SampleFixed"/>).
/// </summary>
public sealed class SeriesPropertyTests
{
    private static readonly Symbol X = P("x");
    private static readonly Symbol Y = P("y");
    private static readonly Symbol T = Ex.Sym("t", SymbolKind.Variable);

    private static readonly Gen<Rational> SmallRational =
        Gen.Select(Gen.Int[-4, 4], Gen.Int[1, 3], (n, d) => new Rational(n, d));

    private static readonly Gen<Rational> NonZeroRational =
        Gen.Select(Gen.Int[1, 4], Gen.Int[1, 3], Gen.Bool, (n, d, negative) => new Rational(negative ? -n : n, d));

    /// <summary>r + i x + j x y + k y^2: a small polynomial in two symbols.</summary>
    private static readonly Gen<Expr> SymbolicCoefficient =
        Gen.Select(SmallRational, Gen.Int[-2, 2], Gen.Int[-1, 1], Gen.Int[-1, 1],
            (r, i, j, k) => Ex.Add(Ex.Num(r), Ex.Mul(Ex.Num(i), X), Ex.Mul(Ex.Num(j), X, Y), Ex.Mul(Ex.Num(k), Ex.Pow(Y, 2))));

    private static readonly Gen<Expr> RationalCoefficient = SmallRational.Select(r => Ex.Num(r));

    /// <summary>Coefficient generator: rational two times in three, symbolic otherwise.</summary>
    private static readonly Gen<Expr> Coefficient = Gen.Frequency((2, RationalCoefficient), (1, SymbolicCoefficient));

    /// <summary>A series of order 1..6 whose constant term is <paramref name="constant"/> (or random where null).</summary>
    private static Gen<TruncatedSeries> Series(Gen<Expr> constant, Gen<Expr>? coefficient = null) =>
        Gen.Select(Gen.Int[1, 6], constant, (order, c0) => (order, c0))
           .SelectMany(p => (coefficient ?? Coefficient).Array[p.order].Select(rest => new TruncatedSeries([p.c0, .. rest])));

    private static readonly Gen<TruncatedSeries> UnitSeries = Series(Gen.Const<Expr>(Ex.One));
    private static readonly Gen<TruncatedSeries> NilpotentSeries = Series(Gen.Const<Expr>(Ex.Zero));
    private static readonly Gen<TruncatedSeries> InvertibleSeries = Series(NonZeroRational.Select(r => Ex.Num(r)));
    private static readonly Gen<TruncatedSeries> AnySeries = Series(Coefficient);

    private static string Show(TruncatedSeries s) => "[" + string.Join("; ", Enumerable.Range(0, s.Order + 1).Select(n => ExprPrinter.ToSource(s[n]))) + "]";

    private static void SameSeries(TruncatedSeries expected, TruncatedSeries actual)
    {
        Assert.True(expected.Order == actual.Order, $"orders differ: {expected.Order} vs {actual.Order}");
        for (int n = 0; n <= expected.Order; n++)
            Assert.True(expected[n].Equals(actual[n]), $"coefficient {n}: expected {expected[n]}, actual {actual[n]}\nexpected {Show(expected)}\nactual   {Show(actual)}");
    }

    private static TruncatedSeries One(int order) => TruncatedSeries.Constant(Ex.One, order);

    [Fact]
    public void Exp_of_log_is_identity_for_unit_constant_term() =>
        UnitSeries.SampleFixed(s => SameSeries(s, s.Log().Exp()), iterations: 150, print: Show);

    [Fact]
    public void Log_of_exp_is_identity_for_zero_constant_term() =>
        NilpotentSeries.SampleFixed(s => SameSeries(s, s.Exp().Log()), iterations: 150, print: Show);

    [Fact]
    public void Series_times_its_reciprocal_is_one() =>
        InvertibleSeries.SampleFixed(s =>
        {
            SameSeries(One(s.Order), s * TruncatedSeries.Divide(One(s.Order), s));
            SameSeries(One(s.Order), s * s.Pow(Ex.MinusOne));
            SameSeries(TruncatedSeries.Divide(One(s.Order), s), s.Pow(Ex.MinusOne));
        }, iterations: 150, print: Show);

    [Fact]
    public void Quotient_times_divisor_is_dividend() =>
        Gen.Select(AnySeries, InvertibleSeries).SampleFixed(p =>
        {
            var (a, c) = p;
            int order = Math.Min(a.Order, c.Order);
            SameSeries(a.Truncate(order), TruncatedSeries.Divide(a, c) * c);
        }, iterations: 100, print: p => Show(p.Item1) + " / " + Show(p.Item2));

    [Fact]
    public void Power_of_power_multiplies_rational_exponents() =>
        Gen.Select(UnitSeries, SmallRational, SmallRational).SampleFixed(p =>
        {
            var (s, a, b) = p;
            SameSeries(s.Pow(Ex.Num(a * b)), s.Pow(Ex.Num(a)).Pow(Ex.Num(b)));
        }, iterations: 150, print: p => $"{Show(p.Item1)} ^ {p.Item2} ^ {p.Item3}");

    [Fact]
    public void Integer_power_is_repeated_multiplication() =>
        Gen.Select(InvertibleSeries, Gen.Int[0, 4]).SampleFixed(p =>
        {
            var (s, n) = p;
            var product = One(s.Order);
            for (int k = 0; k < n; k++) product *= s;
            SameSeries(product, s.Pow(Ex.Num(n)));
        }, iterations: 100, print: p => $"{Show(p.Item1)} ^ {p.Item2}");

    [Fact]
    public void Symbolic_exponent_power_agrees_with_exp_of_alpha_log() =>
        UnitSeries.SampleFixed(s =>
        {
            var alpha = Ex.Add(X, Ex.Half);
            SameSeries(s.Log().Scale(alpha).Exp(), s.Pow(alpha));
        }, iterations: 60, print: Show);

    [Fact]
    public void Exp_turns_sums_into_products() =>
        Gen.Select(NilpotentSeries, NilpotentSeries).SampleFixed(p =>
        {
            var (a, b) = p;
            SameSeries((a + b).Exp(), a.Exp() * b.Exp());
        }, iterations: 100, print: p => Show(p.Item1) + ", " + Show(p.Item2));

    [Fact]
    public void Sine_squared_plus_cosine_squared_is_one() =>
        Gen.Select(NilpotentSeries, Gen.Bool).SampleFixed(p =>
        {
            var (s, hyperbolic) = p;
            var (sin, cos) = s.SinCos(hyperbolic);
            SameSeries(One(s.Order), hyperbolic ? cos * cos - sin * sin : sin * sin + cos * cos);
        }, iterations: 100, print: p => Show(p.Item1) + (p.Item2 ? " (hyperbolic)" : ""));

    [Fact]
    public void Exp_satisfies_its_differential_equation() =>
        AnySeries.SampleFixed(s =>
        {
            var e = s.Exp();
            SameSeries(e.Differentiate(), s.Differentiate() * e.Truncate(s.Order - 1));
        }, iterations: 100, print: Show);

    [Fact]
    public void Compose_with_the_derivatives_of_exp_is_exp() =>
        AnySeries.SampleFixed(s => SameSeries(s.Exp(), s.Compose(_ => Ex.Exp(s[0]))), iterations: 100, print: Show);

    [Fact]
    public void Integrate_then_differentiate_is_identity() =>
        Gen.Select(AnySeries, Coefficient).SampleFixed(p =>
        {
            var (s, c) = p;
            var integral = s.Integrate(c);
            Assert.Equal(s.Order + 1, integral.Order);
            Assert.Equal(c, integral[0]);
            SameSeries(s, integral.Differentiate());
        }, iterations: 100, print: p => Show(p.Item1));

    [Fact]
    public void Valuation_counts_leading_zero_coefficients() =>
        Gen.Select(InvertibleSeries, Gen.Int[0, 3]).SampleFixed(p =>
        {
            var (s, q) = p;
            var shifted = s.ShiftUp(q, s.Order + q);
            Assert.Equal(q, shifted.Valuation);
            SameSeries(s, shifted.ShiftDown(q));
            SameSeries(s.ShiftUp(q, s.Order), Power(TruncatedSeries.Variable(s.Order), q) * s);
        }, iterations: 60, print: p => $"{Show(p.Item1)} * t^{p.Item2}");

    private static TruncatedSeries Power(TruncatedSeries s, int n)
    {
        var r = One(s.Order);
        for (int k = 0; k < n; k++) r *= s;
        return r;
    }

    // ---- the series of f' is the derivative of the series of f -------------------------------------

    /// <summary>u(t) = sum_{k=1..d} u_k t^k, a polynomial expression in t with zero constant term.</summary>
    private static Gen<Expr> PolynomialIn(Gen<Expr> coefficient) =>
        Gen.Int[1, 3].SelectMany(d => coefficient.Array[d]).Select(cs =>
            Ex.Add(cs.Select((c, k) => Ex.Mul(c, Ex.Pow(T, k + 1))).ToArray()));

    /// <summary>Coefficients that are single monomials r x^i y^j: their reciprocals are monomials too.</summary>
    private static readonly Gen<Expr> MonomialCoefficient =
        Gen.Select(NonZeroRational, Gen.Int[0, 2], Gen.Int[0, 1], (r, i, j) => Ex.Mul(Ex.Num(r), Ex.Pow(X, i), Ex.Pow(Y, j)));

    private static readonly Gen<Expr> Polynomial = PolynomialIn(Gen.Frequency((2, RationalCoefficient), (1, MonomialCoefficient)));
    private static readonly Gen<Expr> PolynomialWithSumCoefficients = PolynomialIn(Coefficient);

    public enum Outer { Exp, Log1p, Sin, Cos, Atan, Tan, Sinh, Tanh, LogGamma, Digamma, Sqrt1p, Recip1p }

    private static Expr Apply(Outer f, Expr u) => f switch
    {
        Outer.Exp => Ex.Exp(u),
        Outer.Log1p => Ex.Log(Ex.Add(Ex.One, u)),
        Outer.Sin => Ex.Sin(u),
        Outer.Cos => Ex.Cos(u),
        Outer.Atan => Ex.Atan(u),
        Outer.Tan => Ex.Tan(u),
        Outer.Sinh => Ex.Sinh(u),
        Outer.Tanh => Ex.Tanh(u),
        Outer.LogGamma => Ex.LogGamma(Ex.Add(P("k"), u)),
        Outer.Digamma => Ex.Digamma(Ex.Add(Ex.Num(2), u)),
        Outer.Sqrt1p => Ex.Sqrt(Ex.Add(Ex.One, u)),
        Outer.Recip1p => Ex.Pow(Ex.Add(Ex.Num(3), u), Ex.MinusOne),
        _ => throw new ArgumentOutOfRangeException(nameof(f)),
    };

    [Theory]
    [InlineData(Outer.Exp)]
    [InlineData(Outer.Log1p)]
    [InlineData(Outer.Sin)]
    [InlineData(Outer.Cos)]
    [InlineData(Outer.Atan)]
    [InlineData(Outer.Tan)]
    [InlineData(Outer.Sinh)]
    [InlineData(Outer.Tanh)]
    [InlineData(Outer.LogGamma)]
    [InlineData(Outer.Digamma)]
    [InlineData(Outer.Sqrt1p)]
    [InlineData(Outer.Recip1p)]
    public void Series_of_derivative_is_derivative_of_series(Outer f) =>
        Gen.Select(Polynomial, Gen.Int[2, 6]).SampleFixed(p =>
        {
            var (u, order) = p;
            var e = Apply(f, u);
            var seriesOfF = new SeriesExpander(T).Expand(e, order);
            var seriesOfDerivative = new SeriesExpander(T).Expand(Derivative.Of(e, T), order - 1);
            SameSeries(seriesOfDerivative, seriesOfF.Differentiate());
        }, iterations: 40, print: p => $"{f}({p.Item1}) to order {p.Item2}");

    /// <summary>With coefficients that are sums (x - y^2 + x y - 2) the two series must still have the same values.</summary>
    [Theory]
    [InlineData(Outer.Exp)]
    [InlineData(Outer.Log1p)]
    [InlineData(Outer.Sin)]
    [InlineData(Outer.Cos)]
    [InlineData(Outer.Atan)]
    [InlineData(Outer.Tan)]
    [InlineData(Outer.Sinh)]
    [InlineData(Outer.Tanh)]
    [InlineData(Outer.LogGamma)]
    [InlineData(Outer.Digamma)]
    [InlineData(Outer.Sqrt1p)]
    [InlineData(Outer.Recip1p)]
    public void Series_of_derivative_has_the_values_of_the_derivative_of_series(Outer f) =>
        Gen.Select(PolynomialWithSumCoefficients, Gen.Int[2, 5], Gen.Double[0.2, 0.9], Gen.Double[-0.9, 0.9]).SampleFixed(p =>
        {
            var (u, order, x, y) = p;
            var e = Apply(f, u);
            var seriesOfF = new SeriesExpander(T).Expand(e, order).Differentiate();
            var seriesOfDerivative = new SeriesExpander(T).Expand(Derivative.Of(e, T), order - 1);
            var point = new Dictionary<Symbol, double> { [X] = x, [Y] = y, [P("k")] = 1.7 };
            for (int n = 0; n < order; n++)
            {
                double expected = ExprEvaluator.Evaluate(seriesOfDerivative[n], point);
                RelClose(expected, ExprEvaluator.Evaluate(seriesOfF[n], point), 1e-9 * Math.Max(1, Math.Abs(expected)), $"coefficient {n}");
            }
        }, iterations: 30, print: p => $"{f}({p.Item1}) to order {p.Item2} at x = {p.Item3:R}, y = {p.Item4:R}");

    /// <summary>... and the same canonical form where the series' leading coefficient is a sum (tan(u)^2 in (tan u)' = (1 + tan(u)^2) u').</summary>
    [Theory]
    [InlineData(Outer.Tan)]
    [InlineData(Outer.Tanh)]
    public void Series_of_derivative_is_derivative_of_series_with_sum_coefficients(Outer f) =>
        Gen.Select(PolynomialWithSumCoefficients, Gen.Int[2, 6]).SampleFixed(p =>
        {
            var (u, order) = p;
            var e = Apply(f, u);
            SameSeries(new SeriesExpander(T).Expand(Derivative.Of(e, T), order - 1), new SeriesExpander(T).Expand(e, order).Differentiate());
        }, iterations: 40, print: p => $"{f}({p.Item1}) to order {p.Item2}");

    /// <summary>The expander agrees with the series algebra it is built from.</summary>
    [Fact]
    public void Expander_of_exp_of_polynomial_is_exp_of_its_series() =>
        Gen.Select(Polynomial, Gen.Int[1, 6]).SampleFixed(p =>
        {
            var (u, order) = p;
            var su = new SeriesExpander(T).Expand(u, order);
            SameSeries(su.Exp(), new SeriesExpander(T).Expand(Ex.Exp(u), order));
            SameSeries(su.SinCos(false).Sin, new SeriesExpander(T).Expand(Ex.Sin(u), order));
        }, iterations: 60, print: p => $"{p.Item1} to order {p.Item2}");

    // ---- symbolic derivatives against finite differences ------------------------------------------

    private static readonly Gen<(Expr Tree, double X, double Y)> RandomTree =
        Gen.Select(Gen.Int[0, 10_000].Array[40], Gen.Double[0.3, 1.7], Gen.Double[-1.5, 1.5],
            (code, x, y) => (new RandomExpressions.TreeBuilder(code, X, Y).Build(0), x, y));

    [Fact]
    public void Symbolic_derivatives_agree_with_central_finite_differences() =>
        RandomTree.SampleFixed(p =>
        {
            var (tree, x0, y0) = p;
            foreach (var (v, at) in new[] { (X, x0), (Y, y0) })
            {
                var derivative = Derivative.Of(tree, v);
                double F(double value) => ExprEvaluator.Evaluate(tree, new Dictionary<Symbol, double> { [X] = v == X ? value : x0, [Y] = v == Y ? value : y0 });
                double symbolic = ExprEvaluator.Evaluate(derivative, new Dictionary<Symbol, double> { [X] = x0, [Y] = y0 });
                // Richardson-extrapolated central difference: error O(h^4).
                const double h = 1e-3;
                double d1 = (F(at + h) - F(at - h)) / (2 * h);
                double d2 = (F(at + h / 2) - F(at - h / 2)) / h;
                double numeric = (4 * d2 - d1) / 3;
                double scale = Math.Max(1, Math.Max(Math.Abs(F(at)), Math.Abs(symbolic)));
                Assert.True(double.IsFinite(symbolic), $"d/d{v.Name} {tree} = {derivative} is not finite at ({x0}, {y0})");
                Assert.True(Math.Abs(numeric - symbolic) <= 1e-6 * scale,
                    $"d/d{v.Name} {tree} at ({x0:R}, {y0:R}): symbolic {derivative} = {symbolic:R}, finite difference {numeric:R}");
            }
        }, iterations: 300, print: p => $"{p.Tree} at ({p.X:R}, {p.Y:R})");
}
