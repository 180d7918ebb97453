using System.Numerics;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Functions;

namespace SeriesCompiler.Symbolic.Series;

/// <summary>Why a function has no power series at 0 (the message of a non-analyticity diagnostic).</summary>
public sealed class NotAnalyticException(string reason) : Exception(reason);

/// <summary>
/// Expands an expression in one variable <c>t</c> as a truncated power series at t = 0, node by node,
/// using the recurrences of <see cref="TruncatedSeries"/>. Quotients whose denominator vanishes at 0
/// (removable singularities) are expanded to a higher order and the common power of t is cancelled;
/// anything that is not analytic at 0 raises <see cref="NotAnalyticException"/> with the reason.
/// </summary>
public sealed class SeriesExpander
{
    private readonly Symbol _t;
    private readonly Dictionary<(Expr, int), TruncatedSeries> _memo = new();
    // Laurent parts and products of factor lists are asked for again and again (a sum reads each term's Laurent part
    // twice, a quotient multiplies its denominator to find its valuation and again to divide): each is computed once.
    private readonly Dictionary<(Expr, int), (TruncatedSeries, int)> _laurent = new();
    private readonly Dictionary<(FactorList, int), TruncatedSeries> _products = new();

    public SeriesExpander(Symbol variable) => _t = variable;

    /// <summary>Deepest order a quotient may climb to while cancelling powers of t.</summary>
    public const int MaxInternalOrder = 512;

    public TruncatedSeries Expand(Expr e, int order)
    {
        if (order > MaxInternalOrder) throw new NotAnalyticException($"cancelling a removable singularity needs order {order}, above the limit {MaxInternalOrder}");
        if (!e.Contains(_t)) return TruncatedSeries.Constant(e, order);
        if (_memo.TryGetValue((e, order), out var known)) return known;
        var result = e switch
        {
            Symbol => TruncatedSeries.Variable(order),
            Sum s => ExpandSum(s, order),
            Product p => ExpandProduct(p.Args, order),
            Power p => ExpandPower(p, order),
            Call c => ExpandCall(c, order),
            _ => throw new NotAnalyticException($"cannot expand {e}"),
        };
        _memo[(e, order)] = result;
        return result;
    }

    /// <summary>
    /// A sum whose terms have poles at 0 that cancel (<c>e^(bt)/t - e^(at)/t</c>): each term is expanded as a
    /// Laurent series to a higher order, the principal parts must cancel, and what is left is the series.
    /// </summary>
    private TruncatedSeries ExpandSum(Sum s, int order)
    {
        int pole = 0;
        foreach (var term in s.Args) pole = Math.Max(pole, Laurent(term, order).Pole);
        // No pole anywhere: the coefficients are added in the ring, which gives the very polynomials the expressions
        // would (see TruncatedSeries.SumInRing) without building them.
        if (pole == 0 && TruncatedSeries.SumInRing(s.Args.Select(term => Laurent(term, order).Series).ToArray(), order) is { } sum) return sum;
        // Index i collects t^(i - pole); each coefficient is summed once at the end (adding term by term would
        // rebuild a growing sum for every term: quadratic in the number of terms).
        var parts = new List<Expr>[order + pole + 1];
        for (int i = 0; i < parts.Length; i++) parts[i] = [];
        foreach (var term in s.Args)
        {
            var (series, m) = Laurent(term, order + pole);
            for (int n = 0; n <= series.Order && n - m + pole < parts.Length; n++)
                if (n - m + pole >= 0 && !series[n].IsZero) parts[n - m + pole].Add(series[n]);
        }
        var total = parts.Select(p => Ex.Add(p.ToArray())).ToArray();
        for (int i = 0; i < pole; i++)
            if (!total[i].IsZero)
                throw new NotAnalyticException($"pole of order {pole - i} at t = 0 in {s}");
        return new TruncatedSeries(total[pole..]).CancelDenominators();
    }

    /// <summary>A term as <c>t^(-Pole) * Series</c>, with Series correct to <paramref name="order"/> + Pole.</summary>
    private (TruncatedSeries Series, int Pole) Laurent(Expr term, int order)
    {
        if (term is not (Product or Power) || !term.Contains(_t)) return (Expand(term, order), 0);
        if (_laurent.TryGetValue((term, order), out var known)) return known;
        var result = LaurentOf(term, order);
        _laurent[(term, order)] = result;
        return result;
    }

