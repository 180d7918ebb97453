using System.Collections.Immutable;
using SeriesCompiler.Symbolic.Binding;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Symbolic.Series;

/// <summary>A derivation problem with the catalogue entry that reports it.</summary>
public sealed class DerivationException(DiagnosticDescriptor descriptor, string message) : Exception(message)
{
    public DiagnosticDescriptor Descriptor { get; } = descriptor;
}

/// <summary>
/// Stage 3, expand: <c>w = -i t</c> substituted, the log taken where a <c>cf</c> was given, and
/// <c>K(t) = sum_n c_n t^n</c> read off to order N. With several variables every <c>t_j</c> is scaled by
/// one grading variable <c>s</c>; the coefficient of <c>s^n</c> is the homogeneous part of degree n, whose
/// monomials give the multi-index coefficients.
/// </summary>
public static class CumulantSeries
{
    public static readonly Symbol T = Ex.Sym("t", SymbolKind.Variable);
    private static readonly Symbol Grading = Ex.Sym("s#", SymbolKind.Variable);

    /// <summary>
    /// The coefficients c_n of K(t) and their derivatives in <paramref name="parameters"/> (a_{n,p}), for every
    /// multi-index of total degree 1..order in graded lexicographic order.
    /// </summary>
    public static ImmutableArray<(ImmutableArray<int> Index, Expr Value, ImmutableArray<Expr> Derivatives)> Expand(
        BoundDistribution d, int order, ImmutableArray<Symbol> parameters) =>
        ExpandExact(d, order, parameters).Select(c => (c.Index, c.Value(), c.Derivatives())).ToImmutableArray();

    /// <summary>
    /// <see cref="Expand"/> with each coefficient and derivative computed exactly in the series' polynomial ring, and
    /// its canonical expression built only when asked for (a caller that validates without printing never builds it).
    /// </summary>
    internal static ImmutableArray<(ImmutableArray<int> Index, Func<Expr> Value, Func<ImmutableArray<Expr>> Derivatives)> ExpandExact(
        BoundDistribution d, int order, ImmutableArray<Symbol> parameters)
    {
        var body = d.Characteristic ?? throw new InvalidOperationException("a derived distribution has no characteristic function");
        var variables = d.FrequencyVariables;
        bool single = variables.Length == 1;
        var tVariables = single ? [T] : variables.Select((_, j) => Ex.Sym("t" + (j + 1), SymbolKind.Variable)).ToImmutableArray();
        var expansionVariable = single ? T : Grading;

        // w_j = -i t_j (for a cgf the variable already is t_j); scaled by s with several variables.
        var map = new Dictionary<Symbol, Expr>();
        for (int j = 0; j < variables.Length; j++)
        {
            Expr t = single ? T : Ex.Mul(Grading, tVariables[j]);
            map[variables[j]] = d.CharacteristicKind == CharacteristicKind.Cgf ? t : Ex.Mul(Ex.Neg(Ex.I), t);
        }
        var k = Substitution.Apply(body, map);
        if (d.CharacteristicKind == CharacteristicKind.Cf) k = Ex.Log(k);

        TruncatedSeries series;
        try
        {
            var expander = new SeriesExpander(expansionVariable);
            // phi(0) = 1 first, at order 1: a declaration that fails it is refused before the costly expansion.
            Expr? constant = null;
            NotAnalyticException? asWritten = null;
            try { constant = expander.Expand(k, 1)[0]; }
            catch (NotAnalyticException ex) { asWritten = ex; } // log(t) - log(sin t): singular only as written
            if (constant is null || !tVariables.Any(constant.Contains))
            {
                // One canonical form for the logs (log(a b) = log a + log b, log(a^r) = r log a, log e^x = x, sums
                // factored), so that K(0) = 0 is proven however it is written (log(1/x) + log(x)), and every way of
                // writing the same K expands the same expression.
                LogCanonicalForm.Result? canonical;
                try
                {
                    canonical = LogCanonicalForm.Normalize(k, expansionVariable, expander);
                    if (asWritten is not null) expander.Expand(canonical.K, 1);
                }
                catch (NotAnalyticException)
                {
                    if (asWritten is not null) throw asWritten; // singular however written: the message as written
                    canonical = null; // a factor the canonical form could not expand: K as written decides
                }
                if ((constant is null || !constant.IsZero) && canonical is not { ConstantVanishes: true })
                    throw new DerivationException(DiagnosticCatalogue.NotNormalised,
                        d.CharacteristicKind == CharacteristicKind.Cf
                            ? $"phi(0) must be 1, but log phi(0) = {constant ?? canonical!.Constant}"
                            : $"K(0) must be 0, but it is {constant ?? canonical!.Constant}");
                if (canonical is not null) k = canonical.K;
            }
            series = expander.Expand(k, order);
        }
        catch (NotAnalyticException ex)
        {
            // With several variables the expansion runs along rays t_j = s*t_j in an internal grading variable; the
            // message names it s and says so, instead of showing the internal name.
            string reason = single ? ex.Message
                : ex.Message.Replace(Grading.Name, "s", StringComparison.Ordinal).Replace("t = 0", "s = 0", StringComparison.Ordinal)
                  + $" (expanded along the rays ({string.Join(", ", tVariables.Select(v => v.Name))}) -> s*({string.Join(", ", tVariables.Select(v => v.Name))}), s -> 0)";
            throw new DerivationException(DiagnosticCatalogue.NotAnalytic, "the characteristic function is not analytic at w = 0: " + reason);
        }

        if (tVariables.Any(series[0].Contains))
            throw new DerivationException(DiagnosticCatalogue.NotAnalytic,
                $"the characteristic function is not analytic at w = 0: its value there depends on the direction of approach ({series[0]})");
        if (!series[0].IsZero)
            throw new DerivationException(DiagnosticCatalogue.NotNormalised,
                d.CharacteristicKind == CharacteristicKind.Cf
                    ? $"phi(0) must be 1, but log phi(0) = {series[0]}"
                    : $"K(0) must be 0, but it is {series[0]}");

        // Reading a coefficient's expression refused constants beyond the factory's bit limit, so t^1..t^N are checked
        // for that first, in order, and then for an imaginary part (in the ring; the expression only when the ring has i).
        for (int n = 1; n <= order; n++)
        {
            series.EnsureRepresentable(n);
            if (!series.IsRealAt(n) && series[n].ContainsImaginary())
                throw new DerivationException(DiagnosticCatalogue.NotReal,
                    $"the coefficient of t^{n} is not real: {series[n]}; a cf must be real after w = -i t (check the signs of i)");
        }

        var result = ImmutableArray.CreateBuilder<(ImmutableArray<int>, Func<Expr>, Func<ImmutableArray<Expr>>)>();
        if (single)
        {
            // a_{n,p} straight from the polynomial ring: no tree is differentiated. Every derivative is computed here,
            // exactly; only the canonical expressions wait until they are read.
            // Building the derivatives' expressions refused constants beyond the factory's bit limit: so does this. Each
            // a_{n,p} is computed exactly and measured where it was accumulated (all of them, parameter by parameter,
            // before any is refused, as before); one near the limit is computed again for the exact test. The
            // polynomials are computed again, once per parameter, when an expression is first read. So check, which
            // reads none, neither packs nor keeps them.
            var nearLimit = new List<(Symbol P, int N)>();
            foreach (var p in parameters)
            {
                int n = 0;
                foreach (bool certain in series.DerivativesCertainlyRepresentable(p))
                {
                    if (!certain) nearLimit.Add((p, n));
                    n++;
                }
            }
            foreach (var (p, n) in nearLimit) series.DerivativeAt(p, n).EnsureRepresentable();
            var derivatives = parameters.Select(p => new Lazy<ScaledPoly[]>(() => series.DerivativesInRing(p))).ToArray();
            for (int n = 1; n <= order; n++)
            {
                int m = n;
                result.Add(([m], () => series[m], () => derivatives.Select(dp => dp.Value[m].ToExpr()).ToImmutableArray()));
            }
            return result.ToImmutable();
        }
        // Most multi-indices of a high order have coefficient 0 (a bivariate normal's stop at degree 2): they share one
        // value and one row of zero derivatives instead of a pair of closures each, which the rule keeps for its lifetime.
        Func<Expr> zero = () => Ex.Zero;
        var zeroRow = parameters.Select(_ => (Expr)Ex.Zero).ToImmutableArray();
        Func<ImmutableArray<Expr>> zeroDerivatives = () => zeroRow;
        for (int n = 1; n <= order; n++)
        {
            var monomials = Monomials(series[n], tVariables, n);
            foreach (var index in MultiIndex.WithDegree(variables.Length, n))
            {
                if (!monomials.TryGetValue(Key(index), out var c) || c.IsZero)
                {
                    result.Add((index, zero, zeroDerivatives));
                    continue;
                }
                // A coefficient free of p has derivative 0 (Derivative.Of answers so at once): asked only where p occurs.
                var derivatives = parameters.Select(p => c.Contains(p) ? Calculus.Derivative.Of(c, p) : Ex.Zero).ToImmutableArray();
                result.Add((index, () => c, () => derivatives));
            }
        }
        return result.ToImmutable();
    }

