using System.Numerics;
using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Symbolic.Evaluation;

/// <summary>How an exact evaluation ended.</summary>
public enum ExactStatus
{
    /// <summary><see cref="ExactResult.Value"/> is the exact value correctly rounded to the nearest double.</summary>
    CorrectlyRounded,
    /// <summary>The value is finite but outside the double range (or a pole was hit): <see cref="ExactResult.Value"/> is not finite, <see cref="ExactResult.Reason"/> says why.</summary>
    NotFinite,
    /// <summary>An atom has no bounded high-precision evaluation here (log, exp, polygamma, odd zeta, Euler's gamma): <see cref="ExactResult.Value"/> is the double interpreter's value, not known to be correctly rounded.</summary>
    NotBounded,
}

/// <summary>The double a coefficient prints, and whether it is the correctly rounded exact value.</summary>
public readonly record struct ExactResult(double Value, ExactStatus Status, string? Reason)
{
    public bool IsCorrectlyRounded => Status == ExactStatus.CorrectlyRounded;
}

/// <summary>
/// Evaluates an expression exactly at rational parameter values and rounds the result once to the nearest double.
/// Rational arithmetic is exact; pi (Logistic's pi^n, even zeta) enters as a rational interval of proven width
/// (<see cref="PiInterval"/>), and square roots as intervals, so every value is an interval [lo, hi] holding the true
/// value. When both ends round to the same double, that double is the correctly rounded value; otherwise the precision
/// is raised and, past the last step, the value is reported as not bounded rather than printed as if it were.
/// </summary>
public static class ExactEvaluator
{
    private static readonly int[] PrecisionSteps = [192, 768, 3072];

    public static ExactResult Evaluate(Expr e, IReadOnlyDictionary<Symbol, Rational> values)
    {
        foreach (int bits in PrecisionSteps)
        {
            Interval v;
            try
            {
                v = new Run(values, bits).Eval(e);
            }
            catch (PoleException ex)
            {
                return new ExactResult(double.NaN, ExactStatus.NotFinite, ex.Message);
            }
            catch (UnboundedAtomException ex)
            {
                return new ExactResult(Fallback(e, values), ExactStatus.NotBounded,
                    $"{ex.Message} has no bounded high-precision evaluation: the value is the double interpreter's and may be wrong in its last digits");
            }
            double lo = RoundToDouble(v.Lo), hi = RoundToDouble(v.Hi);
            if (lo.Equals(hi))
            {
                if (double.IsFinite(lo)) return new ExactResult(lo, ExactStatus.CorrectlyRounded, null);
                return new ExactResult(lo, ExactStatus.NotFinite,
                    $"the exact value is about {Magnitude(v.Lo)} in magnitude, beyond the largest double (1.8e308)");
            }
        }
        return new ExactResult(Fallback(e, values), ExactStatus.NotBounded,
            $"the value could not be bracketed within one double after {PrecisionSteps[^1]} bits of pi: it is the double interpreter's");
    }

    /// <summary>The double interpreter's value: what is printed where no bounded evaluation exists.</summary>
    private static double Fallback(Expr e, IReadOnlyDictionary<Symbol, Rational> values)
    {
        try
        {
            return ExprEvaluator.Evaluate(e, values.ToDictionary(p => p.Key, p => RoundToDouble(p.Value)));
        }
        catch (ArgumentException)
        {
            return double.NaN;
        }
    }

