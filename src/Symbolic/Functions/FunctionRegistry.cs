using System.Collections.Immutable;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Special;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Series;
using static SeriesCompiler.Symbolic.Functions.CSharpForm;

namespace SeriesCompiler.Symbolic.Functions;

/// <summary>
/// Every function of the language, declared once. The binder, the <c>--f</c> parser (<c>ObjectiveParser</c>), the
/// factory's <c>Apply</c>/<c>Rebuild</c>, the derivative, the series engine, the double and exact evaluators, the
/// printer and the C# emitter all read their entry here; the order of <see cref="All"/> is the order messages list the
/// names in. To add a function, add one entry (README, "Adding a function"); <c>FunctionRegistryTests</c> then checks
/// it against the evaluators, the series engine, the emitted C# and the runtime jet.
/// </summary>
public static class FunctionRegistry
{
    private static readonly Lazy<Tables> s_tables = new(Create);

    /// <summary>All entries, in the order the language's messages list them.</summary>
    public static ImmutableArray<FunctionEntry> All => s_tables.Value.All;

    /// <summary>The rules of a node kind (every <see cref="Function"/> has exactly one entry that owns it).</summary>
    public static NodeRules Node(Function kind) => s_tables.Value.Owners[(int)kind].Node!;

    /// <summary>The entry that owns a node kind: its <see cref="FunctionEntry.Build"/> rebuilds such a call.</summary>
    public static FunctionEntry Owner(Function kind) => s_tables.Value.Owners[(int)kind];

    /// <summary>The entry of a name (or alias) that <paramref name="scope"/> may write.</summary>
    public static bool TryGet(string name, FunctionScope scope, out FunctionEntry entry)
    {
        if (s_tables.Value.ByName.TryGetValue(name, out var found) && (found.Scope & scope) != 0)
        {
            entry = found;
            return true;
        }
        entry = null!;
        return false;
    }

    /// <summary>The names <paramref name="scope"/> may write, in registry order, without aliases.</summary>
    public static IEnumerable<FunctionEntry> In(FunctionScope scope) => All.Where(e => (e.Scope & scope) != 0);

    private sealed record Tables(ImmutableArray<FunctionEntry> All, FunctionEntry[] Owners, Dictionary<string, FunctionEntry> ByName);

    private static Tables Create()
    {
        var all = Entries();
        var nodes = new FunctionEntry?[Enum.GetValues<Function>().Length];
        var byName = new Dictionary<string, FunctionEntry>(StringComparer.Ordinal);
        foreach (var e in all)
        {
            foreach (var name in e.Aliases.Prepend(e.Name))
                if (!byName.TryAdd(name, e)) throw new InvalidOperationException($"the function name '{name}' is registered twice");
            if (e.Node is { } node)
            {
                if (nodes[(int)node.Kind] is not null) throw new InvalidOperationException($"the node {node.Kind} has two entries");
                nodes[(int)node.Kind] = e;
            }
        }
        var missing = Enum.GetValues<Function>().Where(f => nodes[(int)f] is null).ToArray();
        if (missing.Length > 0) throw new InvalidOperationException("node kinds without a registry entry: " + string.Join(", ", missing));
        return new Tables(all, nodes!, byName);
    }

    private const FunctionScope Both = FunctionScope.Declaration | FunctionScope.Objective;

    private static bool Real(double x) => double.IsFinite(x);

