using System.Numerics;
using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Symbolic.Series;

/// <summary>
/// A dense truncated power series <c>sum_{n &lt;= Order} c_n t^n</c> whose coefficients are exact
/// polynomials in the parameters (<see cref="Poly"/>; read them as canonical <see cref="Expr"/> with the indexer).
/// Every operation takes its precision from its operands and never creates a term above it; all are the
/// O(N^2) recurrences of series-math.md (SymPy's ring_series is the model), so no expression is ever
/// differentiated N times.
/// </summary>
public sealed class TruncatedSeries
{
    // c_n = _raw[n] * _scale[n]. The exponentially scaled recurrences end with x_n = beta_n / n!: the numerators beta_n
    // (often with integer coefficients) are kept with the exact factor 1/n!, and the product, which reduces every
    // coefficient by a gcd, is formed only when a coefficient is used (a ring operation, an expression). A derivative
    // or a reality check needs no reduced form: d(s P)/dx = s dP/dx.
    private readonly Poly[] _raw;
    private readonly Rational[]? _scale;
    private readonly Poly?[]? _scaled;
    private Poly[]? _all;

    private TruncatedSeries(Poly[] coefficients) => _raw = coefficients;

    private TruncatedSeries(Poly[] numerators, Rational[] scales, bool factorialScaled)
    {
        _raw = numerators;
        _scale = scales;
        _scaled = new Poly?[numerators.Length];
        _factorialScaled = factorialScaled;
    }

    // Whether _scale[n] = 1/n! (the output of a recurrence in exponential scaling).
    private readonly bool _factorialScaled;

    public TruncatedSeries(IReadOnlyList<Expr> coefficients)
    {
        if (coefficients.Count == 0) throw new ArgumentException("a series keeps at least the constant term", nameof(coefficients));
        _raw = coefficients.Select(Poly.FromExpr).ToArray();
    }

    /// <summary>The coefficient of t^n in the ring (scaled on first use).</summary>
    private Poly At(int n) => _scale is null ? _raw[n] : _scaled![n] ??= _raw[n].Scale(_scale[n]);

    /// <summary>Every coefficient in the ring.</summary>
    private Poly[] C => _scale is null ? _raw : _all ??= Enumerable.Range(0, _raw.Length).Select(At).ToArray();

    /// <summary>Highest power kept: the series is exact modulo t^(Order+1).</summary>
    public int Order => _raw.Length - 1;

    /// <summary>The coefficient of t^n as a canonical expression.</summary>
    public Expr this[int n] => n <= Order ? At(n).ToExpr() : throw new ArgumentOutOfRangeException(nameof(n));

    /// <summary>All coefficients, t^0 first, as canonical expressions.</summary>
    public IReadOnlyList<Expr> Coefficients => Enumerable.Range(0, _raw.Length).Select(n => this[n]).ToArray();

    public static TruncatedSeries Constant(Expr c, int order)
    {
        var a = Zeros(order);
        a[0] = Poly.FromExpr(c);
        return new TruncatedSeries(a);
    }

    /// <summary>The series of the variable itself, <c>t</c>.</summary>
    public static TruncatedSeries Variable(int order)
    {
        var a = Zeros(order);
        if (order >= 1) a[1] = Poly.One;
        return new TruncatedSeries(a);
    }

    private static Poly[] Zeros(int order)
    {
        var a = new Poly[order + 1];
        Array.Fill(a, Poly.Zero);
        return a;
    }

    /// <summary>Index of the first coefficient that is not (exactly) zero; <c>Order + 1</c> for the zero series.</summary>
    public int Valuation
    {
        get
        {
            for (int n = 0; n <= Order; n++) if (!_raw[n].IsZero) return n; // a non-zero scale keeps zero and non-zero apart
            return Order + 1;
        }
    }

    public bool IsZeroAt(int n) => _raw[n].IsZero;

    /// <summary>Every coefficient with sums in denominators cancelled where they divide (see <see cref="Poly.CancelDenominators"/>).</summary>
    internal TruncatedSeries CancelDenominators() => new(C.Select(c => c.CancelDenominators()).ToArray());