    private static string Key(IEnumerable<int> index) => string.Join(",", index);

    /// <summary>Splits a homogeneous polynomial in the t_j into the coefficients of its monomials.</summary>
    private static Dictionary<string, Expr> Monomials(Expr polynomial, ImmutableArray<Symbol> ts, int degree)
    {
        var parts = new Dictionary<string, List<Expr>>();
        var terms = polynomial is Sum s ? s.Args.ToArray() : [polynomial];
        foreach (var term in terms)
        {
            if (term.IsZero) continue;
            var exponents = new int[ts.Length];
            var rest = new List<Expr>();
            var factors = term is Product p ? p.Args.ToArray() : [term];
            foreach (var f in factors)
            {
                var (b, e) = ExprComparer.SplitPower(f);
                int j = b is Symbol sym ? ts.IndexOf(sym) : -1;
                if (j >= 0 && e is Number { IsReal: true } n && n.Re.IsInteger && n.Re.Sign > 0 && n.Re.Numerator <= degree)
                    exponents[j] += (int)n.Re.Numerator;
                else if (ts.Any(f.Contains))
                    throw new DerivationException(DiagnosticCatalogue.NotPolynomialInVariables, $"the term {term} is not a monomial in {string.Join(", ", ts)}");
                else rest.Add(f);
            }
            if (exponents.Sum() != degree)
                throw new DerivationException(DiagnosticCatalogue.NotPolynomialInVariables, $"the term {term} does not have total degree {degree}");
            var key = Key(exponents);
            if (!parts.TryGetValue(key, out var list)) parts[key] = list = new List<Expr>();
            list.Add(Ex.Mul(rest.ToArray()));
        }
        return parts.ToDictionary(kv => kv.Key, kv => Ex.Add(kv.Value.ToArray()));
    }
}
