namespace SeriesCompiler.Symbolic.Expressions;

/// <summary>
/// The canonical total order of expressions: deterministic (never by hash), so canonical forms,
/// printed formulas and generated code are identical on every run. A power sorts beside its base
/// (<c>k*k^2</c> neighbours), so products read naturally.
/// </summary>
public sealed class ExprComparer : IComparer<Expr>
{
    public static readonly ExprComparer Instance = new();

    public int Compare(Expr? a, Expr? b)
    {
        if (ReferenceEquals(a, b)) return 0;
        WorkMeter.Spend(1); // sorting deeply nested expressions is where some declarations spend their time
        if (a is null) return -1;
        if (b is null) return 1;
        if (a is Power || b is Power)
        {
            if (a is Number) return -1;
            if (b is Number) return 1;
            var (baseA, expA) = SplitPower(a);
            var (baseB, expB) = SplitPower(b);
            int c = Compare(baseA, baseB);
            return c != 0 ? c : Compare(expA, expB);
        }
        if (a.KindRank != b.KindRank) return a.KindRank.CompareTo(b.KindRank);
        switch (a)
        {
            case Number na:
            {
                var nb = (Number)b;
                int c = na.Value.Re.CompareTo(nb.Value.Re);
                return c != 0 ? c : na.Value.Im.CompareTo(nb.Value.Im);
            }
            case Symbol sa:
            {
                var sb = (Symbol)b;
                int c = sa.Kind.CompareTo(sb.Kind);
                return c != 0 ? c : string.CompareOrdinal(sa.Name, sb.Name);
            }
            case Call ca:
            {
                var cb = (Call)b;
                int c = ca.Function.CompareTo(cb.Function);
                return c != 0 ? c : CompareArgs(ca, cb);
            }
            default:
                return CompareArgs((NaryExpr)a, (NaryExpr)b);
        }
    }

    private int CompareArgs(NaryExpr a, NaryExpr b)
    {
        int n = Math.Min(a.Args.Length, b.Args.Length);
        for (int i = 0; i < n; i++)
        {
            int c = Compare(a.Args[i], b.Args[i]);
            if (c != 0) return c;
        }
        return a.Args.Length.CompareTo(b.Args.Length);
    }

    /// <summary>
    /// Sorts in the canonical order. List.Sort wraps an exception thrown by a comparison (here: the work budget's
    /// SymbolicException) in an InvalidOperationException; it is unwrapped so callers see the budget's diagnostic.
    /// </summary>
    internal static void Sort<T>(List<T> items, Comparison<T> comparison)
    {
        try
        {
            items.Sort(comparison);
        }
        catch (InvalidOperationException ex) when (ex.InnerException is SymbolicException inner)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(inner);
        }
    }

    internal static void Sort(List<Expr> items) => Sort(items, Instance.Compare);

    internal static (Expr Base, Expr Exponent) SplitPower(Expr e) =>
        e is Power p ? (p.Base, p.Exponent) : (e, Ex.One);
}
