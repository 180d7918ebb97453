using System.Numerics;
using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Symbolic.Series;

/// <summary>
/// One canonical form for K(t) however its logarithms are written (series-math.md, "Canonical logarithms").
/// K(t) is read as <c>sum_i W_i log g_i(t) + P(t) + C</c>: every log of a product, quotient or power is split into
/// its factors (<c>log(a b) = log a + log b</c>, <c>log(a^r) = r log a</c>), <c>log(exp x) = x</c>, a sum has its
/// common factors pulled out (<c>p/(p e^t - 1) - 1/(p e^t - 1) = (p - 1) (p e^t - 1)^-1</c>) and its rational
/// content divided off (first term's coefficient 1: <c>p e^t - 1 -> -(1 - p e^t)</c>), and equal factors g_i are
/// merged with their weights W_i added.
/// <para>
/// Why this is exact: for formal power series with a non-zero constant term, <c>log u := log u(0) + L(u/u(0))</c>
/// with L the unique logarithm of a series with constant term 1, and L is additive (L(ab) = L(a) + L(b),
/// L(a^r) = r L(a)) whatever branch log u(0) takes. So the t-dependent part of K is split exactly, and the constants
/// move to one bag C, equal to the written K(0) modulo 2 pi i (principal logs and powers: Log(ab) = Log a + Log b
/// and Log(a^r) = r Log a modulo 2 pi i). Factors that vanish at t = 0 (Logistic's t / sin(pi s t)) are never split
/// from each other; they stay together as one factor with a non-zero constant term.
/// </para>
/// The canonical K is <c>sum_i W_i (log g_i - log g_i(0)) + P - P(0)</c>, zero at t = 0 by construction; the written
/// K(0) = 0 is proven separately (<see cref="Result.ConstantVanishes"/>) by decomposing the constants the same way
/// and finding every weight zero (log(-1) = i pi may remain an even number of times: K is a log, defined modulo 2 pi i).
/// </summary>
public static class LogCanonicalForm
{
    /// <summary>The canonical K (zero at t = 0) and whether the written K(0) was proven to be 0 modulo 2 pi i.</summary>
    public sealed record Result(Expr K, bool ConstantVanishes, Expr Constant);

    /// <summary>Depth of nested factor extraction (each level removes at least one common factor).</summary>
    private const int MaxDepth = 32;

    public static Result Normalize(Expr k, Symbol t, SeriesExpander expander)
    {
        var parts = new Parts();
        var decomposer = new Decomposer(t, expander);
        decomposer.Additive(k, Ex.One, parts);

        var canonical = new List<Expr>();
        var constants = new Parts();
        var written = new List<Expr>(); // the constant K(0) as the pieces give it, for messages
        foreach (var (atom, w) in MergeOpposite(MergeVanishing(parts, decomposer), t))
        {
            if (w.IsZero) continue;
            if (!atom.Contains(t)) { constants.AddLog(atom, w); written.Add(Ex.Mul(w, Ex.Log(atom))); continue; }
            // W (log g - log g(0)): the t-dependent part, exact for any branch of log g(0).
            var at0 = expander.Expand(atom, 1)[0];
            if (at0.IsZero) throw new NotAnalyticException($"log({atom}): the argument vanishes at t = 0, where the logarithm has a singularity");
            canonical.Add(Ex.Mul(w, Ex.Log(atom)));
            canonical.Add(Ex.Neg(Ex.Mul(w, Ex.Log(at0))));
            written.Add(Ex.Mul(w, Ex.Log(at0)));
            decomposer.Log(at0, w, constants, 0);
        }
        var plain = Ex.Add(parts.Plain.ToArray());
        if (plain.Contains(t))
        {
            var p0 = expander.Expand(plain, 1)[0];
            canonical.Add(plain);
            canonical.Add(Ex.Neg(p0));
            constants.Plain.Add(p0);
            written.Add(p0);
        }
        else { constants.Plain.Add(plain); written.Add(plain); }
        return new Result(Ex.Add(canonical.ToArray()), Vanishes(constants), Ex.Add(written.ToArray()));
    }

