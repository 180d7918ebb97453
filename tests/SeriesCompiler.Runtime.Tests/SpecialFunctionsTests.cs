using SeriesCompiler.Runtime.Special;
using Xunit;

namespace SeriesCompiler.Runtime.Tests;

/// <summary>
/// Reference values were computed independently with mpmath 1.3 at 40 digits
/// (psi, zeta, gammainc(regularized=True) and its numerical derivative mp.diff).
/// </summary>
public sealed class SpecialFunctionsTests
{
    private const double PolygammaTolerance = 1e-14;

    [Theory]
    [InlineData(0, 0.01, -100.5608854578686745)]
    [InlineData(0, 0.3, -3.502524222200132989)]
    [InlineData(0, 1, -0.5772156649015328606)]
    [InlineData(0, 1.4616321449683623, -3.992873041246304399E-17)]
    [InlineData(0, 2.5, 0.7031566406452431872)]
    [InlineData(0, 7.3, 1.917820335637986098)]
    [InlineData(0, 14.9, 2.667428976216042314)]
    [InlineData(0, 30, 3.384438132685524877)]
    [InlineData(0, 123.4, 4.811373775116277373)]
    [InlineData(0, 100000, 11.51292046496189509)]
    [InlineData(1, 0.01, 10001.62121352831322)]
    [InlineData(1, 0.3, 12.24536454610773047)]
    [InlineData(1, 1, 1.644934066848226436)]
    [InlineData(1, 1.4616321449683623, 0.9676722454476212070)]
    [InlineData(1, 2.5, 0.4903577561002348650)]
    [InlineData(1, 7.3, 0.1467957681314270982)]
    [InlineData(1, 14.9, 0.06941658320709578908)]
    [InlineData(1, 30, 0.03389506035773994421)]
    [InlineData(1, 123.4, 0.008136651610865263686)]
    [InlineData(1, 100000, 0.00001000005000016666667)]
    [InlineData(2, 0.01, -2000002.340398677085)]
    [InlineData(2, 0.3, -75.27253658872603067)]
    [InlineData(2, 1, -2.404113806319188571)]
    [InlineData(2, 1.4616321449683623, -0.8855263379671842762)]
    [InlineData(2, 2.5, -0.2362040516417274030)]
    [InlineData(2, 7.3, -0.02151081444162025092)]
    [InlineData(2, 14.9, -0.004816732932829049295)]
    [InlineData(2, 30, -0.001148765203728599844)]
    [InlineData(2, 123.4, -0.00006620473419231094183)]
    [InlineData(2, 100000, -1.000010000050000000E-10)]
    [InlineData(3, 0.01, 600000006.2510618729)]
    [InlineData(3, 0.3, 743.1417646550496674)]
    [InlineData(3, 1, 6.493939402266829149)]
    [InlineData(3, 1.4616321449683623, 1.550998565733906226)]
    [InlineData(3, 2.5, 0.2239058488172520513)]
    [InlineData(3, 7.3, 0.006293158713198489222)]
    [InlineData(3, 14.9, 0.0006681876646206824310)]
    [InlineData(3, 30, 0.00007786003664736129060)]
    [InlineData(3, 123.4, 1.077357827078302145E-6)]
    [InlineData(3, 100000, 2.000030000200000000E-15)]
    [InlineData(5, 0.01, 120000000000115.0675)]
    [InlineData(5, 0.3, 164634.8460992229999)]
    [InlineData(5, 1, 122.0811674381338968)]
    [InlineData(5, 1.4616321449683623, 12.93888608295148604)]
    [InlineData(5, 2.5, 0.5785691785671834846)]
    [InlineData(5, 7.3, 0.001607572122668149672)]
    [InlineData(5, 14.9, 0.00003852949996524475860)]
    [InlineData(5, 30, 1.072699493616162389E-6)]
    [InlineData(5, 123.4, 8.558859331982696985E-10)]
    [InlineData(5, 100000, 2.400060000600000000E-24)]
    [InlineData(10, 0.01, -3.628800000000000000E+28)]
    [InlineData(10, 0.3, -2048468424178.073547)]
    [InlineData(10, 1, -3630593.311606628713)]
    [InlineData(10, 1.4616321449683623, -55973.39051587880028)]
    [InlineData(10, 2.5, -156.2295965932329948)]
    [InlineData(10, 7.3, -0.001561460771504931756)]
    [InlineData(10, 14.9, -9.260637538319010175E-7)]
    [InlineData(10, 30, -7.232051034585708361E-10)]
    [InlineData(10, 123.4, -4.614370262894051719E-16)]
    [InlineData(10, 100000, -3.628981443326399999E-45)]
    [InlineData(20, 0.01, -2.432902008176640000E+60)]
    [InlineData(20, 0.3, -2.325831605264527325E+29)]
    [InlineData(20, 1, -2432903168507861322.0)]
    [InlineData(20, 1.4616321449683623, -840489852041954.3859)]
    [InlineData(20, 2.5, -10709198259.12413246)]
    [InlineData(20, 7.3, -1.938905357762074598)]
    [InlineData(20, 14.9, -7.624197273119452482E-7)]
    [InlineData(20, 30, -4.786085204571763512E-13)]
    [InlineData(20, 123.4, -1.965866350646004074E-25)]
    [InlineData(20, 100000, -1.216572653446307343E-83)]
    [InlineData(32, 0.01, -2.631308369336935302E+101)]
    [InlineData(32, 0.3, -4.733368773075507772E+52)]
    [InlineData(32, 1, -2.631308369643260386E+35)]
    [InlineData(32, 1.4616321449683623, -9.561255734451265445E+29)]
    [InlineData(32, 2.5, -1.941592126611362724E+22)]
    [InlineData(32, 7.3, -8647711.022325466981)]
    [InlineData(32, 14.9, -0.0005758344802336430433)]
    [InlineData(32, 30, -7.228871724731836080E-14)]
    [InlineData(32, 123.4, -1.117113897209875685E-33)]
    [InlineData(32, 100000, -8.224154380723571299E-127)]
    public void Polygamma_matches_mpmath(int m, double x, double expected)
    {
        double actual = SpecialFunctions.Polygamma(m, x);
        if (m == 0 && Math.Abs(x - 1.4616321449683623) < 1e-9)
            Approx.Equal(expected, actual, 0, 1e-15); // root of psi: absolute accuracy only
        else
            Approx.Equal(expected, actual, PolygammaTolerance, 1e-300, $"psi^({m})({x})");
    }

