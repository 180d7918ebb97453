using SeriesCompiler.Runtime.Differentiation;
using Xunit;

namespace SeriesCompiler.Runtime.Tests;

public sealed class JetTests
{
    private const int N = 32;

    private static double[] Derivs(Func<Jet, Jet> f, double z, int n = N)
    {
        var d = new double[n + 1];
        Derivatives.OfScalar(f, z, n, d);
        return d;
    }

    private static double Factorial(int k)
    {
        double f = 1;
        for (int i = 2; i <= k; i++) f *= i;
        return f;
    }

    [Fact]
    public void Exp_of_2x_gives_powers_of_two()
    {
        double z = 0.7;
        var d = Derivs(x => Jet.Exp(2 * x), z);
        for (int k = 0; k <= N; k++) Approx.Equal(Math.Pow(2, k) * Math.Exp(2 * z), d[k], 1e-13, what: $"k={k}");
    }

    [Fact]
    public void Log_matches_closed_form()
    {
        double z = 1.7;
        var d = Derivs(Jet.Log, z);
        Approx.Equal(Math.Log(z), d[0], 1e-15);
        // d^k/dx^k log x = (-1)^(k-1) (k-1)! / x^k
        for (int k = 1; k <= N; k++)
            Approx.Equal((k % 2 == 1 ? 1 : -1) * Factorial(k - 1) / Math.Pow(z, k), d[k], 1e-13, what: $"k={k}");
    }

    [Fact]
    public void Sin_and_cos_cycle_with_period_four()
    {
        double z = 0.4;
        var s = Derivs(Jet.Sin, z);
        var c = Derivs(Jet.Cos, z);
        for (int k = 0; k <= N; k++)
        {
            // sin^(k)(x) = sin(x + k pi/2), cos^(k)(x) = cos(x + k pi/2)
            double[] sinCycle = [Math.Sin(z), Math.Cos(z), -Math.Sin(z), -Math.Cos(z)];
            double[] cosCycle = [Math.Cos(z), -Math.Sin(z), -Math.Cos(z), Math.Sin(z)];
            Approx.Equal(sinCycle[k % 4], s[k], 1e-13, 1e-15, $"sin k={k}");
            Approx.Equal(cosCycle[k % 4], c[k], 1e-13, 1e-15, $"cos k={k}");
        }
    }

    [Fact]
    public void Reciprocal_of_one_plus_x()
    {
        double z = 0.3;
        var a = Derivs(x => 1.0 / (1 + x), z);
        var b = Derivs(x => Jet.Reciprocal(x + 1), z);
        var c = Derivs(x => x.Const(1) / (x + 1), z);
        var p = Derivs(x => Jet.Pow(x + 1, -1), z);
        for (int k = 0; k <= N; k++)
        {
            // d^k/dx^k 1/(1+x) = (-1)^k k! / (1+x)^(k+1)
            double expected = (k % 2 == 0 ? 1 : -1) * Factorial(k) / Math.Pow(1 + z, k + 1);
            Approx.Equal(expected, a[k], 1e-13, what: $"scalar/jet k={k}");
            Approx.Equal(expected, b[k], 1e-13, what: $"reciprocal k={k}");
            Approx.Equal(expected, c[k], 1e-13, what: $"jet/jet k={k}");
            Approx.Equal(expected, p[k], 1e-13, what: $"pow -1 k={k}");
        }
    }

    [Theory]
    [InlineData(2.5)]
    [InlineData(-0.75)]
    [InlineData(0.5)]
    [InlineData(3.0)]
    [InlineData(-4.0)]
    public void Real_power_matches_falling_factorial(double r)
    {
        double z = 1.3;
        var d = Derivs(x => Jet.Pow(x, r), z);
        double falling = 1;
        for (int k = 0; k <= N; k++)
        {
            // d^k/dx^k x^r = r (r-1) ... (r-k+1) x^(r-k)
            Approx.Equal(falling * Math.Pow(z, r - k), d[k], 1e-12, 1e-300, $"r={r} k={k}");
            falling *= r - k;
        }
    }