    private (TruncatedSeries Series, int Pole) LaurentOf(Expr term, int order)
    {
        var factors = term is Product p ? (IReadOnlyList<Expr>)p.Args : [term];
        var (numerator, denominator) = SplitDenominator(factors);
        if (denominator.Count == 0) return (Expand(term, order), 0);
        int q = DenominatorValuation(denominator, order);
        // The product of the factors is the term's own expansion (a product's, or a negative power's, which is the product
        // [term]): Expand finds it when it was expanded before.
        if (q == 0) return (Expand(term, order), 0);
        var num = Multiply(numerator, order + q);
        var den = Multiply(denominator, order + q);
        int v = Math.Min(num.Valuation, q);
        var quotient = TruncatedSeries.Divide(num.ShiftDown(v), den.ShiftDown(q));
        return (quotient, q - v);
    }

    /// <summary>
    /// The order to which a denominator vanishes at t = 0. It may exceed the requested order (t^2 at order 1),
    /// so the expansion looks further before deciding that it vanishes identically.
    /// </summary>
    private int DenominatorValuation(List<Expr> denominator, int order)
    {
        var den = Multiply(denominator, order);
        int q = den.Valuation;
        for (int probe = 2 * order + 2; q > den.Order && probe <= MaxInternalOrder; probe *= 2)
        {
            den = Multiply(denominator, probe);
            q = den.Valuation;
        }
        if (q > den.Order)
            throw new NotAnalyticException($"the denominator {Ex.Mul(denominator.ToArray())} vanishes identically near t = 0");
        return q;
    }

    private (List<Expr> Numerator, List<Expr> Denominator) SplitDenominator(IReadOnlyList<Expr> factors)
    {
        var numerator = new List<Expr>();
        var denominator = new List<Expr>();
        foreach (var f in factors)
        {
            if (f is Power { Exponent: Number { IsReal: true } e } p && e.Re.IsInteger && e.Re.Sign < 0 && p.Base.Contains(_t))
                denominator.Add(Ex.Pow(p.Base, Ex.Num(-e.Re)));
            else numerator.Add(f);
        }
        return (numerator, denominator);
    }

    /// <summary>Negative integer powers form the denominator; cancel its valuation against the numerator's.</summary>
    private TruncatedSeries ExpandProduct(IReadOnlyList<Expr> factors, int order)
    {
        var (numerator, denominator) = SplitDenominator(factors);
        if (denominator.Count == 0) return Multiply(numerator, order);

        int q = DenominatorValuation(denominator, order);
        var den = Multiply(denominator, order);
        if (q == 0) return TruncatedSeries.Divide(Multiply(numerator, order), den);

        // t^p a~ / (t^q c~) = t^(p-q) a~/c~: expand both to order + q so the quotient is right to order.
        var num = Multiply(numerator, order + q);
        den = Multiply(denominator, order + q);
        int numeratorValuation = num.Valuation;
        if (numeratorValuation < q)
            throw new NotAnalyticException($"pole of order {q - numeratorValuation} at t = 0: the denominator {Ex.Mul(denominator.ToArray())} vanishes faster than the numerator");
        return TruncatedSeries.Divide(num.ShiftDown(q), den.ShiftDown(q)).Truncate(order);
    }

    private TruncatedSeries Multiply(List<Expr> factors, int order)
    {
        var key = (new FactorList([.. factors]), order);
        if (_products.TryGetValue(key, out var known)) return known;
        var result = MultiplyOf(factors, order);
        _products[key] = result;
        return result;
    }

    private TruncatedSeries MultiplyOf(List<Expr> factors, int order)
    {
        var constant = new List<Expr>();
        TruncatedSeries? product = null;
        foreach (var f in factors)
        {
            if (!f.Contains(_t)) { constant.Add(f); continue; }
            var series = Expand(f, order);
            product = product is null ? series : product * series;
        }
        var c = Ex.Mul(constant.ToArray());
        if (product is null) return TruncatedSeries.Constant(c, order);
        return c.IsOne ? product : product.Scale(c);
    }