    /// <summary>
    /// The merged weight of each factor, where the factors that vanish or have a pole at t = 0 (written as separate logs,
    /// log(t) - log(sin t)) are put back together: W_1 log g_1 + W_2 log g_2 = W_1 log(g_1 g_2^(W_2/W_1)) when the
    /// weights are rational multiples of one another; only such a product can have a series logarithm.
    /// </summary>
    private static List<(Expr Atom, Expr Weight)> MergeVanishing(Parts parts, Decomposer decomposer)
    {
        var merged = parts.Logs().Select(l => (Atom: l.Atom, Weight: Ex.Add(l.Weights.ToArray()))).Where(l => !l.Weight.IsZero).ToList();
        // In canonical order, so that the weight kept (the first one's) does not depend on how K was written.
        var vanishing = merged.Where(l => !decomposer.NonVanishing(l.Atom)).OrderBy(l => l.Atom, ExprComparer.Instance).ToList();
        if (vanishing.Count < 2) return merged;
        var w0 = vanishing[0].Weight;
        var factors = new List<Expr>();
        foreach (var (atom, w) in vanishing)
        {
            if (Ex.Div(w, w0) is not Number { IsReal: true } ratio) return merged; // not comparable: left as written
            factors.Add(Ex.Pow(atom, ratio));
        }
        merged.RemoveAll(l => vanishing.Contains(l));
        merged.Add((Ex.Mul(factors.ToArray()), w0));
        return merged;
    }

    /// <summary>
    /// sum W log a + c = 0 modulo 2 pi i: every merged weight is 0 except that of log(-1) = i pi, which must be an
    /// even integer, and the plain constants add to 0. Factors are canonical, so equal logs have met.
    /// </summary>
    /// <summary>
    /// Linear factors with opposite roots and equal weights are put back together: W log(1 - r t) + W log(1 + r t) =
    /// W log(1 - r^2 t^2). The quadratics are split into linear factors first (<see cref="PolynomialFactors"/>), so
    /// the symmetric pair keeps one form however it was written, and it is the form whose derivative the catalogue
    /// reads as a Laplace shift (Laplace's b: one f'' term rather than two f' terms of opposite sign).
    /// </summary>
    private static List<(Expr Atom, Expr Weight)> MergeOpposite(List<(Expr Atom, Expr Weight)> logs, Symbol t)
    {
        var result = new List<(Expr Atom, Expr Weight)>(logs);
        for (int i = 0; i < result.Count; i++)
        {
            if (PolynomialFactors.Coefficients(result[i].Atom, t, 1) is not [var a1, var b1] || a1.IsZero || b1.IsZero) continue;
            for (int j = i + 1; j < result.Count; j++)
            {
                if (!result[i].Weight.Equals(result[j].Weight)) continue;
                if (PolynomialFactors.Coefficients(result[j].Atom, t, 1) is not [var a2, var b2] || a2.IsZero || b2.IsZero) continue;
                // Roots -a1/b1 and -a2/b2 opposite: b1/a1 + b2/a2 = 0.
                if (!Ex.Add(Ex.Div(b1, a1), Ex.Div(b2, a2)).IsZero) continue;
                result[i] = (Ex.Mul(result[i].Atom, result[j].Atom), result[i].Weight);
                result.RemoveAt(j);
                break;
            }
        }
        return result;
    }

    private static bool Vanishes(Parts constants)
    {
        if (!Ex.Add(constants.Plain.ToArray()).IsZero) return false;
        foreach (var (atom, weights) in constants.Logs())
        {
            var w = Ex.Add(weights.ToArray());
            if (w.IsZero) continue;
            if (atom.Equals(Ex.MinusOne) && w is Number { IsReal: true } n && n.Re.IsInteger && n.Re.Numerator.IsEven) continue;
            return false;
        }
        return true;
    }

    /// <summary>Weights per log factor (in first-seen order) and the terms that are not logarithms.</summary>
    private sealed class Parts
    {
        private readonly Dictionary<Expr, List<Expr>> _logs = new();
        private readonly List<Expr> _order = new();
        public List<Expr> Plain { get; } = new();

        public void AddLog(Expr atom, Expr weight)
        {
            if (!_logs.TryGetValue(atom, out var list)) { _logs[atom] = list = new List<Expr>(); _order.Add(atom); }
            list.Add(weight);
        }

