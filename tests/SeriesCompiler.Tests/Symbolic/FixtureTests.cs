using SeriesCompiler.Symbolic.Expressions;
using Xunit;
using static SeriesCompiler.Tests.Symbolic.SymbolicTestHelpers;

namespace SeriesCompiler.Tests.Symbolic;

/// <summary>
/// The bundled declarations derived to order 10 and checked against the reference coefficients of
/// <see cref="CgfFixtures"/> (independent high-precision numbers): every c_n and every a_{n,p} for n = 1..10.
/// </summary>
public sealed class FixtureTests
{
    private const int Order = 10;
    private const double Tolerance = 1e-12;

    public static TheoryData<string> Fixtures() => new(CgfFixtures.All.Select(f => f.File));

    private static CgfFixture Fixture(string file) => CgfFixtures.All.Single(f => f.File == file);

    [Fact]
    public void EveryFixtureIsPresent() =>
        Assert.Equal(
            ["bernoulli.json", "chisquared.json", "dirac.json", "exponential.json", "gamma.json", "laplace.json", "normal.json", "poisson.json"],
            CgfFixtures.All.Select(f => f.File).Order(StringComparer.Ordinal).ToArray());

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void DifferentiableParametersAreTheFixturesInDeclarationOrder(string file)
    {
        var fixture = Fixture(file);
        var rule = DeriveBundled(fixture.Distribution, Order);
        Assert.Equal(fixture.Parameters, rule.Differentiable.Select(p => p.Name).ToArray());
        Assert.Equal(Order, rule.Coefficients.Length);
        Assert.All(rule.Coefficients, c => Assert.Equal(fixture.Parameters.Length, c.Derivatives.Length));
    }

    /// <summary>Exact evaluation: the fixtures' coefficients are rational functions, so substituting the point gives a rational.</summary>
    [Theory]
    [MemberData(nameof(Fixtures))]
    public void CoefficientsAndDerivativesMatchExactly(string file)
    {
        var fixture = Fixture(file);
        var rule = DeriveBundled(fixture.Distribution, Order);
        var point = fixture.Parameters.Select((p, i) => (Symbol: P(p), Value: ParseExact(fixture.At[i])))
                                      .ToDictionary(x => x.Symbol, x => x.Value);
        for (int n = 1; n <= Order; n++)
        {
            var row = fixture.Rows[n];
            Assert.Equal(n, (int)row[0]);
            RelClose(row[1], EvaluateExactly(C(rule, n), point), Tolerance, $"{fixture.Distribution} c_{n} = {C(rule, n)}");
            for (int p = 0; p < fixture.Parameters.Length; p++)
            {
                var a = A(rule, n, fixture.Parameters[p]);
                RelClose(row[2 + p], EvaluateExactly(a, point), Tolerance, $"{fixture.Distribution} a_{n},{fixture.Parameters[p]} = {a}");
            }
        }
    }

    /// <summary>The tree interpreter in doubles agrees with the fixtures too (it is what generated code is checked against).</summary>
    [Theory]
    [MemberData(nameof(Fixtures))]
    public void CoefficientsAndDerivativesMatchInDoubles(string file)
    {
        var fixture = Fixture(file);
        var rule = DeriveBundled(fixture.Distribution, Order);
        var point = fixture.Parameters.Select((p, i) => (p, double.Parse(fixture.At[i], System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        for (int n = 1; n <= Order; n++)
        {
            var row = fixture.Rows[n];
            RelClose(row[1], Evaluate(C(rule, n), point), Tolerance, $"{fixture.Distribution} c_{n}");
            for (int p = 0; p < fixture.Parameters.Length; p++)
                RelClose(row[2 + p], Evaluate(A(rule, n, fixture.Parameters[p]), point), Tolerance, $"{fixture.Distribution} a_{n},{fixture.Parameters[p]}");
        }
    }

    /// <summary>K(0) = 0: the rule starts at n = 1 and the fixture's n = 0 row is zero.</summary>
    [Theory]
    [MemberData(nameof(Fixtures))]
    public void RuleStartsAtOrderOne(string file)
    {
        var fixture = Fixture(file);
        Assert.All(fixture.Rows[0].Skip(1), v => Assert.Equal(0.0, v));
        var rule = DeriveBundled(fixture.Distribution, Order);
        Assert.Equal(Enumerable.Range(1, Order), rule.Coefficients.Select(c => c.Degree));
    }
}
