namespace SeriesCompiler.Symbolic.Expressions;

/// <summary>Replaces symbols by expressions, rebuilding through the factory so the result is canonical.</summary>
public static class Substitution
{
    public static Expr Apply(Expr e, IReadOnlyDictionary<Symbol, Expr> map)
    {
        var memo = new Dictionary<Expr, Expr>();
        return Walk(e, map, memo);
    }

    private static Expr Walk(Expr e, IReadOnlyDictionary<Symbol, Expr> map, Dictionary<Expr, Expr> memo)
    {
        if (memo.TryGetValue(e, out var done)) return done;
        Expr result = e switch
        {
            Symbol s => map.TryGetValue(s, out var r) ? r : s,
            Number => e,
            Sum s => Ex.Add(s.Args.Select(a => Walk(a, map, memo)).ToArray()),
            Product p => Ex.Mul(p.Args.Select(a => Walk(a, map, memo)).ToArray()),
            Power p => Ex.Pow(Walk(p.Base, map, memo), Walk(p.Exponent, map, memo)),
            Call c => Ex.Rebuild(c, c.Args.Select(a => Walk(a, map, memo)).ToArray()),
            _ => e,
        };
        memo[e] = result;
        return result;
    }
}
