using CsCheck;
using SeriesCompiler.Runtime.Differentiation;
using Xunit;

namespace SeriesCompiler.Runtime.Tests;

/// <summary>Algebraic identities of the series algebra, on random jets (random coefficients, not just variables).</summary>
public sealed class JetPropertyTests
{
    private const int Order = 12;
    private const long Iterations = 300;

    // A random jet: c_0 in [lo, hi], higher coefficients in [-0.5, 0.5].
    private static readonly Gen<double[]> Coefficients = Gen.Double[-0.5, 0.5].Array[Order + 1];

    private static Jet Make(JetArena arena, double[] c, double c0)
    {
        var j = arena.FromCoefficients(c);
        return j + (c0 - j.Value);
    }

    private static void AssertJet(ReadOnlySpan<double> expected, Jet actual, double tolerance, string what)
    {
        var a = actual.Coefficients;
        for (int k = 0; k < expected.Length; k++)
        {
            double scale = Math.Max(1, Math.Abs(expected[k]));
            if (!(Math.Abs(expected[k] - a[k]) <= tolerance * scale))
                Assert.Fail($"{what}: coefficient {k}: expected {expected[k]:R}, got {a[k]:R}");
        }
    }

    private static double[] Unit(double c0)
    {
        var u = new double[Order + 1];
        u[0] = c0;
        return u;
    }

    [Fact]
    public void Exp_of_log_is_identity()
    {
        Gen.Select(Gen.Double[0.5, 10], Coefficients).Sample((x0, c) =>
        {
            var arena = new JetArena(Order);
            var x = Make(arena, c, x0);
            AssertJet(x.Coefficients, Jet.Exp(Jet.Log(x)), 1e-10, "exp(log x)");
            AssertJet(x.Coefficients, Jet.Log(Jet.Exp(x)), 1e-10, "log(exp x)");
        }, iter: Iterations);
    }

    [Fact]
    public void Sin_squared_plus_cos_squared_is_one()
    {
        Gen.Select(Gen.Double[-4, 4], Coefficients).Sample((x0, c) =>
        {
            var arena = new JetArena(Order);
            var x = Make(arena, c, x0);
            var (s, co) = Jet.SinCos(x);
            AssertJet(Unit(1), s * s + co * co, 1e-11, "sin^2 + cos^2");
            AssertJet(Unit(1), Jet.Square(Jet.Cosh(x)) - Jet.Square(Jet.Sinh(x)), 1e-9, "cosh^2 - sinh^2");
        }, iter: Iterations);
    }

    [Fact]
    public void Multiplication_and_division_are_inverse()
    {
        Gen.Select(Gen.Double[-3, 3], Coefficients, Gen.Double[0.5, 3], Coefficients).Sample((a0, ca, b0, cb) =>
        {
            var arena = new JetArena(Order);
            var a = Make(arena, ca, a0);
            var b = Make(arena, cb, b0);
            AssertJet(a.Coefficients, a * b / b, 1e-9, "(a b)/b");
            AssertJet(Unit(1), b * Jet.Reciprocal(b), 1e-9, "b (1/b)");
            AssertJet(Jet.Square(b).Coefficients, b * b, 1e-12, "square");
        }, iter: Iterations);
    }

    [Fact]
    public void Powers_roots_and_inverse_functions_round_trip()
    {
        Gen.Select(Gen.Double[0.5, 4], Coefficients, Gen.Double[-2.5, 2.5]).Sample((x0, c, r) =>
        {
            var arena = new JetArena(Order);
            var x = Make(arena, c, x0);
            AssertJet(x.Coefficients, Jet.Square(Jet.Sqrt(x)), 1e-9, "sqrt(x)^2");
            AssertJet(Unit(1), Jet.Pow(x, r) * Jet.Pow(x, -r), 1e-8, "x^r x^-r");
            AssertJet(Jet.Pow(x, 3).Coefficients, x * x * x, 1e-10, "x^3");
            AssertJet(Jet.Pow(x, r).Coefficients, Jet.Pow(x, x.Const(r)), 1e-8, "x^r via exp/log");
            var t = x - x0; // small argument keeps tan/atan in range
            AssertJet(t.Coefficients, Jet.Tan(Jet.Atan(t)), 1e-9, "tan(atan t)");
            AssertJet(t.Coefficients, Jet.Log1p(Jet.Exp(t) - 1), 1e-9, "log1p(exp t - 1)");
        }, iter: Iterations);
    }

    [Fact]
    public void Logistic_identities_hold()
    {
        Gen.Select(Gen.Double[-20, 20], Coefficients).Sample((x0, c) =>
        {
            var arena = new JetArena(Order);
            var x = Make(arena, c, x0);
            // softplus(x) - softplus(-x) = x
            AssertJet(x.Coefficients, Jet.Softplus(x) - Jet.Softplus(-x), 1e-9, "softplus");
            // sigmoid = exp(log sigmoid); sigmoid(x) + sigmoid(-x) = 1
            AssertJet(Jet.Sigmoid(x).Coefficients, Jet.Exp(Jet.LogSigmoid(x)), 1e-9, "exp(log sigmoid)");
            AssertJet(Unit(1), Jet.Sigmoid(x) + Jet.Sigmoid(-x), 1e-9, "sigmoid symmetry");
            // tanh(x/2) = 2 sigmoid(x) - 1
            AssertJet(Jet.Tanh(x / 2).Coefficients, 2 * Jet.Sigmoid(x) - 1, 1e-9, "tanh vs sigmoid");
        }, iter: Iterations);
    }

    [Fact]
    public void LogGamma_satisfies_the_recurrence()
    {
        Gen.Select(Gen.Double[0.2, 20], Coefficients).Sample((x0, c) =>
        {
            var arena = new JetArena(Order);
            var x = Make(arena, c, x0);
            // lgamma(x + 1) = lgamma(x) + log(x)
            AssertJet(Jet.LogGamma(x + 1).Coefficients, Jet.LogGamma(x) + Jet.Log(x), 1e-9, "lgamma recurrence");
        }, iter: 100);
    }
}
