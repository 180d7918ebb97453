using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Symbolic.Series;

/// <summary>
/// A dense truncated power series <c>sum_{n &lt;= Order} c_n t^n</c> whose coefficients are exact expressions.
/// Every operation takes its precision from its operands and never creates a term above it; all of them
/// are the O(N^2) recurrences of series-math.md (SymPy's ring_series is the model), so no expression is
/// ever differentiated N times.
/// </summary>
public sealed class TruncatedSeries
{
    private readonly Expr[] _c;

    public TruncatedSeries(Expr[] coefficients)
    {
        if (coefficients.Length == 0) throw new ArgumentException("a series keeps at least the constant term", nameof(coefficients));
        _c = coefficients;
    }

    /// <summary>Highest power kept: the series is exact modulo t^(Order+1).</summary>
    public int Order => _c.Length - 1;
    public Expr this[int n] => n <= Order ? _c[n] : throw new ArgumentOutOfRangeException(nameof(n));
    public IReadOnlyList<Expr> Coefficients => _c;

    public static TruncatedSeries Constant(Expr c, int order)
    {
        var a = Zeros(order);
        a[0] = c;
        return new TruncatedSeries(a);
    }

    /// <summary>The series of the variable itself, <c>t</c>.</summary>
    public static TruncatedSeries Variable(int order)
    {
        var a = Zeros(order);
        if (order >= 1) a[1] = Ex.One;
        return new TruncatedSeries(a);
    }

    private static Expr[] Zeros(int order)
    {
        var a = new Expr[order + 1];
        Array.Fill(a, Ex.Zero);
        return a;
    }

    /// <summary>Index of the first coefficient that is not (canonically) zero; <c>Order + 1</c> for the zero series.</summary>
    public int Valuation
    {
        get
        {
            for (int n = 0; n <= Order; n++) if (!_c[n].IsZero) return n;
            return Order + 1;
        }
    }

    public TruncatedSeries Truncate(int order) => order >= Order ? this : new TruncatedSeries(_c[..(order + 1)]);

    /// <summary>Divides by t^q, dropping the (zero) coefficients below q; the result keeps Order - q.</summary>
    public TruncatedSeries ShiftDown(int q) => new(_c[q..]);

    /// <summary>Multiplies by t^q, keeping <paramref name="order"/>.</summary>
    public TruncatedSeries ShiftUp(long q, int order)
    {
        var a = Zeros(order);
        for (long n = q; n <= order; n++) a[n] = n - q <= Order ? _c[n - q] : Ex.Zero;
        return new TruncatedSeries(a);
    }

    public TruncatedSeries Map(Func<Expr, Expr> f)
    {
        var a = new Expr[_c.Length];
        for (int n = 0; n < a.Length; n++) a[n] = Guard(f(_c[n]));
        return new TruncatedSeries(a);
    }

    // ---- ring operations -------------------------------------------------------------------

    public static TruncatedSeries operator +(TruncatedSeries a, TruncatedSeries b)
    {
        int order = Math.Min(a.Order, b.Order);
        var r = new Expr[order + 1];
        for (int n = 0; n <= order; n++) r[n] = Guard(Ex.Add(a._c[n], b._c[n]));
        return new TruncatedSeries(r);
    }

    public static TruncatedSeries operator -(TruncatedSeries a) => a.Map(Ex.Neg);
    public static TruncatedSeries operator -(TruncatedSeries a, TruncatedSeries b) => a + (-b);
    public TruncatedSeries Scale(Expr factor) => Map(c => Ex.Mul(factor, c));

    // b_n = sum_{k=0..n} a_k c_{n-k}
    public static TruncatedSeries operator *(TruncatedSeries a, TruncatedSeries b)
    {
        int order = Math.Min(a.Order, b.Order);
        var r = new Expr[order + 1];
        var terms = new List<Expr>(order + 1);
        for (int n = 0; n <= order; n++)
        {
            terms.Clear();
            for (int k = 0; k <= n; k++)
                if (!a._c[k].IsZero && !b._c[n - k].IsZero) terms.Add(Ex.Mul(a._c[k], b._c[n - k]));
            r[n] = Guard(Ex.Add(terms.ToArray()));
        }
        return new TruncatedSeries(r);
    }

