using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace SeriesCompiler.Runtime.Differentiation;

/// <summary>
/// A truncated Taylor series of order N (Taylor-mode automatic differentiation): the value of
/// <c>f(x(t))</c> and its first N derivatives in t, stored as normalized coefficients
/// <c>c_k = f^(k)/k!</c> in a slot of a <see cref="JetArena"/>.
/// </summary>
/// <remarks>
/// <para>A <see cref="Jet"/> is a 16-byte handle (arena, slot), so jets are written with ordinary
/// operators and passed by value while their coefficients live in the arena's preallocated
/// buffer: no GC allocation per operation. Each operation appends its result to the arena.</para>
/// <para>Every rule is an O(N^2) recurrence of <see cref="TaylorSeries"/> (lgamma: O(N^3/6)).
/// Mixing jets of different arenas throws; <c>default(Jet)</c> is not usable.</para>
/// <example><code>
/// var arena = new JetArena(order: 8);
/// Jet x = arena.Variable(0.3);
/// Jet y = Jet.Exp(2 * x) * Jet.Sin(x);
/// double d5 = y.Derivative(5);   // d^5/dx^5 [e^{2x} sin x] at 0.3
/// arena.Reset();
/// </code></example>
/// </remarks>
public readonly struct Jet :
    IAdditionOperators<Jet, Jet, Jet>, ISubtractionOperators<Jet, Jet, Jet>,
    IMultiplyOperators<Jet, Jet, Jet>, IDivisionOperators<Jet, Jet, Jet>,
    IUnaryNegationOperators<Jet, Jet>, IUnaryPlusOperators<Jet, Jet>,
    IAdditionOperators<Jet, double, Jet>, ISubtractionOperators<Jet, double, Jet>,
    IMultiplyOperators<Jet, double, Jet>, IDivisionOperators<Jet, double, Jet>
{
    private readonly JetArena _arena;
    private readonly int _slot;

    internal Jet(JetArena arena, int slot)
    {
        _arena = arena;
        _slot = slot;
    }

    /// <summary>The arena that holds this jet.</summary>
    public JetArena Arena => _arena;

    /// <summary>Truncation order N.</summary>
    public int Order => _arena.Order;

    /// <summary><c>f</c> at the expansion point (coefficient 0).</summary>
    public double Value => _arena.Coefficients(_slot)[0];

    /// <summary>The normalized coefficients <c>c_0..c_N</c>, <c>c_k = f^(k)/k!</c>.</summary>
    public ReadOnlySpan<double> Coefficients => _arena.Coefficients(_slot);

    internal Span<double> Span => _arena.Coefficients(_slot);

    /// <summary>Normalized coefficient <c>c_k = f^(k)/k!</c>.</summary>
    public double Coefficient(int k) => _arena.Coefficients(_slot)[k];

    /// <summary>Derivative <c>f^(k) = k! c_k</c>.</summary>
    public double Derivative(int k) => _arena.Coefficients(_slot)[k] * Factorials.Table[k];

    /// <summary>Writes <c>f^(0..m)</c> into <paramref name="destination"/>, <c>m = min(N, length - 1)</c>.</summary>
    public void CopyDerivativesTo(Span<double> destination)
    {
        int n = Math.Min(destination.Length, _arena.Stride);
        TaylorSeries.ToDerivatives(Coefficients[..n], destination[..n]);
    }

    /// <summary>A constant in the same arena (for writing <c>x.Const(2)</c> inside user functions).</summary>
    public Jet Const(double value) => _arena.Constant(value);

    // ------------------------------------------------------------------ plumbing

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static JetArena Same(Jet x, Jet y)
    {
        if (!ReferenceEquals(x._arena, y._arena)) ThrowMixedArenas();
        return x._arena;
    }

    private static void ThrowMixedArenas() =>
        throw new InvalidOperationException("Jets from different arenas cannot be combined.");

    // The result slot is taken before any span is read: allocation may move the arena's buffer.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Jet New(JetArena arena) => arena.Allocate();

    // ------------------------------------------------------------------ arithmetic

    /// <summary>(x + y)_n = x_n + y_n.</summary>
    public static Jet operator +(Jet x, Jet y)
    {
        var r = New(Same(x, y));
        TaylorSeries.Add(x.Span, y.Span, r.Span);
        return r;
    }

    /// <summary>(x - y)_n = x_n - y_n.</summary>
    public static Jet operator -(Jet x, Jet y)
    {
        var r = New(Same(x, y));
        TaylorSeries.Subtract(x.Span, y.Span, r.Span);
        return r;
    }

    /// <summary>Cauchy product.</summary>
    public static Jet operator *(Jet x, Jet y)
    {
        var r = New(Same(x, y));
        TaylorSeries.Multiply(x.Span, y.Span, r.Span);
        return r;
    }

    /// <summary>Quotient recurrence b_n = (x_n - sum y_k b_{n-k}) / y_0.</summary>
    public static Jet operator /(Jet x, Jet y)
    {
        var r = New(Same(x, y));
        TaylorSeries.Divide(x.Span, y.Span, r.Span);
        return r;
    }

    /// <summary>(-x)_n = -x_n.</summary>
    public static Jet operator -(Jet x)
    {
        var r = New(x._arena);
        TaylorSeries.Negate(x.Span, r.Span);
        return r;
    }

    /// <summary>Identity (no allocation).</summary>
    public static Jet operator +(Jet x) => x;

    /// <summary>Shifts c_0 only.</summary>
    public static Jet operator +(Jet x, double c)
    {
        var r = New(x._arena);
        TaylorSeries.AddScalar(x.Span, c, r.Span);
        return r;
    }

    /// <summary>Shifts c_0 only.</summary>
    public static Jet operator +(double c, Jet x) => x + c;

    /// <summary>Shifts c_0 only.</summary>
    public static Jet operator -(Jet x, double c) => x + (-c);

    /// <summary>(c - x)_0 = c - x_0, (c - x)_n = -x_n.</summary>
    public static Jet operator -(double c, Jet x)
    {
        var r = New(x._arena);
        TaylorSeries.ScalarSubtract(c, x.Span, r.Span);
        return r;
    }

    /// <summary>Scales every coefficient.</summary>
    public static Jet operator *(Jet x, double c)
    {
        var r = New(x._arena);
        TaylorSeries.Scale(x.Span, c, r.Span);
        return r;
    }

    /// <summary>Scales every coefficient.</summary>
    public static Jet operator *(double c, Jet x) => x * c;

    /// <summary>Scales every coefficient by 1/c.</summary>
    public static Jet operator /(Jet x, double c) => x * (1.0 / c);

    /// <summary>c / x = c * reciprocal(x).</summary>
    public static Jet operator /(double c, Jet x)
    {
        var r = New(x._arena);
        TaylorSeries.ScalarDivide(c, x.Span, r.Span);
        return r;
    }

    // ------------------------------------------------------------------ powers

    /// <summary>x^2 by the half-sum square.</summary>
    public static Jet Square(Jet x)
    {
        var r = New(x._arena);
        TaylorSeries.Square(x.Span, r.Span);
        return r;
    }

    /// <summary>1/x.</summary>
    public static Jet Reciprocal(Jet x)
    {
        var r = New(x._arena);
        TaylorSeries.Reciprocal(x.Span, r.Span);
        return r;
    }

    /// <summary>x^p by binary powering (negative p: of the reciprocal).</summary>
    public static Jet Pow(Jet x, int p)
    {
        var r = New(x._arena);
        TaylorSeries.PowInt(x.Span, p, r.Span, x._arena.Scratch(0));
        return r;
    }

    /// <summary>x^alpha by Miller's recurrence (integral alpha: binary powering).</summary>
    public static Jet Pow(Jet x, double alpha)
    {
        var r = New(x._arena);
        TaylorSeries.Pow(x.Span, alpha, r.Span, x._arena.Scratch(0));
        return r;
    }

    /// <summary>x^y = exp(y log x).</summary>
    public static Jet Pow(Jet x, Jet y) => Exp(y * Log(x));

    /// <summary>sqrt(x) from b^2 = x.</summary>
    public static Jet Sqrt(Jet x)
    {
        var r = New(x._arena);
        TaylorSeries.Sqrt(x.Span, r.Span);
        return r;
    }

    // ------------------------------------------------------------------ exp and logs

    /// <summary>exp(x): b' = x' b.</summary>
    public static Jet Exp(Jet x)
    {
        var r = New(x._arena);
        TaylorSeries.Exp(x.Span, r.Span);
        return r;
    }

    /// <summary>log(x): x b' = x'.</summary>
    public static Jet Log(Jet x)
    {
        var r = New(x._arena);
        TaylorSeries.Log(x.Span, r.Span);
        return r;
    }

    /// <summary>log(1 + x), accurate for small x_0.</summary>
    public static Jet Log1p(Jet x)
    {
        var r = New(x._arena);
        TaylorSeries.Log1p(x.Span, r.Span);
        return r;
    }

    // ------------------------------------------------------------------ trigonometric and hyperbolic

    /// <summary>sin(x): s' = x' cos x.</summary>
    public static Jet Sin(Jet x)
    {
        var r = New(x._arena);
        TaylorSeries.Sin(x.Span, r.Span, x._arena.Scratch(0));
        return r;
    }

    /// <summary>cos(x): c' = -x' sin x.</summary>
    public static Jet Cos(Jet x)
    {
        var r = New(x._arena);
        TaylorSeries.Cos(x.Span, r.Span, x._arena.Scratch(0));
        return r;
    }

    /// <summary>sin(x) and cos(x) from one recurrence.</summary>
    public static (Jet Sin, Jet Cos) SinCos(Jet x)
    {
        var s = New(x._arena);
        var c = New(x._arena);
        TaylorSeries.SinCos(x.Span, s.Span, c.Span);
        return (s, c);
    }

    /// <summary>tan(x): b' = (1 + b^2) x'.</summary>
    public static Jet Tan(Jet x)
    {
        var r = New(x._arena);
        TaylorSeries.Tan(x.Span, r.Span, x._arena.Scratch(0));
        return r;
    }

    /// <summary>sinh(x): s' = x' cosh x.</summary>
    public static Jet Sinh(Jet x)
    {
        var r = New(x._arena);
        TaylorSeries.Sinh(x.Span, r.Span, x._arena.Scratch(0));
        return r;
    }

    /// <summary>cosh(x): c' = x' sinh x.</summary>
    public static Jet Cosh(Jet x)
    {
        var r = New(x._arena);
        TaylorSeries.Cosh(x.Span, r.Span, x._arena.Scratch(0));
        return r;
    }

    /// <summary>tanh(x): b' = (1 - b^2) x'.</summary>
    public static Jet Tanh(Jet x)
    {
        var r = New(x._arena);
        TaylorSeries.Tanh(x.Span, r.Span, x._arena.Scratch(0));
        return r;
    }

    /// <summary>atan(x): b' = x' / (1 + x^2).</summary>
    public static Jet Atan(Jet x)
    {
        var r = New(x._arena);
        TaylorSeries.Atan(x.Span, r.Span, x._arena.Scratch(0), x._arena.Scratch(1));
        return r;
    }

    // ------------------------------------------------------------------ logistic family

    /// <summary>sigmoid(x) = 1/(1+e^-x): s' = s(1-s) x'.</summary>
    public static Jet Sigmoid(Jet x)
    {
        var r = New(x._arena);
        TaylorSeries.Sigmoid(x.Span, r.Span, x._arena.Scratch(0));
        return r;
    }

    /// <summary>softplus(x) = log(1+e^x): b' = sigmoid(x) x'.</summary>
    public static Jet Softplus(Jet x)
    {
        var r = New(x._arena);
        TaylorSeries.Softplus(x.Span, r.Span, x._arena.Scratch(0), x._arena.Scratch(1));
        return r;
    }

    /// <summary>log sigmoid(x) = -softplus(-x): b' = sigmoid(-x) x'.</summary>
    public static Jet LogSigmoid(Jet x)
    {
        var r = New(x._arena);
        TaylorSeries.LogSigmoid(x.Span, r.Span, x._arena.Scratch(0), x._arena.Scratch(1));
        return r;
    }

    // ------------------------------------------------------------------ special

    /// <summary>log|Gamma(x)|: derivatives psi^(k-1)(x_0), composed.</summary>
    public static Jet LogGamma(Jet x)
    {
        var r = New(x._arena);
        TaylorSeries.LogGamma(x.Span, r.Span, x._arena.Scratch(0));
        return r;
    }

    // How many times Abs ran on this thread: estimators compare it before and after evaluating f, so that an f written
    // over jets that applies |x| is known to have a kink (its f'' has a Dirac mass the jets drop) without declaring it.
    [ThreadStatic] private static long t_kinks;

    /// <summary>Evaluations of a non-smooth operation (<see cref="Abs"/>) on this thread so far.</summary>
    public static long KinkEvaluations => t_kinks;

    /// <summary>|x|: derivative sign(x) (one-sided at 0). Marks f as non-smooth (<see cref="KinkEvaluations"/>): |x|'' = 2 delta.</summary>
    public static Jet Abs(Jet x)
    {
        t_kinks++;
        var r = New(x._arena);
        TaylorSeries.Abs(x.Span, r.Span);
        return r;
    }

    /// <summary>
    /// F(x) for a user function known by its normalized Taylor coefficients at <c>x.Value</c>:
    /// <c>g_k = F^(k)(x_0)/k!</c> (at least <c>Order + 1</c> of them). Horner in the series algebra.
    /// </summary>
    public static Jet Compose(Jet x, ReadOnlySpan<double> taylorCoefficients)
    {
        if (taylorCoefficients.Length < x.Order + 1)
            throw new ArgumentException($"Need {x.Order + 1} coefficients, got {taylorCoefficients.Length}.", nameof(taylorCoefficients));
        var r = New(x._arena);
        TaylorSeries.Compose(taylorCoefficients, x.Span, r.Span);
        return r;
    }

    /// <summary>Coefficients for debugging, e.g. <c>[1, 2, 2, 1.3333]</c>.</summary>
    public override string ToString()
    {
        if (_arena is null) return "Jet(default)";
        var sb = new StringBuilder("[");
        var c = Coefficients;
        for (int k = 0; k < c.Length; k++)
        {
            if (k > 0) sb.Append(", ");
            sb.Append(c[k].ToString("G6", CultureInfo.InvariantCulture));
        }
        return sb.Append(']').ToString();
    }
}