    [Theory]
    [InlineData(0, -0.5, 0.03648997397857652056)]
    [InlineData(0, -2.3, 3.317323157561820123)]
    [InlineData(0, -7.9, -7.540007224419441757)]
    [InlineData(1, -0.5, 8.934802200544679309)]
    [InlineData(1, -2.3, 14.72591216096127928)]
    [InlineData(1, -7.9, 103.2369314000387726)]
    [InlineData(2, -0.5, -0.8287966442343199956)]
    [InlineData(2, -2.3, 68.71379252927016541)]
    [InlineData(2, -7.9, -1998.673782865153319)]
    [InlineData(5, -0.5, 15371.11354860243550)]
    [InlineData(5, -2.3, 165660.0536116521529)]
    [InlineData(5, -7.9, 120000297.9083471526)]
    public void Polygamma_reflects_for_negative_arguments(int m, double x, double expected) =>
        Approx.Equal(expected, SpecialFunctions.Polygamma(m, x), 1e-12, what: $"psi^({m})({x})");

    [Fact]
    public void Polygamma_known_values_at_one()
    {
        Approx.Equal(-0.5772156649015329, SpecialFunctions.Digamma(1), 1e-15);
        Approx.Equal(Math.PI * Math.PI / 6, SpecialFunctions.Trigamma(1), 1e-15);
        Approx.Equal(-2 * 1.2020569031595942854, SpecialFunctions.Polygamma(2, 1), 1e-15);
        Approx.Equal(Math.Pow(Math.PI, 4) / 15, SpecialFunctions.Polygamma(3, 1), 1e-15);
        // psi(1/2) = -gamma - 2 ln 2, psi'(1/2) = pi^2/2
        Approx.Equal(-SpecialFunctions.EulerGamma - 2 * Math.Log(2), SpecialFunctions.Digamma(0.5), 1e-15);
        Approx.Equal(Math.PI * Math.PI / 2, SpecialFunctions.Trigamma(0.5), 1e-15);
        // psi^(m)(1) = (-1)^(m+1) m! zeta(m+1)
        double factorial = 1;
        for (int m = 1; m <= 40; m++)
        {
            factorial *= m;
            double expected = (m % 2 == 1 ? 1 : -1) * factorial * SpecialFunctions.Zeta(m + 1);
            Approx.Equal(expected, SpecialFunctions.Polygamma(m, 1), 1e-14, what: $"m={m}");
        }
    }

