using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using Xunit;
using F = SeriesCompiler.Runtime.Functions.FunctionExpression;

namespace SeriesCompiler.Runtime.Tests.Estimation;

/// <summary>The objectives and the expression interpreter: every way of giving f yields the same derivatives.</summary>
public sealed class ObjectiveTests
{
    private static readonly F Z = F.Variable(0);

    // exp(-z) sin(2z) + log1p(z^2)/(1 + z) - 3^z + log_sigmoid(z/2): a little of everything the interpreter does.
    private static readonly F Mixed =
        F.Apply(ElementaryFunction.Exp, -Z) * F.Apply(ElementaryFunction.Sin, 2.0 * Z)
        + F.Apply(ElementaryFunction.Log1p, F.Pow(Z, 2.0)) / (1.0 + Z)
        - F.Pow(3.0, Z)
        + F.Apply(ElementaryFunction.LogSigmoid, Z / 2.0);

    private static Jet MixedJet(Jet z) =>
        Jet.Exp(-z) * Jet.Sin(2 * z) + Jet.Log1p(Jet.Square(z)) / (1 + z) - Jet.Exp(z * Math.Log(3)) + Jet.LogSigmoid(z / 2);

    [Fact]
    public void The_interpreter_gives_the_jets_of_the_expression()
    {
        var program = FunctionProgram.Compile(Mixed);
        Span<double> expected = stackalloc double[9];
        Span<double> actual = stackalloc double[9];
        foreach (double z in new[] { -0.7, 0.3, 2.5 })
        {
            Derivatives.OfScalar(MixedJet, z, 8, expected);
            Derivatives.OfScalar(x => program.Evaluate([x]), z, 8, actual);
            for (int k = 0; k <= 8; k++) Approx.Equal(expected[k], actual[k], 1e-12, 1e-12, $"f^({k})({z})");
            Approx.Equal(expected[0], program.Evaluate([z]), 1e-14, 1e-14, "value");
        }
    }

    [Theory]
    [InlineData("exp(-z)", -1.0, 0.0)]
    [InlineData("2*exp(3*z - 1)", 3.0, -0.30685281944005466)]
    [InlineData("exp(z)/4", 1.0, -1.3862943611198906)]
    [InlineData("exp(z)^2", 2.0, 0.0)]
    [InlineData("3^z", 1.0986122886681098, 0.0)]
    public void Exponential_forms_are_recognised(string what, double tau, double shift)
    {
        var e = what switch
        {
            "exp(-z)" => F.Apply(ElementaryFunction.Exp, -Z),
            "2*exp(3*z - 1)" => 2.0 * F.Apply(ElementaryFunction.Exp, 3.0 * Z - 1.0),
            "exp(z)/4" => F.Apply(ElementaryFunction.Exp, Z) / 4.0,
            "exp(z)^2" => F.Pow(F.Apply(ElementaryFunction.Exp, Z), 2.0),
            _ => F.Pow(3.0, Z),
        };
        Assert.True(e.TryGetExponential(out double t, out double d), what);
        Assert.Equal(tau, t, 14);
        Assert.Equal(shift, d, 14);
    }

    [Fact]
    public void Other_forms_are_not_exponential()
    {
        Assert.False(F.Apply(ElementaryFunction.Exp, Z * Z).TryGetExponential(out _, out _));
        Assert.False((F.Apply(ElementaryFunction.Exp, Z) + 1.0).TryGetExponential(out _, out _));
        Assert.False((-F.Apply(ElementaryFunction.Exp, Z)).TryGetExponential(out _, out _));
        Assert.False(F.Apply(ElementaryFunction.Exp, F.Variable(1)).TryGetExponential(out _, out _));
    }

    [Fact]
    public void A_ridge_function_matches_the_general_path()
    {
        double[] a = [0.5, -1.5, 2.0];
        double[] z = [0.3, 0.1, -0.2];
        var ridge = Objective.Ridge(Jet.LogSigmoid, a, bias: 0.25);
        var general = Objective.Of((ReadOnlySpan<Jet> x) => Jet.LogSigmoid(x[0] * a[0] + x[1] * a[1] + x[2] * a[2] + 0.25), arity: 3);
        var r = new double[3 * 7];
        var g = new double[3 * 7];
        ridge.PurePartials(z, 6, r);
        general.PurePartials(z, 6, g);
        for (int i = 0; i < r.Length; i++) Approx.Equal(g[i], r[i], 1e-11, 1e-13, $"pure partial {i}");
        Approx.Equal(general.Partial(z, [2, 1, 0]), ridge.Partial(z, [2, 1, 0]), 1e-9, 1e-12, "d^3/dz0^2 dz1");
        Approx.Equal(general.Value(z), ridge.Value(z), 1e-15, 0, "value");
        Approx.Equal(general.CoordinateSlice(z, 1, 4.0) - general.CoordinateSlice(z, 1, -1.0),
            ridge.CoordinateSlice(z, 1, 4.0) - ridge.CoordinateSlice(z, 1, -1.0), 1e-14, 1e-14, "slice difference");
    }

    [Fact]
    public void Blocks_of_an_expression_are_independent_copies()
    {
        // (z1 - z2)^2 over blocks of two: the mixed partial inside a block is -2, across blocks 0.
        var body = F.Pow(F.Variable(0) - F.Variable(1), 2.0);
        var f = new ExpressionObjective(body, 2);
        double[] z = [1, 2, 3, 5];
        Assert.Equal(1 + 4, f.Value(z), 14);
        Assert.Equal(-2, f.Partial(z, [1, 1, 0, 0]), 10);
        Assert.Equal(0, f.Partial(z, [1, 0, 1, 0]));
        Assert.Equal(2, f.Partial(z, [0, 0, 0, 2]), 10);
        var stencil = new ExpressionObjective(body, 2, DerivativeMode.Stencil);
        Assert.Equal(-2, stencil.Partial(z, [1, 1, 0, 0]), 6);
        Assert.True(f.SupportsJets);
        Assert.False(stencil.SupportsJets);
    }

    [Fact]
    public void Tensor_stencils_give_mixed_partials_of_black_boxes()
    {
        var f = Objective.Numeric(z => Math.Exp(z[0] * z[1]) + Math.Sin(z[1]), 2);
        double[] z = [0.3, 0.8];
        // d^2/dz0 dz1 exp(z0 z1) = (1 + z0 z1) exp(z0 z1); d^3/dz0^2 dz1 = (2 z1 + z0 z1^2) exp(z0 z1)
        Approx.Equal((1 + 0.24) * Math.Exp(0.24), f.Partial(z, [1, 1]), 1e-8, 0, "f_xy");
        Approx.Equal((2 * 0.8 + 0.3 * 0.64) * Math.Exp(0.24), f.Partial(z, [2, 1]), 1e-5, 0, "f_xxy");
    }
}
