namespace SeriesCompiler.Symbolic.Expressions;

/// <summary>An exact complex number <c>Re + Im*i</c> with rational parts: the constants of a <c>cf</c> in <c>i*w</c>.</summary>
public readonly record struct GaussianRational(Rational Re, Rational Im)
{
    public static readonly GaussianRational Zero = new(Rational.Zero, Rational.Zero);
    public static readonly GaussianRational One = new(Rational.One, Rational.Zero);
    public static readonly GaussianRational I = new(Rational.Zero, Rational.One);

    public bool IsZero => Re.IsZero && Im.IsZero;
    public bool IsOne => Re.IsOne && Im.IsZero;
    public bool IsReal => Im.IsZero;

    public static implicit operator GaussianRational(Rational r) => new(r, Rational.Zero);
    public static implicit operator GaussianRational(int r) => new(r, Rational.Zero);

    // Real operands are the common case: skip the imaginary arithmetic entirely.
    public static GaussianRational operator +(GaussianRational a, GaussianRational b) =>
        a.Im.IsZero && b.Im.IsZero ? new(a.Re + b.Re, Rational.Zero) : new(a.Re + b.Re, a.Im + b.Im);
    public static GaussianRational operator -(GaussianRational a) => new(-a.Re, -a.Im);
    public static GaussianRational operator -(GaussianRational a, GaussianRational b) =>
        a.Im.IsZero && b.Im.IsZero ? new(a.Re - b.Re, Rational.Zero) : new(a.Re - b.Re, a.Im - b.Im);
    public static GaussianRational operator *(GaussianRational a, GaussianRational b) =>
        a.Im.IsZero && b.Im.IsZero ? new(a.Re * b.Re, Rational.Zero) : new(a.Re * b.Re - a.Im * b.Im, a.Re * b.Im + a.Im * b.Re);

    // 1/(a + bi) = (a - bi)/(a^2 + b^2)
    public GaussianRational Reciprocal()
    {
        if (Im.IsZero) return new(Re.Reciprocal(), Rational.Zero);
        var norm = Re * Re + Im * Im;
        return new(Re / norm, -Im / norm);
    }

    public static GaussianRational operator /(GaussianRational a, GaussianRational b) => a * b.Reciprocal();

    public GaussianRational Pow(int exponent)
    {
        if (Im.IsZero) return new(Re.Pow(exponent), Rational.Zero);
        if (exponent < 0) return Reciprocal().Pow(-exponent);
        var result = One;
        var square = this;
        for (int e = exponent; e > 0; e >>= 1)
        {
            if ((e & 1) != 0) result *= square;
            if (e > 1) square *= square;
        }
        return result;
    }

    public long BitLength => Re.BitLength + Im.BitLength;

    public override string ToString() =>
        Im.IsZero ? Re.ToString() : Re.IsZero ? $"{Im}*i" : $"({Re} + {Im}*i)";
}