    [Fact]
    public void Integer_power_at_zero_is_exact()
    {
        var d = Derivs(x => Jet.Pow(x, 3), 0.0, 6);
        Assert.Equal([0, 0, 0, 6, 0, 0, 0], d);
        var e = Derivs(x => Jet.Pow(x, 3.0), 0.0, 6);
        Assert.Equal(d, e);
        var zero = Derivs(x => Jet.Pow(x, 0), 0.0, 3);
        Assert.Equal([1, 0, 0, 0], zero);
    }

    [Fact]
    public void Sqrt_matches_half_power_and_is_nan_above_zero_at_the_origin()
    {
        var a = Derivs(Jet.Sqrt, 2.2);
        var b = Derivs(x => Jet.Pow(x, 0.5), 2.2);
        for (int k = 0; k <= N; k++) Approx.Equal(b[k], a[k], 1e-12, 1e-300, $"k={k}");
        var c = Derivs(Jet.Sqrt, 0.0, 3);
        Assert.Equal(0.0, c[0]);
        Assert.True(double.IsNaN(c[1]));
    }

    [Fact]
    public void Hyperbolic_functions_match_closed_forms()
    {
        double z = -0.8;
        var s = Derivs(Jet.Sinh, z);
        var c = Derivs(Jet.Cosh, z);
        for (int k = 0; k <= N; k++)
        {
            Approx.Equal(k % 2 == 0 ? Math.Sinh(z) : Math.Cosh(z), s[k], 1e-13, what: $"sinh k={k}");
            Approx.Equal(k % 2 == 0 ? Math.Cosh(z) : Math.Sinh(z), c[k], 1e-13, what: $"cosh k={k}");
        }
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(1.2)]
    [InlineData(-2.0)]
    public void Tan_tanh_atan_agree_with_quotients_and_known_derivatives(double z)
    {
        var tan = Derivs(Jet.Tan, z, 20);
        var sinOverCos = Derivs(x => Jet.Sin(x) / Jet.Cos(x), z, 20);
        var tanh = Derivs(Jet.Tanh, z, 20);
        var sinhOverCosh = Derivs(x => Jet.Sinh(x) / Jet.Cosh(x), z, 20);
        for (int k = 0; k <= 20; k++)
        {
            Approx.Equal(sinOverCos[k], tan[k], 1e-11, 1e-12, $"tan k={k}");
            Approx.Equal(sinhOverCosh[k], tanh[k], 1e-11, 1e-12, $"tanh k={k}");
        }
        // atan' = 1/(1+x^2): the jet of atan shifted by one equals the jet of 1/(1+x^2).
        var atan = Derivs(Jet.Atan, z, 21);
        var inner = Derivs(x => 1.0 / (1 + x * x), z, 20);
        Approx.Equal(Math.Atan(z), atan[0], 1e-15);
        for (int k = 0; k <= 20; k++) Approx.Equal(inner[k], atan[k + 1], 1e-12, 1e-12, $"atan k={k + 1}");
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(-5.0)]
    [InlineData(40.0)]
    [InlineData(-40.0)]
    public void Logistic_family_is_consistent_and_stable(double z)
    {
        const int n = 12;
        var sig = Derivs(Jet.Sigmoid, z, n);
        var sp = Derivs(Jet.Softplus, z, n + 1);
        var ls = Derivs(Jet.LogSigmoid, z, n + 1);
        var spNeg = Derivs(x => -Jet.Softplus(-x), z, n + 1);
        // Exact low orders: s' = s(1-s) = s(x) s(-x), s'' = s'(1 - 2s) = -s' tanh(x/2)
        double s = 1 / (1 + Math.Exp(-z)), sMinus = 1 / (1 + Math.Exp(z));
        Approx.Equal(s, sig[0], 1e-15);
        Approx.Equal(s * sMinus, sig[1], 1e-14);
        Approx.Equal(-s * sMinus * Math.Tanh(z / 2), sig[2], 1e-13);
        // softplus' = sigmoid, log sigmoid = -softplus(-x)
        for (int k = 0; k <= n; k++)
        {
            Approx.Equal(sig[k], sp[k + 1], 1e-12, 1e-300, $"softplus k={k + 1}");
            Approx.Equal(spNeg[k], ls[k], 1e-12, 1e-300, $"logsigmoid k={k}");
        }
        // log sigmoid(x) = log(1/(1+e^-x)) where that is representable
        if (Math.Abs(z) < 30) Approx.Equal(Math.Log(1 / (1 + Math.Exp(-z))), ls[0], 1e-14);
        // ... and -e^-x for large x, x - e^x for very negative x (first terms of -log1p(e^-x), x - log1p(e^x)):
        if (Math.Abs(z) > 30) Approx.Equal(z > 0 ? -Math.Exp(-z) : z - Math.Exp(z), ls[0], 1e-12);
        // Where sigmoid is available in closed form, compare higher orders with the quotient route.
        if (Math.Abs(z) < 10)
        {
            var quotient = Derivs(x => 1.0 / (1 + Jet.Exp(-x)), z, n);
            for (int k = 0; k <= n; k++) Approx.Equal(quotient[k], sig[k], 1e-11, 1e-13, $"sigmoid k={k}");
        }
    }