        public IEnumerable<(Expr Atom, List<Expr> Weights)> Logs() => _order.Select(a => (a, _logs[a]));
    }

    private sealed class Decomposer(Symbol t, SeriesExpander expander)
    {
        /// <summary>An additive expression: each <c>c * log(u)</c> with c free of t is split, the rest is plain.</summary>
        public void Additive(Expr e, Expr weight, Parts parts)
        {
            foreach (var term in e is Sum s ? s.Args.ToArray() : [e])
            {
                if (term is Call { Function: Function.Log } log) { Log(log.Arg, weight, parts, 0); continue; }
                if (term is Product p && p.Args.Count(f => f is Call { Function: Function.Log }) == 1)
                {
                    var log1 = (Call)p.Args.First(f => f is Call { Function: Function.Log });
                    var rest = Ex.Mul(p.Args.Where(f => !ReferenceEquals(f, log1)).ToArray());
                    if (!rest.Contains(t)) { Log(log1.Arg, Ex.Mul(weight, rest), parts, 0); continue; }
                }
                parts.Plain.Add(Ex.Mul(weight, term));
            }
        }

        /// <summary>weight * log(u), split into canonical factors.</summary>
        public void Log(Expr u, Expr weight, Parts parts, int depth)
        {
            switch (u)
            {
                case Number n:
                    AddNumber(n.Value, weight, parts);
                    return;
                case Call { Function: Function.Exp } exp:
                    // log(exp x) = x (modulo 2 pi i), and the logs inside x are split like any others (log(exp(-m log Q)/7)).
                    Additive(exp.Arg, weight, parts);
                    return;
                case Power pw when !pw.Exponent.Contains(t) && NonVanishing(pw.Base):
                    // log(b^r) = r log b: b(0) != 0 (or b free of t) and principal powers.
                    Log(pw.Base, Ex.Mul(weight, pw.Exponent), parts, depth);
                    return;
                case Product p:
                    LogProduct(p, weight, parts, depth);
                    return;
                case Sum s when depth < MaxDepth:
                    LogSum(s, weight, parts, depth);
                    return;
                default:
                    parts.AddLog(u, weight);
                    return;
            }
        }

        /// <summary>
        /// log(a b c) = log a + log b + log c for the factors free of t or non-zero at t = 0; the factors that vanish
        /// or have a pole at 0 stay together (their product is non-zero there, and only it has a series log).
        /// </summary>
        private void LogProduct(Product p, Expr weight, Parts parts, int depth) => LogFactors(p.Args, weight, parts, depth);

        private void LogFactors(IEnumerable<Expr> factors, Expr weight, Parts parts, int depth)
        {
            var together = new List<Expr>();
            foreach (var f in factors)
            {
                if (!f.Contains(t) || NonVanishing(f)) Log(f, weight, parts, depth);
                else together.Add(f);
            }
            if (together.Count > 0) parts.AddLog(Ex.Mul(together.ToArray()), weight);
        }

        /// <summary>A sum: common factors pulled out, then its rational content (the first term's coefficient).</summary>
        private void LogSum(Sum s, Expr weight, Parts parts, int depth)
        {
            var common = CommonFactors(s);
            if (common.Count > 0)
            {
                // s = prod b^m * (s / prod b^m): the quotient divides term by term.
                var pulled = common.Select(c => Ex.Pow(c.Base, c.Exponent)).ToList();
                var divisor = Ex.Mul(pulled.ToArray());
                var rest = Ex.Add(s.Args.Select(a => Ex.Div(a, divisor)).ToArray());
                if (!rest.Equals(s))
                {
                    // The pulled factors and the rest are a product: split as one (factors vanishing at 0 stay together).
                    LogFactors([.. pulled, rest], weight, parts, depth + 1);
                    return;
                }
            }
            // A quadratic with exact real roots: log(c0 (1 - l1 t)(1 - l2 t)) = log c0 + log(1 - l1 t) + log(1 - l2 t),
            // each factor 1 at t = 0 (PolynomialFactors), so (1 - b1 t)(1 + b2 t) and its expansion meet as two factors.
            if (PolynomialFactors.TryLinearFactors(s, t, out var leading, out var l1, out var l2))
            {
                LogFactors([leading, Ex.Sub(Ex.One, Ex.Mul(l1, t)), Ex.Sub(Ex.One, Ex.Mul(l2, t))], weight, parts, depth + 1);
                return;
            }
            var (c0, _) = Ex.SplitCoefficient(s.Args[0]);
            if (!c0.IsOne)
            {
                // s = c0 * (s / c0): log c0 joins the constants and the factor has leading coefficient 1, so g and -g
                // (and 2g) are one factor.
                AddNumber(c0, weight, parts);
                parts.AddLog(Ex.Mul(Ex.Num(c0.Reciprocal()), s), weight);
                return;
            }
            parts.AddLog(s, weight);
        }