    private TruncatedSeries ExpandPower(Power p, int order)
    {
        if (p.Exponent.Contains(_t))
            // u^v = exp(v log u)
            return Expand(Ex.Exp(Ex.Mul(p.Exponent, Ex.Log(p.Base))), order);

        if (p.Exponent is Number { IsReal: true } e && e.Re.IsInteger && e.Re.Sign < 0)
            return ExpandProduct([p], order);

        var b = Expand(p.Base, order);
        int v = b.Valuation;
        if (v == 0) return RaiseSeries(b, p.Exponent);
        if (v > order)
        {
            // The base vanishes to every kept order: a positive integer power is zero, anything else is suspect.
            if (p.Exponent is Number { IsReal: true } pe && pe.Re.IsInteger && pe.Re.Sign > 0) return TruncatedSeries.Constant(Ex.Zero, order);
            throw new NotAnalyticException($"{p.Base} vanishes at t = 0 and the power {p.Exponent} is not a positive integer (a branch point, as in sqrt(w))");
        }
        if (p.Exponent is Number { IsReal: true } n && n.Re.IsInteger && n.Re.Sign > 0)
        {
            // (t^v a~)^n = t^(v n) a~^n; a large n just shifts every term out of range.
            var shift = (BigInteger)v * n.Re.Numerator;
            if (shift > order) return TruncatedSeries.Constant(Ex.Zero, order);
            int s = (int)shift;
            var reduced = Expand(p.Base, order + v).ShiftDown(v).Truncate(order - s);
            return RaiseSeries(reduced, p.Exponent).ShiftUp(s, order);
        }
        throw new NotAnalyticException($"{p.Base} vanishes at t = 0 and the power {p.Exponent} is not a positive integer (a branch point, as in sqrt(w))");
    }

    /// <summary>
    /// b^e. Small positive integer powers multiply (binary powering), which keeps polynomial coefficients
    /// polynomial; other exponents use Miller's recurrence, which divides by b_0.
    /// </summary>
    private static TruncatedSeries RaiseSeries(TruncatedSeries b, Expr exponent)
    {
        if (exponent is Number { IsReal: true } n && n.Re.IsInteger && n.Re.Sign > 0 && n.Re.Numerator <= 64)
        {
            int k = (int)n.Re.Numerator;
            TruncatedSeries? result = null;
            var square = b;
            for (; k > 0; k >>= 1)
            {
                if ((k & 1) != 0) result = result is null ? square : result * square;
                if (k > 1) square *= square;
            }
            return result!;
        }
        return b.Pow(exponent);
    }

    private TruncatedSeries ExpandCall(Call c, int order)
    {
        // log splits products first (ExpandLog); every other function's series is its registry entry's rule.
        if (c.Function == Function.Log) return ExpandLog(c.Arg, order);
        return FunctionRegistry.Node(c.Function).Series(() => Expand(c.Arg, order), c.Arg, c.Args, order);
    }

    /// <summary>
    /// log(u). A product whose factors are all non-zero at t = 0 is split (log(a b^c e^v) = log a + c log b + v),
    /// which keeps coefficients small; otherwise the whole argument is expanded (so removable singularities
    /// inside it cancel first) and the log recurrence applied.
    /// </summary>
    private TruncatedSeries ExpandLog(Expr u, int order)
    {
        if (u is Product p && CanSplitLog(p, order))
        {
            TruncatedSeries? total = null;
            foreach (var f in p.Args)
            {
                if (!f.Contains(_t)) continue; // its log is a constant, checked by phi(0) = 1 below
                var (b, e) = ExprComparer.SplitPower(f);
                var part = ExpandLog(b, order).Scale(e);
                total = total is null ? part : total + part;
            }
            var constant = Ex.Mul(p.Args.Where(f => !f.Contains(_t)).ToArray());
            var constantLog = TruncatedSeries.Constant(constant.IsOne ? Ex.Zero : Ex.Log(constant), order);
            return total is null ? constantLog : total + constantLog;
        }
        if (u is Power pw && !pw.Exponent.Contains(_t) && Expand(pw.Base, order).Valuation == 0)
            return ExpandLog(pw.Base, order).Scale(pw.Exponent);
        if (u is Call { Function: Function.Exp } ex) return Expand(ex.Arg, order);

        // The registry's log rule: log(u) needs u(0) != 0.
        return FunctionRegistry.Node(Function.Log).Series(() => Expand(u, order), u, [u], order);
    }

    private bool CanSplitLog(Product p, int order)
    {
        foreach (var f in p.Args)
        {
            if (!f.Contains(_t)) continue;
            var (b, e) = ExprComparer.SplitPower(f);
            if (e.Contains(_t)) return false;
            if (b is Call { Function: Function.Exp }) continue;
            if (Expand(b, order).Valuation != 0) return false;
        }
        return true;
    }
}

/// <summary>A list of factors compared element by element (the key of a product already expanded).</summary>
internal readonly struct FactorList(Expr[] items) : IEquatable<FactorList>
{
    private readonly Expr[] _items = items;
    private readonly int _hash = Hash(items);

    private static int Hash(Expr[] items)
    {
        var h = new HashCode();
        foreach (var e in items) h.Add(e);
        return h.ToHashCode();
    }

    public bool Equals(FactorList other) => _hash == other._hash && _items.AsSpan().SequenceEqual(other._items);
    public override bool Equals(object? obj) => obj is FactorList f && Equals(f);
    public override int GetHashCode() => _hash;
}