    private static ImmutableArray<FunctionEntry> Entries() =>
    [
        // exp' = exp; series by b_n = (1/n) sum k a_k b_{n-k}.
        new("exp", Both, 1, "all real x", Real, a => Ex.Exp(a[0]), new NodeRules(Function.Exp,
            c => c,
            (u, _, _, _) => u().Exp(),
            (_, x) => Math.Exp(x), null,
            CSharpForm.SystemMath("Exp", (x, v, abs) => abs(v)),     // d exp = exp(x) e_x
            "\\exp"), ElementaryFunction.Exp),

        // log' = 1/u; series as the integral of u'/u, which needs u(0) != 0.
        new("log", Both, 1, "x > 0", x => x > 0, a => Ex.Log(a[0]), new NodeRules(Function.Log,
            c => Ex.Pow(c.Arg, Ex.MinusOne),
            (u, arg, _, _) =>
            {
                var series = u();
                if (series[0].IsZero)
                    throw new NotAnalyticException($"log({arg}): the argument vanishes at t = 0, where the logarithm has a singularity");
                return series.Log();
            },
            (_, x) => Math.Log(x), null,
            CSharpForm.SystemMath("Log", (x, _, abs) => $"{RuleMath}.ErrorRatio(1.0, {abs(x)})"),   // d log = e_x / |x|
            "\\log"), ElementaryFunction.Log),

        // log1p(x) = log(1 + x), written through log: the log node carries its rules.
        new("log1p", FunctionScope.Objective, 1, "x > -1", x => x > -1, a => Ex.Log(Ex.Add(Ex.One, a[0])), null, ElementaryFunction.Log1p),

        // sqrt(x) = x^(1/2): a power, differentiated and expanded as one (Miller's recurrence).
        new("sqrt", Both, 1, "x >= 0 (derivatives: x > 0)", x => x > 0, a => Ex.Sqrt(a[0]), null, ElementaryFunction.Sqrt),

        // sin' = cos; sin and cos together by (S, C)' = (C u', -S u').
        new("sin", Both, 1, "all real x", Real, a => Ex.Sin(a[0]), new NodeRules(Function.Sin,
            c => Ex.Cos(c.Arg),
            (u, _, _, _) => u().SinCos(hyperbolic: false).Sin,
            (_, x) => Math.Sin(x), null,
            CSharpForm.SystemMath("Sin", (x, _, abs) => abs($"{MathType}.Cos({x})")),
            "\\sin"), ElementaryFunction.Sin),

        // cos' = -sin.
        new("cos", Both, 1, "all real x", Real, a => Ex.Cos(a[0]), new NodeRules(Function.Cos,
            c => Ex.Neg(Ex.Sin(c.Arg)),
            (u, _, _, _) => u().SinCos(hyperbolic: false).Cos,
            (_, x) => Math.Cos(x), null,
            CSharpForm.SystemMath("Cos", (x, _, abs) => abs($"{MathType}.Sin({x})")),
            "\\cos"), ElementaryFunction.Cos),

        // tan' = 1 + tan^2; series from T' = (1 + T^2) u'.
        new("tan", Both, 1, "cos x != 0", x => Math.Abs(Math.Cos(x)) > 1e-3, a => Ex.Tan(a[0]), new NodeRules(Function.Tan,
            c => Ex.Add(Ex.One, Ex.Pow(c, 2)),
            (u, _, _, _) => u().Tan(hyperbolic: false),
            (_, x) => Math.Tan(x), null,
            CSharpForm.SystemMath("Tan", (_, v, _) => $"(1.0 + {v} * {v})"),
            "\\tan"), ElementaryFunction.Tan),

        // sinh' = cosh.
        new("sinh", Both, 1, "all real x", Real, a => Ex.Sinh(a[0]), new NodeRules(Function.Sinh,
            c => Ex.Cosh(c.Arg),
            (u, _, _, _) => u().SinCos(hyperbolic: true).Sin,
            (_, x) => Math.Sinh(x), null,
            CSharpForm.SystemMath("Sinh", (x, _, _) => $"{MathType}.Cosh({x})"),
            "\\sinh"), ElementaryFunction.Sinh),

        // cosh' = sinh.
        new("cosh", Both, 1, "all real x", Real, a => Ex.Cosh(a[0]), new NodeRules(Function.Cosh,
            c => Ex.Sinh(c.Arg),
            (u, _, _, _) => u().SinCos(hyperbolic: true).Cos,
            (_, x) => Math.Cosh(x), null,
            CSharpForm.SystemMath("Cosh", (x, _, abs) => abs($"{MathType}.Sinh({x})")),
            "\\cosh"), ElementaryFunction.Cosh),

        // tanh' = 1 - tanh^2.
        new("tanh", Both, 1, "all real x", Real, a => Ex.Tanh(a[0]), new NodeRules(Function.Tanh,
            c => Ex.Sub(Ex.One, Ex.Pow(c, 2)),
            (u, _, _, _) => u().Tan(hyperbolic: true),
            (_, x) => Math.Tanh(x), null,
            CSharpForm.SystemMath("Tanh", (_, v, _) => $"(1.0 - {v} * {v})"),
            "\\tanh"), ElementaryFunction.Tanh),

        // atan' = 1/(1 + u^2); series: integrate u'/(1 + u^2) from atan(u_0).
        new("atan", Both, 1, "all real x", Real, a => Ex.Atan(a[0]), new NodeRules(Function.Atan,
            c => Ex.Pow(Ex.Add(Ex.One, Ex.Pow(c.Arg, 2)), Ex.MinusOne),
            (u, _, _, order) =>
            {
                var s = u();
                var integrand = TruncatedSeries.Divide(s.Differentiate(), (TruncatedSeries.Constant(Ex.One, order) + s * s).Truncate(order - 1));
                return integrand.Integrate(Ex.Atan(s[0]));
            },
            (_, x) => Math.Atan(x), null,
            CSharpForm.SystemMath("Atan", (x, _, _) => $"(1.0 / (1.0 + {x} * {x}))"),
            "\\arctan"), ElementaryFunction.Atan),

        // lgamma' = psi; series lgamma(u_0) + sum_k psi^(k-1)(u_0)/k! (u - u_0)^k, no pole at u_0.
        new("lgamma", Both, 1, "x > 0 (poles at 0, -1, -2, ...)", x => x > 0, a => Ex.LogGamma(a[0]), new NodeRules(Function.LogGamma,
            c => Ex.Polygamma(0, c.Arg),
            (u, _, _, _) =>
            {
                var s = u();
                RequireNoPole(s[0], "lgamma");
                return s.Compose(k => k == 0 ? Ex.LogGamma(s[0]) : Ex.Polygamma(k - 1, s[0]));
            },
            (_, x) => SpecialFunctions.LogGamma(x), null,
            // Accurate in absolute rather than relative terms near its zeros at 1 and 2: 8 u (1 + |v|).
            new CSharpForm((_, x) => $"{Special}.LogGamma({x})", (_, x, _, abs) => abs($"{Special}.Polygamma(0, {x})"),
                (absValue, unit) => $"8.0 * {unit} * (1.0 + {absValue})"),
            "\\log\\Gamma"), ElementaryFunction.LogGamma),

        // digamma(x) = polygamma(0, x): the polygamma node carries its rules.
        new("digamma", FunctionScope.Declaration, 1, "x > 0 (poles at 0, -1, -2, ...)", x => x > 0, a => Ex.Digamma(a[0])),

        // |u|' = sign(u) almost everywhere; no series at a zero of u; exact on intervals.
        new("abs", Both, 1, "all real x (a kink at 0)", x => x != 0, a => Ex.Abs(a[0]), new NodeRules(Function.Abs,
            c => Ex.Sign(c.Arg),
            (_, arg, _, _) => throw new NotAnalyticException($"abs({arg}) is not differentiable where its argument vanishes, so it has no power series at t = 0"),
            (_, x) => Math.Abs(x),
            (lo, hi) => lo.Sign >= 0 ? (lo, hi) : hi.Sign <= 0 ? (-hi, -lo) : (Rational.Zero, -lo > hi ? -lo : hi),
            new CSharpForm((_, x) => $"{MathType}.Abs({x})", (_, _, _, _) => "1.0", (_, _) => "0.0"),   // exact: |d| x| | <= e_x
            "\\operatorname{abs}"), ElementaryFunction.Abs) { OnlyInLogDensity = true, Analytic = false },

        // sigmoid(x) = 1/(1 + exp(-x)), written through exp and a power.
        new("sigmoid", FunctionScope.Objective, 1, "all real x", Real,
            a => Ex.Pow(Ex.Add(Ex.One, Ex.Exp(Ex.Neg(a[0]))), Ex.MinusOne), null, ElementaryFunction.Sigmoid),

        // softplus(x) = log(1 + exp(x)).
        new("softplus", FunctionScope.Objective, 1, "all real x", Real,
            a => Ex.Log(Ex.Add(Ex.One, Ex.Exp(a[0]))), null, ElementaryFunction.Softplus),

        // log_sigmoid(x) = log sigmoid(x) = -log(1 + exp(-x)).
        new("log_sigmoid", FunctionScope.Objective, 1, "all real x", Real,
            a => Ex.Neg(Ex.Log(Ex.Add(Ex.One, Ex.Exp(Ex.Neg(a[0]))))), null, ElementaryFunction.LogSigmoid) { Aliases = ["logsigmoid"] },

        // psi^(m)' = psi^(m+1); series sum_k psi^(m+k)(u_0)/k! (u - u_0)^k.
        new("polygamma", FunctionScope.Declaration, 2, "x > 0 (poles at 0, -1, -2, ...); m an integer 0..1000", x => x > 0,
            a => Ex.Polygamma(Ex.IntegerValue(a[0]), a[1]), new NodeRules(Function.Polygamma,
            c => Ex.Polygamma(Ex.IntegerValue(c.Args[0]) + 1, c.Arg),
            (u, _, args, _) =>
            {
                int m = Ex.IntegerValue(args[0]);
                var s = u();
                RequireNoPole(s[0], "polygamma");
                return s.Compose(k => Ex.Polygamma(m + k, s[0]));
            },
            (args, x) => SpecialFunctions.Polygamma(Ex.IntegerValue(args[0]), x), null,
            new CSharpForm((args, x) => $"{Special}.Polygamma({Ex.IntegerValue(args[0])}, {x})",
                (args, x, _, abs) => abs($"{Special}.Polygamma({Ex.IntegerValue(args[0]) + 1}, {x})"),
                (absValue, unit) => $"16.0 * {unit} * {absValue}"),
            "\\psi"))
        {
            IntegerArguments = 1,
            MaxInteger = 1000,
            ArgumentHelp = "'polygamma(m, x)' takes an integer order m from 0 to 1000 and an argument x",
        },

        // sign(u), the derivative of abs: sign' = 0 almost everywhere; it jumps, so no series.
        new("sign", FunctionScope.None, 1, "x != 0", x => x != 0, a => Ex.Sign(a[0]), new NodeRules(Function.Sign,
            _ => Ex.Zero,
            (_, arg, _, _) => throw new NotAnalyticException($"sign({arg}) jumps where its argument vanishes"),
            (_, x) => Math.Sign(x),
            (lo, hi) => lo.Sign > 0 ? (Rational.One, Rational.One) : hi.Sign < 0 ? (Rational.MinusOne, Rational.MinusOne)
                : lo.IsZero && hi.IsZero ? (Rational.Zero, Rational.Zero) : (Rational.MinusOne, Rational.One),
            new CSharpForm((_, x) => $"(double){MathType}.Sign({x})", (_, _, _, _) => "0.0", (_, _) => "0.0"),
            "\\operatorname{sign}")) { Analytic = false },

        // zeta(n), n >= 2 an integer: a constant (odd n; even n are folded to pi powers), derivative 0.
        new("zeta", FunctionScope.None, 1, "an integer n >= 2", _ => false, a => Ex.Zeta(Ex.IntegerValue(a[0])), new NodeRules(Function.Zeta,
            _ => Ex.Zero,
            (_, _, args, order) => TruncatedSeries.Constant(Ex.Zeta(Ex.IntegerValue(args[0])), order),
            (args, _) => SpecialFunctions.Zeta(Ex.IntegerValue(args[^1])), null,
            // Written as its double value (Constant), with an error of one unit roundoff; Code is never used.
            new CSharpForm((_, _) => "", (_, _, _, _) => "0.0", (_, _) => "0.0", args => SpecialFunctions.Zeta(Ex.IntegerValue(args[^1]))),
            "\\zeta"))
        {
            IntegerArguments = 1,
            MaxInteger = 100_000,
        },
    ];

    private static void RequireNoPole(Expr u0, string name)
    {
        if (u0 is Number { IsReal: true } n && n.Re.IsInteger && n.Re.Sign <= 0)
            throw new NotAnalyticException($"{name} has a pole at {n}, the value of its argument at t = 0");
    }
}