        /// <summary>
        /// Bases with an integer exponent of one sign in every term: b^min (all positive) or b^max (all negative).
        /// </summary>
        private static List<(Expr Base, Expr Exponent)> CommonFactors(Sum s)
        {
            var result = new List<(Expr, Expr)>();
            // exp(x_1) in every term: e^(x_1) (1 + e^(x_2 - x_1) + ...), exp(a + b) = exp(a) exp(b). The sum is
            // canonical, so its first term (hence x_1) is the same however the sum was written.
            var exps = s.Args.Select(a => (a is Product p ? p.Args.ToArray() : [a]).OfType<Call>().FirstOrDefault(c => c.Function == Function.Exp)).ToList();
            if (exps.All(e => e is not null)) result.Add((exps[0]!, Ex.One));
            var first = Factors(s.Args[0]);
            foreach (var (b, e0) in first)
            {
                var m = e0;
                bool everywhere = true;
                for (int i = 1; i < s.Args.Length && everywhere; i++)
                {
                    var other = Factors(s.Args[i]);
                    if (!other.TryGetValue(b, out var e) || e.Sign != m.Sign) everywhere = false;
                    else m = m.Sign > 0 ? BigInteger.Min(m, e) : BigInteger.Max(m, e);
                }
                if (everywhere) result.Add((b, Ex.Num(m, BigInteger.One)));
            }
            return result;
        }

        /// <summary>The non-constant factors of a term with integer exponents (other exponents: the whole power, exponent 1).</summary>
        private static Dictionary<Expr, BigInteger> Factors(Expr term)
        {
            var map = new Dictionary<Expr, BigInteger>();
            foreach (var f in term is Product p ? p.Args.ToArray() : [term])
            {
                if (f is Number or Call { Function: Function.Exp }) continue; // exp factors: see CommonFactors
                var (b, e) = ExprComparer.SplitPower(f);
                if (e is Number { IsReal: true } n && n.Re.IsInteger) map[b] = n.Re.Numerator;
                else map[f] = BigInteger.One;
            }
            return map;
        }

        /// <summary>Free of t, or a series with a non-zero constant term (so its log has a series).</summary>
        public bool NonVanishing(Expr f)
        {
            if (!f.Contains(t)) return true;
            try { return expander.Expand(f, 1).Valuation == 0; }
            catch (NotAnalyticException) { return false; } // a pole at 0: kept with the factors that cancel it
        }

        /// <summary>
        /// log of an exact constant: log(-1) apart (i pi), then the primes of a rational's numerator and denominator,
        /// so that log 4 and 2 log 2 meet. Small primes only; a large cofactor stays one factor.
        /// </summary>
        private static void AddNumber(GaussianRational v, Expr weight, Parts parts)
        {
            if (v.IsOne) return;
            if (!v.Im.IsZero) { parts.AddLog(Ex.Num(v), weight); return; }
            var r = v.Re;
            if (r.Sign < 0) { parts.AddLog(Ex.MinusOne, weight); r = -r; }
            AddInteger(r.Numerator, weight, parts);
            AddInteger(r.Denominator, Ex.Neg(weight), parts);
        }

        private static void AddInteger(BigInteger n, Expr weight, Parts parts)
        {
            for (int p = 2; p < 1000 && n > 1; p++)
            {
                int k = 0;
                while (n % p == 0) { n /= p; k++; }
                if (k > 0) parts.AddLog(Ex.Num(p), Ex.Mul(Ex.Num(k), weight));
            }
            if (n > 1) parts.AddLog(Ex.Num(n, BigInteger.One), weight);
        }
    }
}