    /// <summary>
    /// d c_n / d x of every coefficient, computed in the polynomial ring (no tree rewriting): the rule's
    /// a_{n,p} when x is a parameter.
    /// </summary>
    public Expr[] DerivativeOfCoefficients(Symbol x) => DerivativesInRing(x).Select(c => c.ToExpr()).ToArray();

    /// <summary>d c_n / d x of every coefficient, exactly, as scaled polynomials of the ring (d(s P)/dx = s dP/dx).</summary>
    internal ScaledPoly[] DerivativesInRing(Symbol x) => Derivatives(x).ToArray();

    /// <summary>
    /// For each n, t^0 first, whether d c_n / d x certainly has every constant within the expression factory's bit limit
    /// (<see cref="ScaledPoly.CertainlyRepresentable"/>): each derivative is computed exactly and measured where it was
    /// accumulated, not packed into a polynomial (check keeps none of them).
    /// </summary>
    internal IEnumerable<bool> DerivativesCertainlyRepresentable(Symbol x)
    {
        var cache = new Dictionary<int, Poly>();
        var lowerings = new Dictionary<(Monomial, int), Monomial>();
        var pool = new MonomialPool();
        for (int n = 0; n < _raw.Length; n++)
        {
            bool scaled = _scale is not null && _scaled![n] is null;
            long bits = (scaled ? _raw[n] : At(n)).DerivativeMaxConstantBits(x, cache, lowerings, pool);
            yield return bits + 2 * (scaled && !_scale![n].IsOne ? _scale[n].BitLength : 0) <= Ex.MaxConstantBits;
        }
    }

    /// <summary>d c_n / d x alone (as <see cref="DerivativesInRing"/> gives it).</summary>
    internal ScaledPoly DerivativeAt(Symbol x, int n) =>
        _scale is null || _scaled![n] is not null
            ? new ScaledPoly(At(n).Derivative(x, new Dictionary<int, Poly>()), Rational.One)
            : new ScaledPoly(_raw[n].Derivative(x, new Dictionary<int, Poly>()), _scale[n]);

    /// <summary>
    /// <see cref="DerivativesInRing"/> one coefficient at a time, t^0 first: a caller that only measures them holds one at
    /// a time (the rest are short-lived garbage, not survivors the collector must move).
    /// </summary>
    internal IEnumerable<ScaledPoly> Derivatives(Symbol x)
    {
        var cache = new Dictionary<int, Poly>();
        var lowerings = new Dictionary<(Monomial, int), Monomial>();
        var pool = new MonomialPool();
        for (int n = 0; n < _raw.Length; n++)
            yield return _scale is null || _scaled![n] is not null
                ? new ScaledPoly(At(n).Derivative(x, cache, lowerings, pool), Rational.One)
                : new ScaledPoly(_raw[n].Derivative(x, cache, lowerings, pool), _scale[n]);
    }

    /// <summary>
    /// Whether the coefficient of t^n is certainly real: no imaginary part in any coefficient of the ring and no atom
    /// containing i (its canonical expression is then free of i). False means "look at the expression".
    /// </summary>
    public bool IsRealAt(int n) => _raw[n].IsReal; // the scale is a real rational

    /// <summary>
    /// Throws, as building the coefficient's expression would, when one of its exact constants exceeds
    /// <see cref="Ex.MaxConstantBits"/>; so a caller that never builds the expression still refuses what it would refuse.
    /// </summary>
    internal void EnsureRepresentable(int n) => new ScaledPoly(_raw[n], _scale?[n] ?? Rational.One).EnsureRepresentable();