    [Fact]
    public void Log1p_is_accurate_for_tiny_arguments()
    {
        double z = 1e-10;
        var d = Derivs(Jet.Log1p, z, 8);
        Approx.Equal(9.9999999995e-11, d[0], 1e-15); // x - x^2/2
        for (int k = 1; k <= 8; k++)
            Approx.Equal((k % 2 == 1 ? 1 : -1) * Factorial(k - 1) / Math.Pow(1 + z, k), d[k], 1e-14, what: $"k={k}");
    }

    [Fact]
    public void LogGamma_derivatives_are_polygammas_with_chain_rule()
    {
        double z = 0.85;
        // lgamma(2x): d^k/dx^k = 2^k psi^(k-1)(2x)
        var d = Derivs(x => Jet.LogGamma(2 * x), z, 12);
        Approx.Equal(MathNet.Numerics.SpecialFunctions.GammaLn(2 * z), d[0], 1e-14);
        for (int k = 1; k <= 12; k++)
            Approx.Equal(Math.Pow(2, k) * Special.SpecialFunctions.Polygamma(k - 1, 2 * z), d[k], 1e-12, what: $"k={k}");
        // Independent check of the first two orders against MathNet: digamma and a finite difference.
        Approx.Equal(2 * MathNet.Numerics.SpecialFunctions.DiGamma(2 * z), d[1], 1e-13);
        var fd = new double[3];
        Derivatives.FromStencil(x => MathNet.Numerics.SpecialFunctions.GammaLn(2 * x), z, 2, fd, accuracy: 8);
        Approx.Equal(fd[2], d[2], 1e-8);
    }

