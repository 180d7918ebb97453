using System.Collections.Immutable;
using System.Numerics;
using SeriesCompiler.Cli.Infrastructure;
using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Cli.Output;

/// <summary>
/// The values of <c>--at</c> as the exact decimals the user wrote (<c>p=0.9</c> is 9/10, not the double nearest 0.9), so
/// that <c>coefficients</c> evaluates the exact forms at the user's point. <see cref="ParameterValues"/> reads each
/// number once, as its double and its exact value, and checks the exact values (<see cref="ParameterValues.Validate"/>,
/// through <see cref="SeriesCompiler.Symbolic.Binding.ParameterCheck"/>); this is the lookup by name over them.
/// </summary>
public sealed class ExactParameterValues
{
    // A decimal exponent beyond this is far outside the double range that --at accepts; such a number keeps the exact
    // value of its double (0 for 1e-5000) rather than building a BigInteger of thousands of digits.
    private const int MaxExponent = 400;

    private readonly Dictionary<string, ImmutableArray<Rational>> _vectors = [];
    private readonly Dictionary<string, Rational> _scalars = [];

    private ExactParameterValues() { }

    public Rational Scalar(string name) => _scalars[name];
    public ImmutableArray<Rational> Vector(string name) => _vectors[name];

    /// <summary>The exact values of <paramref name="at"/>, already checked by <see cref="ParameterValues.Validate"/>.</summary>
    public static ExactParameterValues From(ParameterValues at)
    {
        var result = new ExactParameterValues();
        foreach (var v in at.Values)
        {
            var values = v.ExactValues().Select(x => x.Value);
            if (v.IsVector) result._vectors[v.Name] = [.. values];
            else result._scalars[v.Name] = values.Single();
        }
        return result;
    }

    /// <summary>
    /// The exact value of a number token of <c>--at</c> (sign, digits and one point, exponent) whose double is
    /// <paramref name="nearest"/>; past the exact reader's exponent range, the double's own value.
    /// </summary>
    public static Rational ExactValue(string token, double nearest)
    {
        bool negative = token.StartsWith('-');
        string unsigned = token.TrimStart('+', '-');
        if (unsigned.Count(ch => ch == '.') <= 1 && Rational.TryParseDecimal(unsigned, MaxExponent, out var value))
            return negative ? -value : value;
        return FromDouble(nearest);
    }

    /// <summary>The exact value of a finite double: mantissa times a power of two.</summary>
    public static Rational FromDouble(double x)
    {
        if (x == 0 || !double.IsFinite(x)) return Rational.Zero;
        long bits = BitConverter.DoubleToInt64Bits(x);
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0) exponent = 1; else mantissa |= 1L << 52;
        exponent -= 1075;
        BigInteger m = x < 0 ? -mantissa : mantissa;
        return exponent >= 0 ? new Rational(m << exponent, BigInteger.One) : new Rational(m, BigInteger.One << -exponent);
    }
}