    /// <summary>
    /// The sum of series, coefficient by coefficient, with sums in denominators cancelled: what adding the coefficients
    /// as canonical expressions and reading them back gives (SeriesExpander's sum of Laurent parts), computed in the ring.
    /// The two agree when every factor is plain (a symbol, a call other than exp, or a sum at a negative power: no two
    /// of them merge under a product, so the canonical sum of the expressions is the ring's sum of their terms and reads
    /// back term for term); null otherwise, and the caller takes the expressions' path.
    /// </summary>
    internal static TruncatedSeries? SumInRing(IReadOnlyList<TruncatedSeries> terms, int order)
    {
        var r = new Poly[order + 1];
        Rational[]? scales = null;
        var parts = new List<Poly>();
        for (int n = 0; n <= order; n++)
        {
            parts.Clear();
            if (SharedScale(terms, n) is { } shared)
            {
                // Every term that holds t^n is a numerator P_i times the same rational s (the 1/n! of the recurrences):
                // cancelling and adding are the same for s P_i as for P_i (the exact division by a sum does not see a
                // constant factor, a sum of s P_i cancels where that of P_i does, and the terms keep their order), so the
                // P_i are cancelled and added and s is kept beside the result. Integer numerators then stay integers (no
                // gcd per term now, a derivative's bound from limbs later), and s P is formed only when it is read.
                foreach (var t in terms)
                {
                    if (n > t.Order || t._raw[n].IsZero) continue;
                    var numerator = t._raw[n].CancelDenominators();
                    if (!numerator.IsPlain) return null;
                    parts.Add(numerator);
                }
                var sum = parts[0];
                for (int i = 1; i < parts.Count; i++) sum += parts[i];
                r[n] = parts.Count == 1 ? sum : sum.CancelDenominators();
                scales ??= Ones(order + 1);
                scales[n] = shared;
                continue;
            }
            foreach (var t in terms)
            {
                if (n > t.Order || t._raw[n].IsZero) continue;
                // Each expression is built from the cancelled polynomial (Poly.ToExpr), so its terms are those of this one.
                var part = t.At(n).CancelDenominators();
                if (!part.IsPlain) return null;
                if (!part.IsZero) parts.Add(part);
            }
            if (parts.Count == 0) { r[n] = Poly.Zero; continue; }
            // Cancelling is idempotent, so one cancelled part is already what reading it back and cancelling gives.
            var total = parts[0];
            for (int i = 1; i < parts.Count; i++) total += parts[i];
            r[n] = parts.Count == 1 ? total : total.CancelDenominators();
        }
        // Not marked as 1/n! scaled even where every scale is: the ring operations then read the coefficients as before.
        return scales is null ? new TruncatedSeries(r) : new TruncatedSeries(r, scales, factorialScaled: false);
    }

    /// <summary>
    /// The scale s (not 1) that every term holding t^n keeps beside its numerator, when they all have the same one; null
    /// when no term holds t^n, or one has no scale there or another one.
    /// </summary>
    private static Rational? SharedScale(IReadOnlyList<TruncatedSeries> terms, int n)
    {
        Rational? shared = null;
        foreach (var t in terms)
        {
            if (n > t.Order || t._raw[n].IsZero) continue;
            if (t._scale is not { } scale || scale[n].IsOne || (shared is { } s && s != scale[n])) return null;
            shared = scale[n];
        }
        return shared;
    }

    private static Rational[] Ones(int length)
    {
        var ones = new Rational[length];
        Array.Fill(ones, Rational.One);
        return ones;
    }

    public TruncatedSeries Truncate(int order) => order >= Order ? this : new TruncatedSeries(C[..(order + 1)]);

    /// <summary>Divides by t^q, dropping the (zero) coefficients below q; the result keeps Order - q.</summary>
    public TruncatedSeries ShiftDown(int q) => new(C[q..]);

    /// <summary>Multiplies by t^q, keeping <paramref name="order"/>.</summary>
    public TruncatedSeries ShiftUp(long q, int order)
    {
        var a = Zeros(order);
        for (long n = q; n <= order; n++) a[n] = n - q <= Order ? C[n - q] : Poly.Zero;
        return new TruncatedSeries(a);
    }

    // ---- ring operations -------------------------------------------------------------------

    public static TruncatedSeries operator +(TruncatedSeries a, TruncatedSeries b)
    {
        int order = Math.Min(a.Order, b.Order);
        var r = new Poly[order + 1];
        for (int n = 0; n <= order; n++) r[n] = Guard(a.C[n] + b.C[n]);
        return new TruncatedSeries(r);
    }

    public static TruncatedSeries operator -(TruncatedSeries a) => a.Scale(GaussianRational.One * -1);
    public static TruncatedSeries operator -(TruncatedSeries a, TruncatedSeries b) => a + (-b);

