using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Symbolic;

/// <summary>
/// A deterministic work budget for one binding or one derivation on this thread: the expression factory, the
/// canonical order and the series' polynomial ring each spend units in proportion to what they touch (terms
/// accumulated, products of terms, comparisons). When a declaration would need more than <see cref="Budget"/> units,
/// the stage stops with a <see cref="SymbolicException"/>, which becomes SC1005 (derivation) or SC0118 (binding),
/// in bounded time on any machine, instead of running for minutes or exhausting memory. Counting units rather than
/// seconds keeps the outcome the same on every machine and under any load.
/// </summary>
public static class WorkMeter
{
    /// <summary>
    /// Units one binding or derivation may spend: a few seconds of exact algebra here, well above the bundled
    /// declarations at the maximum order 64 (the most costly, Categorical, spends 13.6 million; measured by
    /// <c>bench -- work</c>).
    /// </summary>
    public const long Budget = 25_000_000;

    [ThreadStatic] private static long t_spent;
    [ThreadStatic] private static bool t_metering;

    /// <summary>Units spent on this thread in the current (or last) metered stage.</summary>
    public static long Spent => t_spent;

    /// <summary>
    /// Meters the binding or derivation about to run on this thread with a fresh budget, until the returned scope is
    /// disposed; outside a scope nothing is counted (a long-running process, such as a build server or the fuzzer's
    /// worker, would otherwise run out of budget over many declarations).
    /// </summary>
    public static Scope Start()
    {
        var scope = new Scope(t_metering, t_spent);
        t_metering = true;
        t_spent = 0;
        return scope;
    }

    public static void Spend(long units)
    {
        if (!t_metering) return;
        t_spent += units;
        if (t_spent > Budget)
            throw new SymbolicException($"the derivation needs more than {Budget:N0} units of exact algebra (terms, products and comparisons); lower the order or simplify the declaration");
    }

    /// <summary>Restores the metering state that was in force before <see cref="Start"/> (stages may nest).</summary>
    public readonly struct Scope(bool wasMetering, long spentBefore) : IDisposable
    {
        public void Dispose()
        {
            t_metering = wasMetering;
            if (wasMetering) t_spent += spentBefore; // a nested stage's work counts towards the enclosing one
        }
    }
}
