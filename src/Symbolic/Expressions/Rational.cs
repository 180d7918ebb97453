using System.Globalization;
using System.Numerics;

namespace SeriesCompiler.Symbolic.Expressions;

/// <summary>
/// An exact rational number. Invariant: the denominator is positive and gcd(numerator, denominator) = 1,
/// so equal values have equal representations and equality is structural.
/// </summary>
public readonly struct Rational : IEquatable<Rational>, IComparable<Rational>
{
    public static readonly Rational Zero = new(BigInteger.Zero, BigInteger.One, normalized: true);
    public static readonly Rational One = new(BigInteger.One, BigInteger.One, normalized: true);
    public static readonly Rational MinusOne = new(BigInteger.MinusOne, BigInteger.One, normalized: true);
    public static readonly Rational Half = new(BigInteger.One, new BigInteger(2), normalized: true);

    private readonly BigInteger _numerator;
    private readonly BigInteger _denominator; // zero only in default(Rational), read as 1

    private Rational(BigInteger numerator, BigInteger denominator, bool normalized)
    {
        _numerator = numerator;
        _denominator = denominator;
    }

    public Rational(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero) throw new DivideByZeroException("rational with zero denominator");
        if (denominator.Sign < 0) { numerator = -numerator; denominator = -denominator; }
        var g = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (!g.IsOne && !g.IsZero) { numerator /= g; denominator /= g; }
        _numerator = numerator;
        _denominator = numerator.IsZero ? BigInteger.One : denominator;
    }

    public BigInteger Numerator => _numerator;
    public BigInteger Denominator => _denominator.IsZero ? BigInteger.One : _denominator;
    public bool IsZero => _numerator.IsZero;
    public bool IsOne => _numerator.IsOne && Denominator.IsOne;
    public bool IsInteger => Denominator.IsOne;
    public int Sign => _numerator.Sign;

    public static implicit operator Rational(int value) => new(value, BigInteger.One, normalized: true);
    public static implicit operator Rational(BigInteger value) => new(value, BigInteger.One, normalized: true);

    public static Rational operator +(Rational a, Rational b) =>
        a.IsZero ? b : b.IsZero ? a :
        // Integers add without a gcd: the series engine's scaled (exponential) recurrences stay in Z.
        a.Denominator.IsOne && b.Denominator.IsOne ? new Rational(a._numerator + b._numerator, BigInteger.One, normalized: true) :
        a.Denominator == b.Denominator
            ? new Rational(a._numerator + b._numerator, a.Denominator)
            : new Rational(a._numerator * b.Denominator + b._numerator * a.Denominator, a.Denominator * b.Denominator);
    public static Rational operator -(Rational a) => a.IsZero ? a : new(-a._numerator, a.Denominator, normalized: true);
    public static Rational operator -(Rational a, Rational b) => a + (-b);
    public static Rational operator *(Rational a, Rational b)
    {
        if (a.IsZero || b.IsZero) return Zero;
        if (a.Denominator.IsOne && b.Denominator.IsOne) return new Rational(a._numerator * b._numerator, BigInteger.One, normalized: true);
        // Cross-cancel first: gcds of the smaller pairs are cheaper than one gcd of the products.
        var g1 = BigInteger.GreatestCommonDivisor(a._numerator, b.Denominator);
        var g2 = BigInteger.GreatestCommonDivisor(b._numerator, a.Denominator);
        return new Rational((a._numerator / g1) * (b._numerator / g2), (a.Denominator / g2) * (b.Denominator / g1), normalized: true);
    }
    public static Rational operator /(Rational a, Rational b) =>
        new(a._numerator * b.Denominator, a.Denominator * b._numerator);

    public Rational Reciprocal() => new(Denominator, _numerator);

    /// <summary>Integer power; negative exponents invert.</summary>
    public Rational Pow(int exponent)
    {
        if (exponent == 0) return One;
        if (exponent < 0) return Reciprocal().Pow(-exponent);
        return new Rational(BigInteger.Pow(_numerator, exponent), BigInteger.Pow(Denominator, exponent), normalized: true);
    }

    /// <summary>Bits needed to write the numerator and denominator: a measure of size for resource limits.</summary>
    public long BitLength => (long)_numerator.GetBitLength() + (long)Denominator.GetBitLength();

    /// <summary>
    /// The nearest double (round half to even), correct even when numerator and denominator overflow a
    /// double separately: 55+ quotient bits and a sticky bit are formed exactly, then rounded once.
    /// </summary>
    public double ToDouble()
    {
        if (_numerator.IsZero) return 0.0;
        var num = BigInteger.Abs(_numerator);
        var den = Denominator;
        long shift = (long)den.GetBitLength() - (long)num.GetBitLength() + 55;
        if (shift > int.MaxValue / 2) return _numerator.Sign < 0 ? -0.0 : 0.0;
        if (shift < -(int.MaxValue / 2)) return _numerator.Sign < 0 ? double.NegativeInfinity : double.PositiveInfinity;
        var scaledNum = shift >= 0 ? num << (int)shift : num;
        var scaledDen = shift >= 0 ? den : den << (int)-shift;
        var q = BigInteger.DivRem(scaledNum, scaledDen, out var remainder);
        bool sticky = !remainder.IsZero;
        // q has 55 or 56 bits: keep 53, round on the rest.
        int drop = (int)q.GetBitLength() - 53;
        var mantissa = q >> drop;
        var rest = q - (mantissa << drop);
        var half = BigInteger.One << (drop - 1);
        int cmp = rest.CompareTo(half);
        if (cmp > 0 || (cmp == 0 && (sticky || !mantissa.IsEven)) || (cmp == 0 && sticky)) mantissa += 1;
        double value = Math.ScaleB((double)mantissa, (int)Math.Clamp(drop - shift, int.MinValue, int.MaxValue));
        return _numerator.Sign < 0 ? -value : value;
    }

    public static Rational Factorial(int n)
    {
        BigInteger f = BigInteger.One;
        for (int k = 2; k <= n; k++) f *= k;
        return f;
    }

    /// <summary>Parses a decimal literal of the language (<c>2</c>, <c>0.49</c>, <c>1e-3</c>, <c>2.5E+2</c>) exactly.</summary>
    public static bool TryParseDecimal(string text, int maxExponent, out Rational value)
    {
        value = Zero;
        int e = text.IndexOfAny(['e', 'E']);
        string mantissa = e < 0 ? text : text[..e];
        long exponent = 0;
        if (e >= 0 && !long.TryParse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent))
            return false;
        int dot = mantissa.IndexOf('.');
        string digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit)) return false;
        if (dot >= 0) exponent -= mantissa.Length - dot - 1;
        if (Math.Abs(exponent) > maxExponent) return false;
        var n = BigInteger.Parse(digits, CultureInfo.InvariantCulture);
        var scale = BigInteger.Pow(10, (int)Math.Abs(exponent));
        value = exponent >= 0 ? new Rational(n * scale, BigInteger.One) : new Rational(n, scale);
        return true;
    }

    public bool Equals(Rational other) => _numerator == other._numerator && Denominator == other.Denominator;
    public override bool Equals(object? obj) => obj is Rational r && Equals(r);
    public override int GetHashCode() => HashCode.Combine(_numerator, Denominator);
    public int CompareTo(Rational other) => (_numerator * other.Denominator).CompareTo(other._numerator * Denominator);
    public static bool operator ==(Rational a, Rational b) => a.Equals(b);
    public static bool operator !=(Rational a, Rational b) => !a.Equals(b);
    public static bool operator <(Rational a, Rational b) => a.CompareTo(b) < 0;
    public static bool operator >(Rational a, Rational b) => a.CompareTo(b) > 0;
    public static bool operator <=(Rational a, Rational b) => a.CompareTo(b) <= 0;
    public static bool operator >=(Rational a, Rational b) => a.CompareTo(b) >= 0;

    public override string ToString() =>
        Denominator.IsOne
            ? _numerator.ToString(CultureInfo.InvariantCulture)
            : _numerator.ToString(CultureInfo.InvariantCulture) + "/" + Denominator.ToString(CultureInfo.InvariantCulture);
}