    /// <summary>
    /// Multiplies by a constant (free of t). Negative powers of sums in it divide exactly where they can, so
    /// (b - a) * (b - a)^-1 cancels to 1 instead of leaving an atom.
    /// </summary>
    public TruncatedSeries Scale(Expr factor)
    {
        var factors = factor is Product p ? p.Args.ToArray() : [factor];
        var numerator = new List<Expr>();
        var divisors = new List<Poly>();
        foreach (var f in factors)
        {
            if (f is Power { Base: Sum, Exponent: Number { IsReal: true } e } pw && e.Re.IsInteger && e.Re.Sign < 0 && e.Re.Numerator > -64)
                for (int k = 0; k < (int)-e.Re.Numerator; k++) divisors.Add(Poly.FromExpr(pw.Base));
            else numerator.Add(f);
        }
        var scaled = Scale(Poly.FromExpr(Ex.Mul(numerator.ToArray())));
        foreach (var d in divisors)
            scaled = new TruncatedSeries(scaled.C.Select(c => Guard(c.DivideBy(d))).ToArray());
        return scaled;
    }

    private TruncatedSeries Scale(GaussianRational factor) => new(C.Select(c => c.Scale(factor)).ToArray());

    private TruncatedSeries Scale(Poly factor)
    {
        // (s_n P_n) f = s_n (P_n f): a series of numerators over 1/n! keeps them, multiplied in limbs where both are integral
        // (-r log(1 - p e^t)), and the rational factors are still applied only when a coefficient is used.
        if (_factorialScaled)
            return new TruncatedSeries(_raw.Select(c => Guard(c.IsZero ? c : Poly.TimesInteger(c, factor))).ToArray(), _scale!, factorialScaled: true);
        return new(C.Select(c => Guard(c * factor)).ToArray());
    }

    // b_n = sum_{k=0..n} a_k c_{n-k}
    public static TruncatedSeries operator *(TruncatedSeries a, TruncatedSeries b)
    {
        int order = Math.Min(a.Order, b.Order);
        var r = new Poly[order + 1];
        for (int n = 0; n <= order; n++)
        {
            var sum = Poly.Zero;
            for (int k = 0; k <= n; k++)
                if (!a.C[k].IsZero && !b.C[n - k].IsZero) sum += a.C[k] * b.C[n - k];
            r[n] = Guard(sum);
        }
        return new TruncatedSeries(r);
    }

    /// <summary>a / c for c_0 invertible: b_n = (a_n - sum_{k=1..n} c_k b_{n-k}) / c_0.</summary>
    public static TruncatedSeries Divide(TruncatedSeries a, TruncatedSeries c)
    {
        if (c.C[0].IsZero) throw new SymbolicException("division by a series that vanishes at 0");
        int order = Math.Min(a.Order, c.Order);
        var c0 = c.C[0];
        // In exponential scaling (x_n = n! x_n): beta_n = (alpha_n - sum_{k=1..n} C(n,k) gamma_k beta_{n-k}) / c_0,
        // the same identity times n!, with integer weights where the coefficients have factorial denominators.
        var alpha = a.Exponential(order);
        var gamma = c.Exponential(order);
        var beta = new Poly[order + 1];
        var products = new List<(GaussianRational, Poly, Poly)>();
        for (int n = 0; n <= order; n++)
        {
            products.Clear();
            var binomial = new Binomial();
            for (int k = 1; k <= n; k++)
            {
                binomial.Step(n - k + 1, k); // C(n, k)
                if (!gamma[k].IsZero && !beta[n - k].IsZero) products.Add((binomial.Negated, gamma[k], beta[n - k]));
            }
            beta[n] = Guard(Poly.SumOfProducts(alpha[n], products).DivideBy(c0));
        }
        return FromExponential(beta);
    }