    /// <summary>a / c for c_0 invertible: b_n = (a_n - sum_{k=1..n} c_k b_{n-k}) / c_0.</summary>
    public static TruncatedSeries Divide(TruncatedSeries a, TruncatedSeries c)
    {
        if (c._c[0].IsZero) throw new SymbolicException("division by a series that vanishes at 0");
        int order = Math.Min(a.Order, c.Order);
        var inverse = Ex.Pow(c._c[0], Ex.MinusOne);
        var b = new Expr[order + 1];
        var terms = new List<Expr>(order + 1);
        for (int n = 0; n <= order; n++)
        {
            terms.Clear();
            terms.Add(a._c[n]);
            for (int k = 1; k <= n; k++)
                if (!c._c[k].IsZero && !b[n - k].IsZero) terms.Add(Ex.Neg(Ex.Mul(c._c[k], b[n - k])));
            b[n] = Guard(Ex.Mul(Ex.Add(terms.ToArray()), inverse));
        }
        return new TruncatedSeries(b);
    }

    /// <summary>
    /// a^alpha for a_0 invertible, by J.C.P. Miller's recurrence:
    /// b_0 = a_0^alpha, b_n = 1/(n a_0) sum_{k=1..n} (k(alpha+1) - n) a_k b_{n-k}. Alpha may be symbolic.
    /// </summary>
    public TruncatedSeries Pow(Expr alpha)
    {
        if (_c[0].IsZero) throw new SymbolicException("power of a series that vanishes at 0");
        var b = new Expr[_c.Length];
        b[0] = Guard(Ex.Pow(_c[0], alpha));
        var inverse = Ex.Pow(_c[0], Ex.MinusOne);
        var alphaPlusOne = Ex.Add(alpha, Ex.One);
        var terms = new List<Expr>(_c.Length);
        for (int n = 1; n < b.Length; n++)
        {
            terms.Clear();
            for (int k = 1; k <= n; k++)
            {
                if (_c[k].IsZero || b[n - k].IsZero) continue;
                var weight = Ex.Sub(Ex.Mul(Ex.Num(k), alphaPlusOne), Ex.Num(n));
                terms.Add(Ex.Mul(weight, _c[k], b[n - k]));
            }
            b[n] = Guard(Ex.Mul(Ex.Num(new Rational(1, n)), inverse, Ex.Add(terms.ToArray())));
        }
        return new TruncatedSeries(b);
    }

    /// <summary>exp(a): b_0 = exp(a_0), b_n = (1/n) sum_{k=1..n} k a_k b_{n-k}.</summary>
    public TruncatedSeries Exp()
    {
        var b = new Expr[_c.Length];
        b[0] = Ex.Exp(_c[0]);
        var terms = new List<Expr>(_c.Length);
        for (int n = 1; n < b.Length; n++)
        {
            terms.Clear();
            for (int k = 1; k <= n; k++)
                if (!_c[k].IsZero && !b[n - k].IsZero) terms.Add(Ex.Mul(Ex.Num(k), _c[k], b[n - k]));
            b[n] = Guard(Ex.Mul(Ex.Num(new Rational(1, n)), Ex.Add(terms.ToArray())));
        }
        return new TruncatedSeries(b);
    }

    /// <summary>log(a) for a_0 != 0: b_0 = log(a_0), b_n = (a_n - (1/n) sum_{k=1..n-1} k b_k a_{n-k}) / a_0.</summary>
    public TruncatedSeries Log()
    {
        if (_c[0].IsZero) throw new SymbolicException("logarithm of a series that vanishes at 0");
        var b = new Expr[_c.Length];
        b[0] = Ex.Log(_c[0]);
        var inverse = Ex.Pow(_c[0], Ex.MinusOne);
        var terms = new List<Expr>(_c.Length);
        for (int n = 1; n < b.Length; n++)
        {
            terms.Clear();
            terms.Add(_c[n]);
            for (int k = 1; k < n; k++)
                if (!b[k].IsZero && !_c[n - k].IsZero) terms.Add(Ex.Mul(Ex.Num(new Rational(-k, n)), b[k], _c[n - k]));
            b[n] = Guard(Ex.Mul(Ex.Add(terms.ToArray()), inverse));
        }
        return new TruncatedSeries(b);
    }