    [Fact]
    public void Polygamma_recurrence_holds()
    {
        // psi^(m)(x+1) - psi^(m)(x) = (-1)^m m! / x^(m+1)
        double[] xs = [0.05, 0.7, 3.3, 14.5, 15.5, 40.2];
        for (int m = 0; m <= 12; m++)
        {
            double factorial = 1;
            for (int i = 2; i <= m; i++) factorial *= i;
            foreach (double x in xs)
            {
                double lhs = SpecialFunctions.Polygamma(m, x + 1) - SpecialFunctions.Polygamma(m, x);
                double rhs = (m % 2 == 0 ? 1 : -1) * factorial / Math.Pow(x, m + 1);
                double scale = Math.Abs(SpecialFunctions.Polygamma(m, x)) + Math.Abs(rhs);
                Approx.Equal(rhs, lhs, 0, 4e-15 * scale, $"m={m} x={x}");
            }
        }
    }

    [Fact]
    public void Polygammas_in_one_pass_equal_single_evaluations_and_mathnet_digamma()
    {
        Span<double> all = stackalloc double[33];
        foreach (double x in new[] { 0.3, 2.0, 17.0, 250.0 })
        {
            SpecialFunctions.Polygammas(x, all);
            for (int m = 0; m <= 32; m++) Approx.Equal(SpecialFunctions.Polygamma(m, x), all[m], 1e-14, 1e-300, $"m={m}");
            Approx.Equal(MathNet.Numerics.SpecialFunctions.DiGamma(x), all[0], 1e-13);
        }
    }