    /// <summary>
    /// a^alpha for a_0 invertible, by J.C.P. Miller's recurrence:
    /// b_0 = a_0^alpha, b_n = 1/(n a_0) sum_{k=1..n} (k(alpha+1) - n) a_k b_{n-k}. Alpha may be symbolic.
    /// </summary>
    public TruncatedSeries Pow(Expr alpha)
    {
        if (C[0].IsZero) throw new SymbolicException("power of a series that vanishes at 0");
        var b = new Poly[C.Length];
        b[0] = Guard(Poly.FromExpr(Ex.Pow(C[0].ToExpr(), alpha)));
        var a0 = C[0];
        var alphaPlusOne = Poly.FromExpr(Ex.Add(alpha, Ex.One));
        // Times n!: beta_n = 1/a_0 sum_{k=1..n} ((alpha+1) C(n-1,k-1) - C(n,k)) a~_k beta_{n-k}, since
        // (n-1)!/(k!(n-k)!) (k(alpha+1) - n) = (alpha+1) C(n-1,k-1) - C(n,k); a~_k = k! a_k.
        var scaled = Exponential(Order);
        var beta = new Poly[b.Length];
        beta[0] = b[0];
        var products = new List<(GaussianRational, Poly, Poly)>();
        for (int n = 1; n < b.Length; n++)
        {
            products.Clear();
            Binomial lower = new(), binomial = new(); // C(n-1, k-1), C(n, k)
            for (int k = 1; k <= n; k++)
            {
                if (k > 1) lower.Step(n - k + 1, k - 1);
                binomial.Step(n - k + 1, k);
                if (scaled[k].IsZero || beta[n - k].IsZero) continue;
                var weight = alphaPlusOne.Scale(lower.Value) - Poly.Constant(binomial.Value);
                products.Add((GaussianRational.One, weight * scaled[k], beta[n - k]));
            }
            beta[n] = Guard(Poly.SumOfProducts(Poly.Zero, products).DivideBy(a0));
        }
        return FromExponential(beta);
    }

    /// <summary>exp(a): b_0 = exp(a_0), b_n = (1/n) sum_{k=1..n} k a_k b_{n-k}.</summary>
    public TruncatedSeries Exp()
    {
        var b = new Poly[C.Length];
        b[0] = Poly.FromExpr(Ex.Exp(C[0].ToExpr()));
        // Times n!: beta_n = sum_{k=1..n} C(n-1,k-1) alpha_k beta_{n-k} (integer weights, no 1/n).
        var alpha = Exponential(Order);
        var products = new List<(GaussianRational, Poly, Poly)>();
        for (int n = 1; n < b.Length; n++)
        {
            products.Clear();
            var binomial = new Binomial(); // C(n-1, k-1)
            for (int k = 1; k <= n; k++)
            {
                if (k > 1) binomial.Step(n - k + 1, k - 1);
                if (!alpha[k].IsZero && !b[n - k].IsZero) products.Add((binomial.Value, alpha[k], b[n - k]));
            }
            b[n] = Guard(Poly.SumOfProducts(Poly.Zero, products));
        }
        return FromExponential(b);
    }

    /// <summary>log(a) for a_0 != 0: b_0 = log(a_0), b_n = (a_n - (1/n) sum_{k=1..n-1} k b_k a_{n-k}) / a_0.</summary>
    public TruncatedSeries Log()
    {
        if (C[0].IsZero) throw new SymbolicException("logarithm of a series that vanishes at 0");
        var b = new Poly[C.Length];
        b[0] = Poly.FromExpr(Ex.Log(C[0].ToExpr()));
        var a0 = C[0];
        // Times n!: beta_n = (alpha_n - sum_{k=1..n-1} C(n-1,k-1) beta_k alpha_{n-k}) / a_0, the identity
        // (k/n) n!/(k!(n-k)!) = C(n-1,k-1): integer weights, so factorial denominators never meet a gcd.
        var alpha = Exponential(Order);
        // A short exponential sum (Categorical's p0 + p1 e^t + p2 e^2t) has its log in closed form: the same polynomials.
        if (ExponentialSumLog.TryNumerators(alpha, a0) is { } closed)
        {
            for (int n = 1; n < b.Length; n++) b[n] = Guard(closed[n]);
            return FromExponential(b);
        }
        var products = new List<(GaussianRational, Poly, Poly)>();
        for (int n = 1; n < b.Length; n++)
        {
            products.Clear();
            var binomial = new Binomial(); // C(n-1, k-1)
            for (int k = 1; k < n; k++)
            {
                if (k > 1) binomial.Step(n - k + 1, k - 1);
                if (!b[k].IsZero && !alpha[n - k].IsZero) products.Add((binomial.Negated, b[k], alpha[n - k]));
            }
            b[n] = Guard(Poly.SumOfProducts(alpha[n], products).DivideBy(a0));
        }
        return FromExponential(b);
    }