    /// <summary>
    /// sin(a) and cos(a) together (or sinh and cosh with <paramref name="hyperbolic"/>):
    /// s_n = (1/n) sum k a_k c_{n-k}, c_n = -+(1/n) sum k a_k s_{n-k}.
    /// </summary>
    public (TruncatedSeries Sin, TruncatedSeries Cos) SinCos(bool hyperbolic)
    {
        var s = new Expr[_c.Length];
        var c = new Expr[_c.Length];
        s[0] = hyperbolic ? Ex.Sinh(_c[0]) : Ex.Sin(_c[0]);
        c[0] = hyperbolic ? Ex.Cosh(_c[0]) : Ex.Cos(_c[0]);
        var sign = hyperbolic ? Ex.One : Ex.MinusOne;
        var sTerms = new List<Expr>();
        var cTerms = new List<Expr>();
        for (int n = 1; n < s.Length; n++)
        {
            sTerms.Clear(); cTerms.Clear();
            for (int k = 1; k <= n; k++)
            {
                if (_c[k].IsZero) continue;
                var w = Ex.Mul(Ex.Num(k), _c[k]);
                if (!c[n - k].IsZero) sTerms.Add(Ex.Mul(w, c[n - k]));
                if (!s[n - k].IsZero) cTerms.Add(Ex.Mul(w, s[n - k]));
            }
            var inv = Ex.Num(new Rational(1, n));
            s[n] = Guard(Ex.Mul(inv, Ex.Add(sTerms.ToArray())));
            c[n] = Guard(Ex.Mul(sign, inv, Ex.Add(cTerms.ToArray())));
        }
        return (new TruncatedSeries(s), new TruncatedSeries(c));
    }

    /// <summary>The formal derivative: b_n = (n+1) a_{n+1}; one order is lost.</summary>
    public TruncatedSeries Differentiate()
    {
        if (Order == 0) return Constant(Ex.Zero, 0);
        var b = new Expr[Order];
        for (int n = 0; n < Order; n++) b[n] = Ex.Mul(Ex.Num(n + 1), _c[n + 1]);
        return new TruncatedSeries(b);
    }

    /// <summary>The formal integral with constant <paramref name="constant"/>: b_n = a_{n-1} / n; one order is gained.</summary>
    public TruncatedSeries Integrate(Expr constant)
    {
        var b = new Expr[_c.Length + 1];
        b[0] = constant;
        for (int n = 1; n < b.Length; n++) b[n] = Ex.Mul(Ex.Num(new Rational(1, n)), _c[n - 1]);
        return new TruncatedSeries(b);
    }

    /// <summary>
    /// F(a) for F with known derivatives at the symbolic point a_0:
    /// F(a) = sum_k F^(k)(a_0)/k! (a - a_0)^k, with the powers of (a - a_0) built by repeated multiplication.
    /// </summary>
    public TruncatedSeries Compose(Func<int, Expr> derivativeAtConstant)
    {
        var result = Constant(derivativeAtConstant(0), Order);
        var centred = new TruncatedSeries((Expr[])_c.Clone());
        centred._c[0] = Ex.Zero;
        var power = centred;
        var factorial = Rational.One;
        for (int k = 1; k <= Order; k++)
        {
            factorial *= k;
            if (power.Valuation > Order) break;
            result += power.Scale(Ex.Mul(Ex.Num(factorial.Reciprocal()), derivativeAtConstant(k)));
            power *= centred;
        }
        return result;
    }

    /// <summary>Largest coefficient, in nodes: a size budget guards every operation.</summary>
    public int MaxCoefficientSize => _c.Max(e => e.Size);

    /// <summary>Largest coefficient tree a derivation may build; beyond it the declaration is refused, not run out of memory.</summary>
    public const int MaxExpressionSize = 2_000_000;

    private static Expr Guard(Expr e) =>
        e.Size > MaxExpressionSize ? throw new SymbolicException($"a series coefficient grew beyond {MaxExpressionSize} nodes") : e;
}
