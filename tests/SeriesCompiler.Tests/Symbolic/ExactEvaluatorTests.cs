using System.Globalization;
using System.Numerics;
using SeriesCompiler.Symbolic.Evaluation;
using SeriesCompiler.Symbolic.Expressions;
using Xunit;

namespace SeriesCompiler.Tests.Symbolic;

/// <summary>The exact evaluator's rounding, its pi bracket, and what it does with atoms it cannot bound.</summary>
public class ExactEvaluatorTests
{
    private static readonly Symbol X = Ex.Sym("x");

    private static ExactResult At(Expr e, Rational x) => ExactEvaluator.Evaluate(e, new Dictionary<Symbol, Rational> { [X] = x });

    [Fact]
    public void Rounding_is_to_nearest_with_ties_to_even_subnormals_included()
    {
        // 1 + 2^-53 is halfway between 1 and its successor: the tie goes to the even mantissa, 1.
        var two53 = BigInteger.One << 53;
        Assert.Equal(1.0, ExactEvaluator.RoundToDouble(new Rational(two53 + 1, two53)));
        // 1 + 3 * 2^-53 is halfway between 1 + 2^-52 and 1 + 2^-51: even is 1 + 2^-51.
        Assert.Equal(1.0 + Math.Pow(2, -51), ExactEvaluator.RoundToDouble(new Rational(two53 + 3, two53)));
        // Just above the tie rounds up.
        Assert.Equal(Math.BitIncrement(1.0), ExactEvaluator.RoundToDouble(new Rational((two53 + 1) * 1000 + 1, two53 * 1000)));
        // 1/10 is the double 0.1; 1/3 the double 1.0/3.0 (both correctly rounded by IEEE division).
        Assert.Equal(0.1, ExactEvaluator.RoundToDouble(new Rational(1, 10)));
        Assert.Equal(1.0 / 3.0, ExactEvaluator.RoundToDouble(new Rational(1, 3)));
        // Subnormals: 3 * 2^-1075 is halfway between 2^-1074 and 2 * 2^-1074: even is 2 * 2^-1074.
        var tiny = BigInteger.One << 1075;
        Assert.Equal(2 * double.Epsilon, ExactEvaluator.RoundToDouble(new Rational(3, tiny)));
        Assert.Equal(0.0, ExactEvaluator.RoundToDouble(new Rational(1, tiny))); // 2^-1075: tie to even 0
        Assert.Equal(double.Epsilon, ExactEvaluator.RoundToDouble(new Rational(1, tiny) + new Rational(1, tiny << 10)));
        // Past the largest double: infinite.
        Assert.Equal(double.PositiveInfinity, ExactEvaluator.RoundToDouble(new Rational(BigInteger.One << 1024, 1)));
        Assert.Equal(double.MaxValue, ExactEvaluator.RoundToDouble(new Rational((BigInteger.One << 1024) - (BigInteger.One << 970) - 1, 1)));
        Assert.Equal(-0.1, ExactEvaluator.RoundToDouble(new Rational(-1, 10)));
    }

    [Fact]
    public void The_pi_bracket_holds_pi_to_its_width()
    {
        // pi to 63 digits (a published value), as a bracket one unit in the last digit wide.
        var low = new Rational(BigInteger.Parse("314159265358979323846264338327950288419716939937510582097494459", CultureInfo.InvariantCulture), BigInteger.Pow(10, 62));
        var high = low + new Rational(1, BigInteger.Pow(10, 62));
        var (lo, hi) = ExactEvaluator.PiInterval(192);
        Assert.True(lo < high && hi > low, "the bracket misses pi");
        Assert.True(hi - lo < new Rational(1, BigInteger.One << 180), "the bracket is wider than 2^-180");
        Assert.Equal(Math.PI, At(Ex.Pi, 0).Value);
        Assert.True(At(Ex.Pi, 0).IsCorrectlyRounded);
    }

    [Fact]
    public void Square_roots_are_bracketed_and_correctly_rounded()
    {
        var r = At(Ex.Sqrt(X), 2);
        Assert.True(r.IsCorrectlyRounded);
        Assert.Equal(Math.Sqrt(2), r.Value); // IEEE sqrt is correctly rounded
        Assert.Equal(1 / Math.Sqrt(2), At(Ex.Pow(X, Ex.Num(-Rational.Half)), 2).Value, 15);
    }

    [Fact]
    public void An_atom_without_a_bounded_evaluation_is_flagged_with_the_interpreter_value()
    {
        var r = At(Ex.Log(X), 3);
        Assert.Equal(ExactStatus.NotBounded, r.Status);
        Assert.Equal(Math.Log(3), r.Value);
        Assert.Contains("log", r.Reason);
    }

    [Fact]
    public void A_pole_and_an_overflow_are_not_finite_with_a_reason()
    {
        var pole = At(Ex.Pow(X - 1, -2), 1);
        Assert.Equal(ExactStatus.NotFinite, pole.Status);
        Assert.Contains("division by zero", pole.Reason);
        var big = At(Ex.Pow(X, 64), 100000);
        Assert.Equal(ExactStatus.NotFinite, big.Status);
        Assert.Contains("beyond the largest double", big.Reason);
    }
}