    /// <summary>
    /// sin(a) and cos(a) together (or sinh and cosh with <paramref name="hyperbolic"/>):
    /// s_n = (1/n) sum k a_k c_{n-k}, c_n = -+(1/n) sum k a_k s_{n-k}.
    /// </summary>
    public (TruncatedSeries Sin, TruncatedSeries Cos) SinCos(bool hyperbolic)
    {
        var s = new Poly[C.Length];
        var c = new Poly[C.Length];
        var a0 = C[0].ToExpr();
        s[0] = Poly.FromExpr(hyperbolic ? Ex.Sinh(a0) : Ex.Sin(a0));
        c[0] = Poly.FromExpr(hyperbolic ? Ex.Cosh(a0) : Ex.Cos(a0));
        for (int n = 1; n < s.Length; n++)
        {
            var sSum = Poly.Zero;
            var cSum = Poly.Zero;
            for (int k = 1; k <= n; k++)
            {
                if (C[k].IsZero) continue;
                var w = C[k].Scale(k);
                if (!c[n - k].IsZero) sSum += w * c[n - k];
                if (!s[n - k].IsZero) cSum += w * s[n - k];
            }
            s[n] = Guard(sSum.Scale(new Rational(1, n)));
            c[n] = Guard(cSum.Scale(new Rational(hyperbolic ? 1 : -1, n)));
        }
        return (new TruncatedSeries(s), new TruncatedSeries(c));
    }

    /// <summary>
    /// tan(a) (or tanh with <paramref name="hyperbolic"/>) from b' = (1 +- b^2) a', b_0 = tan(a_0): the same
    /// atoms as the derivative table uses, so the series of tan' is the derivative of the series of tan.
    /// b_n = (1/n) sum_{k=1..n} k a_k c_{n-k}, c = 1 +- b^2.
    /// </summary>
    public TruncatedSeries Tan(bool hyperbolic)
    {
        var b = new Poly[C.Length];
        var c = new Poly[C.Length];
        var a0 = C[0].ToExpr();
        b[0] = Poly.FromExpr(hyperbolic ? Ex.Tanh(a0) : Ex.Tan(a0));
        var sign = hyperbolic ? -GaussianRational.One : GaussianRational.One;
        c[0] = Poly.One + (b[0] * b[0]).Scale(sign);
        for (int n = 1; n < b.Length; n++)
        {
            var sum = Poly.Zero;
            for (int k = 1; k <= n; k++)
                if (!C[k].IsZero && !c[n - k].IsZero) sum += (C[k] * c[n - k]).Scale(k);
            b[n] = Guard(sum.Scale(new Rational(1, n)));
            var square = Poly.Zero;
            for (int j = 0; j <= n; j++)
                if (!b[j].IsZero && !b[n - j].IsZero) square += b[j] * b[n - j];
            c[n] = Guard(square.Scale(sign));
        }
        return new TruncatedSeries(b);
    }

    /// <summary>The formal derivative: b_n = (n+1) a_{n+1}; one order is lost.</summary>
    public TruncatedSeries Differentiate()
    {
        if (Order == 0) return new TruncatedSeries([Poly.Zero]);
        var b = new Poly[Order];
        for (int n = 0; n < Order; n++) b[n] = C[n + 1].Scale(n + 1);
        return new TruncatedSeries(b);
    }

    /// <summary>The formal integral with constant <paramref name="constant"/>: b_n = a_{n-1} / n; one order is gained.</summary>
    public TruncatedSeries Integrate(Expr constant)
    {
        var b = new Poly[C.Length + 1];
        b[0] = Poly.FromExpr(constant);
        for (int n = 1; n < b.Length; n++) b[n] = C[n - 1].Scale(new Rational(1, n));
        return new TruncatedSeries(b);
    }