    /// <summary>"10^N" for a non-zero rational: the decimal order of magnitude of an overflow.</summary>
    private static string Magnitude(Rational r)
    {
        double log10 = BigInteger.Log10(BigInteger.Abs(r.Numerator)) - BigInteger.Log10(r.Denominator);
        return "10^" + Math.Floor(log10).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The nearest double to <paramref name="r"/>, ties to even, subnormals included (rounded once at their own
    /// precision), infinite beyond the largest finite double's rounding boundary.
    /// </summary>
    public static double RoundToDouble(Rational r)
    {
        if (r.IsZero) return 0.0;
        var num = BigInteger.Abs(r.Numerator);
        var den = r.Denominator;
        // floor(log2 |r|) is e or e - 1 where e = bitlen(num) - bitlen(den).
        long e = (long)num.GetBitLength() - (long)den.GetBitLength();
        if (e > 1100) return r.Sign < 0 ? double.NegativeInfinity : double.PositiveInfinity;
        if (e < -1200) return r.Sign < 0 ? -0.0 : 0.0;
        // Scale so that the quotient has at least 54 bits: |r| = q 2^-shift exactly plus the remainder's sticky bit.
        long exp2 = e - 1; // a lower bound on floor(log2 |r|)
        // The last kept bit has weight 2^(exp2 - 52) for normals, 2^-1074 for subnormals; take the finer lower bound.
        long lsb = Math.Max(exp2 - 53, -1075);
        // q = floor(|r| / 2^lsb): mantissa bits plus at least one rounding bit.
        BigInteger q, rem;
        if (lsb >= 0) q = BigInteger.DivRem(num, den << (int)lsb, out rem);
        else q = BigInteger.DivRem(num << (int)-lsb, den, out rem);
        bool sticky = !rem.IsZero;
        if (q.IsZero) return r.Sign < 0 ? -0.0 : 0.0; // below 2^-1075, half the smallest subnormal
        // Keep the bits down to weight 2^(topBit - 52), or to 2^-1074 where that is coarser than the top bit allows.
        long top = lsb + (long)q.GetBitLength() - 1; // floor(log2 |r|)
        long keepLsb = Math.Max(top - 52, -1074);
        int drop = (int)(keepLsb - lsb);
        var mantissa = q >> drop;
        var rest = q - (mantissa << drop);
        var half = BigInteger.One << (drop - 1);
        int cmp = rest.CompareTo(half);
        if (cmp > 0 || (cmp == 0 && (sticky || !mantissa.IsEven))) mantissa += 1;
        // mantissa * 2^keepLsb is representable (53 bits, or a multiple of 2^-1074), so scaling it is exact; past
        // the largest double it is infinite.
        double value = Math.ScaleB((double)mantissa, (int)keepLsb);
        return r.Sign < 0 ? -value : value;
    }

    /// <summary>
    /// pi in [lo, hi] with hi - lo below 2^-(bits - 8), from Machin's formula pi = 16 atan(1/5) - 4 atan(1/239) in
    /// fixed point: each truncated term is off by less than one unit, and the alternating series' tail is below its
    /// first omitted term, so the error of each arctangent is at most (terms + 1) units.
    /// </summary>
    public static (Rational Lo, Rational Hi) PiInterval(int bits)
    {
        lock (PiCache)
        {
            if (PiCache.TryGetValue(bits, out var known)) return known;
            var scale = BigInteger.One << bits;
            var (a5, e5) = ArctanInverse(5, scale);
            var (a239, e239) = ArctanInverse(239, scale);
            var mid = 16 * a5 - 4 * a239;
            var err = 16 * e5 + 4 * e239;
            var result = (new Rational(mid - err, scale), new Rational(mid + err, scale));
            PiCache[bits] = result;
            return result;
        }
    }

    private static readonly Dictionary<int, (Rational, Rational)> PiCache = [];

    /// <summary>atan(1/x) * scale as a fixed-point integer and a bound on its error in units.</summary>
    private static (BigInteger Value, BigInteger Error) ArctanInverse(int x, BigInteger scale)
    {
        BigInteger sum = 0, power = scale / x; // floor(scale / x^(2k+1)), exact enough: each division truncates by < 1
        BigInteger x2 = x * x;
        long terms = 0;
        for (int k = 0; !power.IsZero; k++)
        {
            var term = power / (2 * k + 1);
            sum += k % 2 == 0 ? term : -term;
            power /= x2;
            terms++;
        }
        // Each term is off by < 2 units (two truncations), the tail is < 1 unit once power is 0.
        return (sum, 2 * terms + 2);
    }

    private sealed class PoleException(string message) : Exception(message);

    private sealed class UnboundedAtomException(string message) : Exception(message);

    /// <summary>A closed rational interval; exact values have Lo == Hi.</summary>
    private readonly record struct Interval(Rational Lo, Rational Hi)
    {
        public static Interval Exact(Rational r) => new(r, r);
        public bool IsExact => Lo == Hi;
        public bool ContainsZero => Lo.Sign <= 0 && Hi.Sign >= 0;

        public static Interval operator +(Interval a, Interval b) => new(a.Lo + b.Lo, a.Hi + b.Hi);

        public static Interval operator *(Interval a, Interval b)
        {
            if (a.IsExact && b.IsExact) return Exact(a.Lo * b.Lo);
            // The product's extremes are among the four corner products.
            Rational p1 = a.Lo * b.Lo, p2 = a.Lo * b.Hi, p3 = a.Hi * b.Lo, p4 = a.Hi * b.Hi;
            var lo = p1; var hi = p1;
            foreach (var p in (ReadOnlySpan<Rational>)[p2, p3, p4]) { if (p < lo) lo = p; if (p > hi) hi = p; }
            return new(lo, hi);
        }

        public Interval Reciprocal() => IsExact ? Exact(Lo.Reciprocal()) : new(Hi.Reciprocal(), Lo.Reciprocal());
    }

    /// <summary>An exact running sum kept as an unreduced fraction N/D (D > 0), reduced once when read.</summary>
    private struct Accumulator()
    {
        private BigInteger _n = BigInteger.Zero, _d = BigInteger.One;

        public void Add(Rational r)
        {
            if (r.IsZero) return;
            var (n, d) = (r.Numerator, r.Denominator);
            if ((_d % d).IsZero) { _n += n * (_d / d); return; }
            var g = BigInteger.GreatestCommonDivisor(_d, d);
            _n = _n * (d / g) + n * (_d / g);
            _d *= d / g;
        }

        public readonly Rational Value => new(_n, _d);
    }

    /// <summary>One evaluation at a fixed precision for pi, memoized per node (the trees are shared DAGs).</summary>
    private sealed class Run(IReadOnlyDictionary<Symbol, Rational> values, int bits)
    {
        private readonly Dictionary<Expr, Interval> _memo = [];

        public Interval Eval(Expr e)
        {
            if (_memo.TryGetValue(e, out var known)) return known;
            Interval result;
            switch (e)
            {
                case Number n:
                    if (!n.IsReal) throw new UnboundedAtomException($"the complex constant {n}");
                    result = Interval.Exact(n.Re);
                    break;
                case Symbol s when s == Ex.Pi:
                    var (lo, hi) = PiInterval(bits);
                    result = new Interval(lo, hi);
                    break;
                case Symbol s when s.Kind == SymbolKind.Constant:
                    throw new UnboundedAtomException($"the constant {s.Name}");
                case Symbol s:
                    if (!values.TryGetValue(s, out var v)) throw new ArgumentException($"no value given for '{s.Name}'");
                    result = Interval.Exact(v);
                    break;
                case Sum sum:
                {
                    // Long sums (Categorical's c_64 has thousands of terms) accumulate over a common denominator and
                    // reduce once: the terms' denominators are mostly divisors of one another (powers of 10 and n!).
                    var low = new Accumulator();
                    var high = new Accumulator();
                    foreach (var a in sum.Args)
                    {
                        var t = Eval(a);
                        low.Add(t.Lo);
                        high.Add(t.Hi);
                    }
                    result = new Interval(low.Value, high.Value);
                    break;
                }
                case Product product:
                    result = Interval.Exact(Rational.One);
                    foreach (var a in product.Args) result *= Eval(a);
                    break;
                case Power p:
                    result = Power(p);
                    break;
                case Call c:
                    result = Call(c);
                    break;
                default:
                    throw new UnboundedAtomException(e.ToString());
            }
            _memo[e] = result;
            return result;
        }

        private Interval Power(Power p)
        {
            var b = Eval(p.Base);
            if (p.Exponent is Number { IsReal: true } n && n.Re.IsInteger && BigInteger.Abs(n.Re.Numerator) <= 100_000)
            {
                int k = (int)n.Re.Numerator;
                if (k < 0 && b.ContainsZero)
                    throw new PoleException($"division by zero: {p.Base} is 0 at this point");
                var magnitude = IntegerPower(b, Math.Abs(k));
                return k < 0 ? magnitude.Reciprocal() : magnitude;
            }
            if (p.Exponent is Number { IsReal: true } h && (h.Re == Rational.Half || h.Re == -Rational.Half))
            {
                if (b.Lo.Sign < 0) throw new PoleException($"square root of a negative number: {p.Base} < 0 at this point");
                if (h.Re.Sign < 0 && b.ContainsZero) throw new PoleException($"division by zero: {p.Base} is 0 at this point");
                var root = new Interval(Sqrt(b.Lo, up: false), Sqrt(b.Hi, up: true));
                return h.Re.Sign < 0 ? root.Reciprocal() : root;
            }
            throw new UnboundedAtomException(p.ToString());
        }

        /// <summary>x^k by binary powering; an interval straddling 0 to an even power starts at 0.</summary>
        private static Interval IntegerPower(Interval x, int k)
        {
            if (x.IsExact) return Interval.Exact(x.Lo.Pow(k));
            if (k == 0) return Interval.Exact(Rational.One);
            // Monotone pieces: x^k for odd k is increasing; for even k, |x|^k on the interval's absolute range.
            if (k % 2 == 1) return new Interval(x.Lo.Pow(k), x.Hi.Pow(k));
            Rational a = x.Lo.Sign < 0 ? -x.Lo : x.Lo, b = x.Hi.Sign < 0 ? -x.Hi : x.Hi;
            var max = a > b ? a : b;
            var min = x.ContainsZero ? Rational.Zero : (a < b ? a : b);
            return new Interval(min.Pow(k), max.Pow(k));
        }

        /// <summary>A dyadic bound on sqrt(r) (r >= 0) within 2^-bits: below it or above it.</summary>
        private Rational Sqrt(Rational r, bool up)
        {
            if (r.IsZero) return Rational.Zero;
            // floor(sqrt(r * 4^bits)) / 2^bits <= sqrt(r) < (that + 1) / 2^bits.
            var scaled = (r.Numerator << (2 * bits)) / r.Denominator;
            var s = IntegerSqrt(scaled);
            if (up) s += 1;
            return new Rational(s, BigInteger.One << bits);
        }

        private static BigInteger IntegerSqrt(BigInteger n)
        {
            if (n < 2) return n;
            // Newton's iteration from above converges monotonically to floor(sqrt(n)).
            var x = BigInteger.One << (int)((n.GetBitLength() + 1) / 2);
            while (true)
            {
                var y = (x + n / x) >> 1;
                if (y >= x) return x;
                x = y;
            }
        }

        private Interval Call(Call c)
        {
            // A function with an exact interval rule in its registry entry (abs, sign) is evaluated through it; any other
            // call is an atom without a bounded evaluation here.
            if (Functions.FunctionRegistry.Node(c.Function).Exact is not { } exact) throw new UnboundedAtomException(c.ToString());
            var x = Eval(c.Arg);
            var (lo, hi) = exact(x.Lo, x.Hi);
            return new Interval(lo, hi);
        }
    }
}