    [Fact]
    public void Polygamma_rejects_poles_and_bad_orders()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SpecialFunctions.Polygamma(1, -2.0));
        Assert.Equal("x", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => SpecialFunctions.Polygamma(0, 0.0));
        Assert.Equal("m", Assert.Throws<ArgumentOutOfRangeException>(() => SpecialFunctions.Polygamma(-1, 1.0)).ParamName);
        Assert.Equal(0.0, SpecialFunctions.Polygamma(3, double.PositiveInfinity));
        Assert.True(double.IsNaN(SpecialFunctions.Polygamma(2, double.NaN)));
    }

    [Fact]
    public void LogGamma_matches_mathnet_and_reflects()
    {
        foreach (double x in new[] { 0.1, 1.0, 2.5, 10.0, 171.5 })
            Approx.Equal(MathNet.Numerics.SpecialFunctions.GammaLn(x), SpecialFunctions.LogGamma(x), 1e-15, 1e-15);
        // Gamma(-0.5) = -2 sqrt(pi): log|Gamma(-0.5)| = log(2 sqrt(pi))
        Approx.Equal(Math.Log(2 * Math.Sqrt(Math.PI)), SpecialFunctions.LogGamma(-0.5), 1e-14);
        Assert.Equal(double.PositiveInfinity, SpecialFunctions.LogGamma(-3));
    }

    [Theory]
    [InlineData(2, 1.644934066848226436)]
    [InlineData(3, 1.202056903159594285)]
    [InlineData(4, 1.082323233711138192)]
    [InlineData(5, 1.036927755143369926)]
    [InlineData(7, 1.008349277381922827)]
    [InlineData(9, 1.002008392826082214)]
    [InlineData(11, 1.000494188604119465)]
    [InlineData(17, 1.000007637197637900)]
    [InlineData(25, 1.000000029803503515)]
    [InlineData(39, 1.000000000001818990)]
    [InlineData(41, 1.000000000000454747)]
    [InlineData(59, 1.000000000000000002)]
    [InlineData(61, 1.000000000000000000)]
    [InlineData(75, 1.000000000000000000)]
    public void Zeta_matches_mpmath(int n, double expected) =>
        Approx.Equal(expected, SpecialFunctions.Zeta(n), 4.5e-16, what: $"zeta({n})");

    [Theory]
    [InlineData(2.5, 0.1, 317.3277936562428411)]
    [InlineData(3, 7.25, 0.01091447614759886961)]
    [InlineData(11.5, 0.7, 60.44894130376312434)]
    [InlineData(40, 2, 9.094947840263889283E-13)]
    public void Hurwitz_zeta_matches_mpmath(double s, double x, double expected) =>
        Approx.Equal(expected, SpecialFunctions.HurwitzZeta(s, x), 1e-14, what: $"zeta({s},{x})");

    [Fact]
    public void Bernoulli_numbers_are_exact()
    {
        Assert.Equal(1.0 / 6, SpecialFunctions.Bernoulli(2));
        Assert.Equal(-1.0 / 30, SpecialFunctions.Bernoulli(4));
        Approx.Equal(-691.0 / 2730, SpecialFunctions.Bernoulli(12), 1e-16);
        Approx.Equal(-261082718496449122051.0 / 13530, SpecialFunctions.Bernoulli(40), 1e-15);
        Assert.Equal(0.0, SpecialFunctions.Bernoulli(7));
        Assert.Throws<ArgumentOutOfRangeException>(() => SpecialFunctions.Zeta(1));
    }

    [Theory]
    [InlineData(0.05, 0.01, 0.8155598057412849345, -3.357150848985987435)]
    [InlineData(0.3, 0.2, 0.6575067242697217163, -1.023380307220394415)]
    [InlineData(0.3, 4, 0.9979774893543891197, -0.01026431397265352797)]
    [InlineData(1, 0.5, 0.3934693402873665764, -0.4894575761023784174)]
    [InlineData(1, 3, 0.9502129316321360570, -0.09648294199134635264)]
    [InlineData(2.5, 1, 0.1508549639153903638, -0.1800996069540415079)]
    [InlineData(2.5, 2.5, 0.5841198130044920797, -0.2608449623686694493)]
    [InlineData(2.5, 3.6, 0.7938140802904441121, -0.1790886310422050252)]
    [InlineData(2.5, 10, 0.9987502694369686246, -0.002128186960325453523)]
    [InlineData(7, 5, 0.2378165370270612949, -0.1259477133370087506)]
    [InlineData(7, 12, 0.9541776931113488773, -0.03375269678225464411)]
    [InlineData(30, 25, 0.1821039159774551098, -0.04995487742583485617)]
    [InlineData(30, 40, 0.9567713178482644331, -0.01602517716800257124)]
    [InlineData(200, 190, 0.2433474271006238042, -0.02235282834155004136)]
    [InlineData(200, 215, 0.8551262439557168094, -0.01592402115573077946)]
    [InlineData(0.8, 50, 1.000000000000000000, -3.695174129980368602E-22)]
    public void Incomplete_gamma_and_its_shape_derivative_match_mpmath(double k, double x, double p, double dPdk)
    {
        double actual = SpecialFunctions.IncompleteGammaP(k, x, out double dActual);
        Approx.Equal(p, actual, 1e-13, what: "P");
        Approx.Equal(dPdk, dActual, k > 100 ? 1e-11 : 1e-12, 1e-300, "dP/dk");
    }

    [Fact]
    public void Shape_derivative_matches_finite_differences_of_mathnet()
    {
        // 6th-order central difference in k of MathNet's GammaLowerRegularized.
        foreach (var (k, x) in new[] { (0.4, 0.3), (0.4, 2.0), (1.7, 1.0), (3.0, 5.5), (12.0, 9.0), (12.0, 16.0), (45.0, 50.0) })
        {
            double h = 1e-3 * Math.Max(1, k);
            double P(double kk) => MathNet.Numerics.SpecialFunctions.GammaLowerRegularized(kk, x);
            double fd = (-P(k - 3 * h) + 9 * P(k - 2 * h) - 45 * P(k - h) + 45 * P(k + h) - 9 * P(k + 2 * h) + P(k + 3 * h)) / (60 * h);
            Approx.Equal(fd, SpecialFunctions.IncompleteGammaPShapeDerivative(k, x), 1e-8, 1e-14, $"k={k} x={x}");
            Approx.Equal(P(k), SpecialFunctions.IncompleteGammaP(k, x), 1e-13, 1e-15, $"P k={k} x={x}");
        }
    }

    [Fact]
    public void Implicit_reparameterisation_derivative_matches_the_inverse_cdf()
    {
        // z(k) = P^-1(u; k) at fixed u; dz/dk by finite differences of MathNet's inverse.
        foreach (var (k, u) in new[] { (0.5, 0.3), (2.0, 0.7), (8.0, 0.1) })
        {
            double Z(double kk) => MathNet.Numerics.SpecialFunctions.GammaLowerRegularizedInv(kk, u);
            double h = 1e-4 * k;
            double fd = (Z(k - 2 * h) - 8 * Z(k - h) + 8 * Z(k + h) - Z(k + 2 * h)) / (12 * h);
            double z = Z(k);
            Approx.Equal(fd, SpecialFunctions.GammaSampleShapeDerivative(z, k), 1e-6, what: $"k={k} u={u}");
        }
    }
}
