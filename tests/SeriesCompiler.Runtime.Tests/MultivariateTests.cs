using SeriesCompiler.Runtime.Differentiation;
using Xunit;

namespace SeriesCompiler.Runtime.Tests;

public sealed class MultivariateTests
{
    // g(z) = sin(z0) z1^3 exp(z2): separable, so every mixed partial is a product of 1-D derivatives.
    private readonly struct Separable : IJetFunction
    {
        public Jet Evaluate(ReadOnlySpan<Jet> z) => Jet.Sin(z[0]) * Jet.Pow(z[1], 3) * Jet.Exp(z[2]);

        public static double Partial(ReadOnlySpan<double> z, ReadOnlySpan<int> a)
        {
            double[] sinCycle = [Math.Sin(z[0]), Math.Cos(z[0]), -Math.Sin(z[0]), -Math.Cos(z[0])];
            double s = sinCycle[a[0] % 4];
            double c = a[1] switch
            {
                0 => Math.Pow(z[1], 3),
                1 => 3 * z[1] * z[1],
                2 => 6 * z[1],
                3 => 6,
                _ => 0,
            };
            return s * c * Math.Exp(z[2]);
        }
    }

    private static readonly double[] Z = [0.4, -1.3, 0.25];

    [Fact]
    public void Directional_derivatives_of_an_exponential_ridge()
    {
        double[] a = [0.3, -0.7, 1.1], v = [1.0, 2.0, -0.5];
        var d = new double[9];
        Derivatives.Directional(z => Jet.Exp(a[0] * z[0] + a[1] * z[1] + a[2] * z[2]), Z, v, 8, d);
        double av = a[0] * v[0] + a[1] * v[1] + a[2] * v[2];
        double f = Math.Exp(a[0] * Z[0] + a[1] * Z[1] + a[2] * Z[2]);
        // D_v^k exp(a.z) = (a.v)^k exp(a.z)
        for (int k = 0; k <= 8; k++) Approx.Equal(Math.Pow(av, k) * f, d[k], 1e-13, what: $"k={k}");
    }

    [Fact]
    public void Pure_partials_along_each_coordinate()
    {
        const int n = 6;
        var d = new double[3 * (n + 1)];
        Derivatives.PurePartials(new Separable(), Z, n, d);
        for (int j = 0; j < 3; j++)
        {
            for (int k = 0; k <= n; k++)
            {
                int[] alpha = [0, 0, 0];
                alpha[j] = k;
                Approx.Equal(Separable.Partial(Z, alpha), d[j * (n + 1) + k], 1e-13, 1e-14, $"j={j} k={k}");
            }
        }
    }

    [Fact]
    public void Mixed_second_partial_by_polarisation()
    {
        var f = new Separable();
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                int[] alpha = [0, 0, 0];
                alpha[i]++;
                alpha[j]++;
                Approx.Equal(Separable.Partial(Z, alpha), Derivatives.MixedSecond(f, Z, i, j), 1e-13, 1e-14, $"({i},{j})");
            }
        }
        // Delegate form: d^2/dz0 dz1 of z0^2 z1^3 = 6 z0 z1^2
        double viaLambda = Derivatives.MixedSecond(z => Jet.Square(z[0]) * Jet.Pow(z[1], 3), [1.5, -2.0], 0, 1);
        Approx.Equal(6 * 1.5 * 4.0, viaLambda, 1e-14);
    }

    [Fact]
    public void Hessian_matches_closed_form()
    {
        var h = new double[9];
        Derivatives.Hessian(new Separable(), Z, h);
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                int[] alpha = [0, 0, 0];
                alpha[i]++;
                alpha[j]++;
                Approx.Equal(Separable.Partial(Z, alpha), h[i * 3 + j], 1e-13, 1e-14, $"H[{i},{j}]");
            }
        }
    }

    [Theory]
    [InlineData(1, 1, 0)]
    [InlineData(2, 1, 0)]
    [InlineData(1, 1, 1)]
    [InlineData(0, 3, 2)]
    [InlineData(2, 2, 1)]
    [InlineData(3, 0, 0)]
    [InlineData(0, 0, 0)]
    [InlineData(3, 2, 1)]
    [InlineData(1, 4, 0)]
    public void Any_mixed_partial_by_interpolation_of_directional_jets(int a0, int a1, int a2)
    {
        int[] alpha = [a0, a1, a2];
        double expected = Separable.Partial(Z, alpha);
        double actual = Derivatives.MixedPartial(new Separable(), Z, alpha);
        double scale = Math.Max(1, Math.Abs(Separable.Partial(Z, [0, 0, 0])));
        Approx.Equal(expected, actual, 1e-11, 1e-11 * scale, $"alpha=({a0},{a1},{a2})");
    }

    [Fact]
    public void Ridge_fast_path_equals_pure_partials()
    {
        double[] a = [0.8, -1.6, 0.3];
        const int n = 8;
        var ridge = new double[3 * (n + 1)];
        var pure = new double[3 * (n + 1)];
        Derivatives.Ridge(Jet.LogSigmoid, a, Z, n, ridge);
        Derivatives.PurePartials(z => Jet.LogSigmoid(a[0] * z[0] + a[1] * z[1] + a[2] * z[2]), Z, n, pure);
        for (int i = 0; i < ridge.Length; i++) Approx.Equal(pure[i], ridge[i], 1e-12, 1e-15, $"i={i}");
    }

    [Fact]
    public void Nested_evaluations_keep_their_inputs()
    {
        // f(z) = z0 * (d/dy exp(y z1) at y = 1, computed inside f) = z0 z1 e^{z1}
        static Jet F(ReadOnlySpan<Jet> z)
        {
            double[] d = new double[2];
            double z1 = z[1].Value;
            Derivatives.Directional(w => Jet.Exp(w[0] * z1), [1.0], [1.0], 1, d);
            return z[0] * d[1] + z[1] * 0.0;
        }
        var r = new double[2];
        Derivatives.Directional(F, [2.0, 0.5], [1.0, 0.0], 1, r);
        Approx.Equal(2.0 * 0.5 * Math.Exp(0.5), r[0], 1e-15);
        Approx.Equal(0.5 * Math.Exp(0.5), r[1], 1e-15);
    }
}