    [Fact]
    public void LogGamma_at_a_pole_is_infinite_with_undefined_derivatives()
    {
        var d = Derivs(Jet.LogGamma, -2.0, 3);
        Assert.Equal(double.PositiveInfinity, d[0]);
        Assert.True(double.IsNaN(d[1]));
        // Between poles the reflection applies: d/dx log|Gamma(x)| = psi(x).
        var e = Derivs(Jet.LogGamma, -2.5, 2);
        Approx.Equal(Special.SpecialFunctions.Digamma(-2.5), e[1], 1e-14);
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => Derivs(Jet.Exp, 0, 171)).ParamName);
    }

    [Fact]
    public void Abs_uses_the_sign_and_is_one_sided_at_zero()
    {
        var neg = Derivs(x => Jet.Abs(x * x * x), -2.0, 4);
        Assert.Equal([8, -12, 12, -6, 0], neg);
        // |x - 0| with x = 0 + t: the t -> 0+ expansion, slope +1
        var atZero = Derivs(Jet.Abs, 0.0, 2);
        Assert.Equal([0, 1, 0], atZero);
        var atZeroNeg = Derivs(x => Jet.Abs(-x), 0.0, 2);
        Assert.Equal([0, 1, 0], atZeroNeg);
    }

    [Fact]
    public void Composite_function_matches_high_accuracy_finite_differences()
    {
        static Jet F(Jet x) => Jet.Exp(Jet.Sin(x)) * Jet.Log1p(x * x) / Jet.Sqrt(1 + x) + Jet.Pow(Jet.Tanh(x), 3) - Jet.Atan(x / 3);
        static double G(double x) => Math.Exp(Math.Sin(x)) * Math.Log(1 + x * x) / Math.Sqrt(1 + x) + Math.Pow(Math.Tanh(x), 3) - Math.Atan(x / 3);
        double z = 0.65;
        var jet = Derivs(F, z, 4);
        var fd = new double[5];
        Derivatives.FromStencil(G, z, 4, fd, accuracy: 8);
        Approx.Equal(G(z), jet[0], 1e-14);
        double[] tolerance = [0, 1e-11, 1e-9, 1e-7, 1e-6];
        for (int k = 1; k <= 4; k++) Approx.Equal(fd[k], jet[k], tolerance[k], 1e-9, $"k={k}");
    }

    [Fact]
    public void High_orders_are_consistent_under_a_taylor_shift()
    {
        // f^(k)(z + h) = sum_j f^(k+j)(z) h^j / j!: the jet at z predicts the jet at z + h, which
        // exercises every coefficient up to order 32 (radius of convergence ~1.5, h = 0.15).
        static Jet F(Jet x) => Jet.Exp(Jet.Cos(x)) / (2 + Jet.Sin(3 * x)) + Jet.LogSigmoid(2 * x) * Jet.Sqrt(x + 2);
        double z = 0.2, h = 0.15;
        var at = Derivs(F, z);
        var shifted = Derivs(F, z + h);
        for (int k = 0; k <= 4; k++)
        {
            double predicted = 0, term = 1;
            for (int j = 0; k + j <= N; j++)
            {
                predicted += at[k + j] * term;
                term *= h / (j + 1);
            }
            Approx.Equal(shifted[k], predicted, 1e-9, 1e-9, $"k={k}");
        }
    }

    [Fact]
    public void Compose_applies_a_function_known_by_its_derivatives()
    {
        // exp composed by its Taylor coefficients e^{x0}/k! must equal Jet.Exp.
        double z = 0.4;
        var viaCompose = new double[9];
        Derivatives.OfScalar(x =>
        {
            Span<double> g = stackalloc double[9];
            for (int k = 0; k < 9; k++) g[k] = Math.Exp((x * x).Value) / Factorial(k);
            return Jet.Compose(x * x, g);
        }, z, 8, viaCompose);
        var direct = Derivs(x => Jet.Exp(x * x), z, 8);
        for (int k = 0; k <= 8; k++) Approx.Equal(direct[k], viaCompose[k], 1e-13, what: $"k={k}");
    }

    [Fact]
    public void Arena_grows_and_releases()
    {
        var arena = new JetArena(order: 5, initialSlots: 1);
        var x = arena.Variable(0.5);
        var y = x;
        for (int i = 0; i < 100; i++) y = Jet.Sin(y) + x; // forces several growths
        double value = y.Value;
        Assert.True(arena.Capacity >= arena.Count);
        var mark = arena.Mark();
        _ = Jet.Exp(y);
        arena.Release(mark);
        Assert.Equal(mark, arena.Mark());
        Assert.Equal(value, y.Value);
        Assert.Equal(5, y.Order);
        Assert.Throws<InvalidOperationException>(() => x + new JetArena(5).Variable(1));
    }

    [Fact]
    public void Jets_combine_with_generic_math_operators()
    {
        static T Poly<T>(T x) where T : System.Numerics.IMultiplyOperators<T, T, T>, System.Numerics.IAdditionOperators<T, T, T>
            => x * x * x + x;
        var arena = new JetArena(3);
        var y = Poly(arena.Variable(2.0));
        Assert.Equal(Poly(2.0), y.Value);
        Assert.Equal(13.0, y.Derivative(1)); // 3x^2 + 1
        Assert.Equal(12.0, y.Derivative(2)); // 6x
        Assert.Equal(6.0, y.Derivative(3));
    }
}