    /// <summary>
    /// F(a) for F with known derivatives at the symbolic point a_0:
    /// F(a) = sum_k F^(k)(a_0)/k! (a - a_0)^k, with the powers of (a - a_0) built by repeated multiplication.
    /// </summary>
    public TruncatedSeries Compose(Func<int, Expr> derivativeAtConstant)
    {
        var result = Constant(derivativeAtConstant(0), Order);
        var centredCoefficients = (Poly[])C.Clone();
        centredCoefficients[0] = Poly.Zero;
        var centred = new TruncatedSeries(centredCoefficients);
        var power = centred;
        var factorial = Rational.One;
        for (int k = 1; k <= Order; k++)
        {
            factorial *= k;
            if (power.Valuation > Order) break;
            result += power.Scale(Poly.FromExpr(derivativeAtConstant(k)).Scale(factorial.Reciprocal()));
            power *= centred;
        }
        return result;
    }

    /// <summary>
    /// n! c_n for n = 0..order: a series that came out of a recurrence already holds these numerators (c_n = beta_n / n!,
    /// so n! c_n = beta_n exactly), and only other series are multiplied out.
    /// </summary>
    private Poly[] Exponential(int order) => _factorialScaled ? _raw[..(order + 1)] : ToExponential(C, order);

    /// <summary>x_n -> n! x_n (the exponential scaling of the recurrences), coefficients 0..order.</summary>
    private static Poly[] ToExponential(Poly[] c, int order)
    {
        var r = new Poly[order + 1];
        var factorial = BigInteger.One;
        for (int n = 0; n <= order; n++)
        {
            if (n > 1) factorial *= n;
            r[n] = c[n].Scale((Rational)factorial);
        }
        return r;
    }

    /// <summary>n! x_n -> x_n: the numerators with their factors 1/n!, reduced when used.</summary>
    private static TruncatedSeries FromExponential(Poly[] c)
    {
        var scales = new Rational[c.Length];
        var factorial = BigInteger.One;
        for (int n = 0; n < c.Length; n++)
        {
            if (n > 1) factorial *= n;
            scales[n] = new Rational(BigInteger.One, factorial);
        }
        return new TruncatedSeries(c, scales, factorialScaled: true);
    }

    /// <summary>Most terms a coefficient may have; beyond it the declaration is refused instead of exhausting memory.</summary>
    public const int MaxTerms = 200_000;

    private static Poly Guard(Poly p) =>
        p.TermCount > MaxTerms ? throw new SymbolicException($"a series coefficient grew beyond {MaxTerms} terms") : p;
}

/// <summary>
/// A binomial coefficient walked along a row (times m, then divided by d: an integer at every step, as C(n, k) from
/// C(n, k-1)), in 64 bits while it fits and as a BigInteger beyond: the recurrences' weights, the same integers without
/// two BigInteger operations per step.
/// </summary>
internal struct Binomial
{
    private long _small;
    private BigInteger? _big;

    public Binomial() => _small = 1;

    public void Step(long multiply, long divide)
    {
        if (_big is { } big) { _big = big * multiply / divide; return; }
        var exact = (Int128)_small * multiply / divide; // the product is below 2^127: exact in 128 bits
        if (exact <= long.MaxValue) _small = (long)exact;
        else _big = (BigInteger)exact;
    }

    public Rational Value => _big is { } big ? big : (BigInteger)_small;
    public Rational Negated => _big is { } big ? -big : (BigInteger)(-_small);
}

/// <summary>A polynomial of the ring times an exact rational, multiplied out (a gcd per term) only when its value is read.</summary>
internal readonly record struct ScaledPoly(Poly Raw, Rational Scale)
{
    public Poly Value => Scale.IsOne ? Raw : Raw.Scale(Scale);
    public Expr ToExpr() => Value.ToExpr();

    /// <summary>
    /// Throws the expression factory's exception when a constant of the (reduced) value exceeds its bit limit. A product
    /// c s has at most bits(c) + 2 bits(s) bits (s multiplies the real and the imaginary part), so only a coefficient near
    /// the limit is reduced to decide.
    /// </summary>
    public void EnsureRepresentable()
    {
        if (CertainlyRepresentable) return;
        if (Value.MaxConstantBits > Ex.MaxConstantBits) throw new SymbolicException("an exact constant grew beyond " + Ex.MaxConstantBits + " bits");
    }

    /// <summary>Whether the bound alone shows every constant within the limit (so <see cref="EnsureRepresentable"/> cannot throw).</summary>
    public bool CertainlyRepresentable => Raw.MaxConstantBits + 2 * (Scale.IsOne ? 0 : Scale.BitLength) <= Ex.MaxConstantBits;
}
