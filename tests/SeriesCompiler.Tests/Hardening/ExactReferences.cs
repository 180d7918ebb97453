using System.Numerics;

namespace SeriesCompiler.Tests.Hardening;

/// <summary>
/// An exact rational over <see cref="BigInteger"/>, kept in lowest terms with a positive denominator. Written here, apart
/// from the compiler's own rationals, so that the numerical-robustness references share no code with what they check.
/// </summary>
public readonly struct Exact
{
    public BigInteger Numerator { get; }
    public BigInteger Denominator { get; }

    public Exact(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero) throw new DivideByZeroException();
        if (denominator.Sign < 0) (numerator, denominator) = (-numerator, -denominator);
        var g = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (!g.IsOne && !g.IsZero) (numerator, denominator) = (numerator / g, denominator / g);
        Numerator = numerator;
        Denominator = numerator.IsZero ? BigInteger.One : denominator;
    }

    public static readonly Exact Zero = new(0, 1);
    public static readonly Exact One = new(1, 1);

    public static implicit operator Exact(long n) => new(n, 1);
    public static Exact Ratio(BigInteger n, BigInteger d) => new(n, d);

    /// <summary>The exact value of a finite double (a dyadic rational).</summary>
    public static Exact From(double x)
    {
        if (!double.IsFinite(x)) throw new ArgumentOutOfRangeException(nameof(x));
        if (x == 0) return Zero;
        long bits = BitConverter.DoubleToInt64Bits(x);
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0) exponent = 1; else mantissa |= 1L << 52;
        exponent -= 1075;
        BigInteger m = x < 0 ? -mantissa : mantissa;
        return exponent >= 0 ? new Exact(m << exponent, 1) : new Exact(m, BigInteger.One << -exponent);
    }

    public static Exact operator +(Exact a, Exact b) => new(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);
    public static Exact operator -(Exact a, Exact b) => new(a.Numerator * b.Denominator - b.Numerator * a.Denominator, a.Denominator * b.Denominator);
    public static Exact operator -(Exact a) => new(-a.Numerator, a.Denominator);
    public static Exact operator *(Exact a, Exact b) => new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);
    public static Exact operator /(Exact a, Exact b) => new(a.Numerator * b.Denominator, a.Denominator * b.Numerator);

    public Exact Pow(int n)
    {
        if (n < 0) return One / Pow(-n);
        return new Exact(BigInteger.Pow(Numerator, n), BigInteger.Pow(Denominator, n));
    }

    public bool IsZero => Numerator.IsZero;

    /// <summary>The nearest double to within a relative 2^-60 (infinite beyond the double range, 0 below it).</summary>
    public double ToDouble()
    {
        if (Numerator.IsZero) return 0;
        var n = BigInteger.Abs(Numerator);
        long shift = (long)Denominator.GetBitLength() - (long)n.GetBitLength() + 64;
        var q = shift >= 0 ? (n << (int)shift) / Denominator : n / (Denominator << (int)-shift);
        // q has 64 or 65 bits; scaling by 2^-shift is exact unless the result leaves the double range.
        double value = Math.ScaleB((double)q, (int)Math.Clamp(-shift, int.MinValue / 2, int.MaxValue / 2));
        return Numerator.Sign < 0 ? -value : value;
    }

    public override string ToString() => $"{Numerator}/{Denominator}";
}

/// <summary>Exact power series arithmetic (coefficients of t^0 .. t^N) and the exact numbers the references need.</summary>
public static class ExactSeries
{
    public static BigInteger Factorial(int n)
    {
        BigInteger f = 1;
        for (int k = 2; k <= n; k++) f *= k;
        return f;
    }

    /// <summary>exp(c t) - [drop0 ? 1 : 0]: coefficients c^k / k!.</summary>
    public static Exact[] Exp(int order, Exact c, bool dropConstant)
    {
        var s = new Exact[order + 1];
        for (int k = 0; k <= order; k++) s[k] = c.Pow(k) / Exact.Ratio(Factorial(k), 1);
        if (dropConstant) s[0] = Exact.Zero;
        return s;
    }

    public static Exact[] Scale(Exact[] a, Exact c) => a.Select(x => x * c).ToArray();

    public static Exact[] Add(Exact[] a, Exact[] b) => a.Zip(b, (x, y) => x + y).ToArray();

    /// <summary>a / b for b_0 != 0: q_n = (a_n - sum_{k=1..n} b_k q_{n-k}) / b_0.</summary>
    public static Exact[] Divide(Exact[] a, Exact[] b)
    {
        var q = new Exact[a.Length];
        for (int n = 0; n < a.Length; n++)
        {
            var sum = a[n];
            for (int k = 1; k <= n; k++) if (!b[k].IsZero && !q[n - k].IsZero) sum -= b[k] * q[n - k];
            q[n] = sum / b[0];
        }
        return q;
    }

    /// <summary>Bernoulli numbers B_0 .. B_n with B_1 = -1/2, from sum_{k=0..m} C(m+1, k) B_k = 0.</summary>
    public static Exact[] Bernoulli(int n)
    {
        var b = new Exact[n + 1];
        b[0] = Exact.One;
        for (int m = 1; m <= n; m++)
        {
            Exact sum = Exact.Zero;
            BigInteger binomial = 1; // C(m+1, k)
            for (int k = 0; k < m; k++)
            {
                sum += Exact.Ratio(binomial, 1) * b[k];
                binomial = binomial * (m + 1 - k) / (k + 1);
            }
            b[m] = -sum / Exact.Ratio(m + 1, 1);
        }
        return b;
    }
}
