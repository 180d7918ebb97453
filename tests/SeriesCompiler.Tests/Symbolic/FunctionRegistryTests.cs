using System.Collections.Immutable;
using System.Reflection;
using System.Text;
using SeriesCompiler.Emit.CSharp;
using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Emit.Roslyn;
using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Calculus;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Evaluation;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Functions;
using SeriesCompiler.Symbolic.Series;
using Xunit;
using SeriesCompiler.Symbolic.Objectives;

namespace SeriesCompiler.Tests.Symbolic;

/// <summary>
/// A function added in one place is complete everywhere: every entry of <see cref="FunctionRegistry"/> is checked, at a
/// few points of its domain, against closed-form values (written here, independently of the code), the double and
/// exact evaluators, the series engine (the series of f(a + t) against derivatives taken by the derivative table), the
/// C# the emitter writes for it (compiled with Roslyn and run), the runtime jet its entry names, and the parsers that
/// read its name (declarations and <c>--f</c>).
/// </summary>
public sealed class FunctionRegistryTests
{
    private const int SeriesOrder = 6;

    private static readonly Symbol X = Ex.Sym("x", SymbolKind.Parameter);
    private static readonly Symbol T = Ex.Sym("t", SymbolKind.Variable);

    /// <summary>Points where each function is evaluated (those in its domain are used; each entry must have two).</summary>
    private static readonly Rational[] Points = [new(-23, 10), new(-7, 10), new(2, 5), new(13, 10), new(29, 10)];

    /// <summary>
    /// Closed-form values, one per entry, known from mathematics rather than from the code: (integer arguments, x, f).
    /// A new entry needs a line here, which is the point: the test fails until someone states a value it must take.
    /// </summary>
    private static readonly Dictionary<string, (int[] Integers, double X, double Value)> ClosedForms = new()
    {
        ["exp"] = ([], 1, Math.E),
        ["log"] = ([], Math.E, 1),
        ["log1p"] = ([], 1, Math.Log(2)),
        ["sqrt"] = ([], 2, Math.Sqrt(2)),
        ["sin"] = ([], Math.PI / 6, 0.5),
        ["cos"] = ([], Math.PI / 3, 0.5),
        ["tan"] = ([], Math.PI / 4, 1),
        ["sinh"] = ([], 1, (Math.E - 1 / Math.E) / 2),
        ["cosh"] = ([], 1, (Math.E + 1 / Math.E) / 2),
        ["tanh"] = ([], 1, (Math.E * Math.E - 1) / (Math.E * Math.E + 1)),
        ["atan"] = ([], 1, Math.PI / 4),
        ["lgamma"] = ([], 0.5, 0.5 * Math.Log(Math.PI)),               // Gamma(1/2) = sqrt(pi)
        ["digamma"] = ([], 0.5, -0.57721566490153286 - 2 * Math.Log(2)), // psi(1/2) = -gamma - 2 log 2
        ["abs"] = ([], -2.5, 2.5),
        ["sigmoid"] = ([], Math.Log(3), 0.75),                          // 1/(1 + 1/3)
        ["softplus"] = ([], Math.Log(3), Math.Log(4)),
        ["log_sigmoid"] = ([], Math.Log(3), Math.Log(0.75)),
        ["polygamma"] = ([1], 1, Math.PI * Math.PI / 6),                // psi'(1) = zeta(2)
        ["sign"] = ([], -0.3, -1),
        ["zeta"] = ([3], 0, 1.2020569031595942854),                     // Apery's constant
    };

    public static TheoryData<string> Entries()
    {
        var data = new TheoryData<string>();
        foreach (var e in FunctionRegistry.All) data.Add(e.Name);
        return data;
    }

    private static FunctionEntry Entry(string name) => FunctionRegistry.All.Single(e => e.Name == name);

    private static int RealArguments(FunctionEntry e) => e.Arity - e.IntegerArguments;

    /// <summary>f(x) built as the binder builds it, with the entry's integer arguments taken from its closed form.</summary>
    private static Expr Apply(FunctionEntry e, Expr x) =>
        e.Build([.. ClosedForms[e.Name].Integers.Select(m => Ex.Num(m)), .. RealArguments(e) == 1 ? new[] { x } : []]);

    private static IEnumerable<Rational> DomainPoints(FunctionEntry e) => Points.Where(p => e.InDomain(p.ToDouble()));

    private static double Eval(Expr e, double x) => ExprEvaluator.Evaluate(e, new Dictionary<Symbol, double> { [X] = x });

    private static void Close(double expected, double actual, double relative, string what) =>
        Assert.True(Math.Abs(expected - actual) <= relative * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");

    [Fact]
    public void The_registry_is_consistent_and_every_entry_has_a_closed_form()
    {
        var names = FunctionRegistry.All.SelectMany(e => e.Aliases.Prepend(e.Name)).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        foreach (var e in FunctionRegistry.All)
        {
            Assert.True(ClosedForms.ContainsKey(e.Name), $"'{e.Name}' has no closed-form value in this test: add one");
            Assert.InRange(RealArguments(e), 0, 1);
            if ((e.Scope & FunctionScope.Objective) != 0)
            {
                // --f evaluates with jets: an objective function names its runtime jet and takes one argument.
                Assert.NotNull(e.Jet);
                Assert.Equal(1, e.Arity);
            }
            if (RealArguments(e) == 1 && e.Scope != FunctionScope.None)
                Assert.True(DomainPoints(e).Count() >= 2, $"'{e.Name}': fewer than two test points lie in its domain ({e.Domain})");
        }
        // Every node kind is owned by exactly one entry.
        foreach (var kind in Enum.GetValues<Function>())
            Assert.Equal(kind, FunctionRegistry.Node(kind).Kind);
        // The declaration language keeps the contract's functions (docs/language.md).
        var declared = FunctionRegistry.In(FunctionScope.Declaration).Select(e => e.Name).ToHashSet();
        foreach (var name in "exp log sqrt sin cos tan sinh cosh tanh atan lgamma digamma abs".Split(' ')) Assert.Contains(name, declared);
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void The_double_evaluator_gives_the_closed_form_value(string name)
    {
        var e = Entry(name);
        var (_, x, value) = ClosedForms[name];
        Close(value, Eval(Apply(e, X), x), 4e-15, $"{name}({x})");
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void The_exact_evaluator_agrees_with_the_double_one(string name)
    {
        var e = Entry(name);
        if (RealArguments(e) == 0) return; // a constant: covered by the closed form
        foreach (var p in DomainPoints(e))
        {
            var f = Apply(e, X);
            var exact = ExactEvaluator.Evaluate(f, new Dictionary<Symbol, Rational> { [X] = p });
            double reference = Eval(f, p.ToDouble());
            if (e.Node?.Exact is not null)
                Assert.True(exact.IsCorrectlyRounded, $"{name}({p}): the entry has an exact rule but the value is {exact.Status}: {exact.Reason}");
            if (exact.IsCorrectlyRounded) Close(reference, exact.Value, 4e-16, $"{name}({p}) exact");
            else
            {
                // Without a bounded evaluation the value is the double interpreter's, and the reason says so.
                Assert.Equal(ExactStatus.NotBounded, exact.Status);
                Assert.Equal(reference, exact.Value);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void The_series_of_f_at_a_plus_t_has_the_derivatives_as_coefficients(string name)
    {
        var e = Entry(name);
        if (RealArguments(e) == 0) return;
        foreach (var a in DomainPoints(e))
        {
            var around = Apply(e, Ex.Add(Ex.Num(a), T));
            if (!e.Analytic)
            {
                // abs and sign are not analytic: the series engine refuses them, with the reason.
                Assert.Throws<NotAnalyticException>(() => new SeriesExpander(T).Expand(around, SeriesOrder));
                continue;
            }
            var series = new SeriesExpander(T).Expand(around, SeriesOrder);
            // f^(k)(a)/k! by the derivative table, k times, evaluated in doubles.
            Expr derivative = Apply(e, X);
            double factorial = 1;
            for (int k = 0; k <= SeriesOrder; k++)
            {
                if (k > 0) { derivative = Derivative.Of(derivative, X); factorial *= k; }
                double expected = Eval(derivative, a.ToDouble()) / factorial;
                double actual = ExprEvaluator.Evaluate(series[k], new Dictionary<Symbol, double>());
                Close(expected, actual, 1e-12, $"{name}: coefficient {k} at {a}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void The_runtime_jet_has_the_coefficients_of_the_series(string name)
    {
        var e = Entry(name);
        if (e.Jet is not { } jet) return; // not in --f: no runtime jet to check
        foreach (var a in DomainPoints(e))
        {
            var arena = new JetArena(SeriesOrder);
            var result = FunctionProgram.Apply(jet, arena.Variable(a.ToDouble()));
            var f = Apply(e, X);
            Close(Eval(f, a.ToDouble()), FunctionProgram.Apply(jet, a.ToDouble()), 1e-14, $"{name}({a}) runtime value");
            if (!e.Analytic)
            {
                // abs: the jet is sign(a) times the jet of a (value and slope), the kink sits elsewhere.
                Close(Math.Sign(a.ToDouble()), result.Coefficient(1), 0, $"{name}'({a}) jet");
                for (int k = 2; k <= SeriesOrder; k++) Assert.Equal(0.0, result.Coefficient(k));
                continue;
            }
            var series = new SeriesExpander(T).Expand(Apply(e, Ex.Add(Ex.Num(a), T)), SeriesOrder);
            for (int k = 0; k <= SeriesOrder; k++)
                Close(ExprEvaluator.Evaluate(series[k], new Dictionary<Symbol, double>()), result.Coefficient(k), 1e-12, $"{name}: jet coefficient {k} at {a}");
        }
    }

    [Fact]
    public void The_emitted_CSharp_computes_every_function_and_its_derivative()
    {
        // One straight-line method per entry, for f and f', written by the emitter's StraightLineWriter (which reads
        // the registry's C# forms), compiled by Roslyn as generated rules are, and run at the entry's points.
        var source = new StringBuilder("public static class RegistrySnippets\n{\n");
        var cases = new List<(string Method, Expr Expression, FunctionEntry Entry)>();
        foreach (var e in FunctionRegistry.All)
        {
            var f = Apply(e, X);
            var forms = RealArguments(e) == 0 ? [f] : new[] { f, Derivative.Of(f, X) };
            foreach (var form in forms)
            {
                string method = $"M{cases.Count}";
                cases.Add((method, form, e));
                var values = new StraightLineWriter(_ => "x", "v", "        ").Write([("result", form, "")]);
                var bounds = new StraightLineWriter(_ => "x", "b", "        ").WriteErrorBounds([("error", form)]);
                source.Append($"    public static double {method}(double x)\n    {{\n        double result;\n{values}        return result;\n    }}\n");
                source.Append($"    public static double {method}Error(double x)\n    {{\n        double error;\n{bounds}        return error;\n    }}\n");
            }
        }
        source.Append("}\n");
        var compiled = InMemoryCompiler.Compile([("RegistrySnippets.cs", source.ToString())], []);
        Assert.True(compiled.Success, string.Join("\n", compiled.Errors.Take(5)) + "\n" + source);
        try
        {
            var type = compiled.Context!.Assemblies.Single().GetType("RegistrySnippets")!;
            foreach (var (method, expression, e) in cases)
            {
                var value = type.GetMethod(method, BindingFlags.Public | BindingFlags.Static)!;
                var error = type.GetMethod(method + "Error", BindingFlags.Public | BindingFlags.Static)!;
                var points = RealArguments(e) == 0 ? [Rational.Zero] : DomainPoints(e).ToArray();
                foreach (var p in points)
                {
                    double x = p.ToDouble();
                    double generated = (double)value.Invoke(null, [x])!;
                    double bound = (double)error.Invoke(null, [x])!;
                    double reference = Eval(expression, x);
                    Close(reference, generated, 1e-14, $"{e.Name}: emitted {expression} at {x}");
                    Assert.True(double.IsFinite(bound) && bound >= 0, $"{e.Name}: error bound {bound} of {expression} at {x}");
                }
            }
        }
        finally
        {
            compiled.Unload();
        }
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void The_parsers_know_exactly_the_names_their_scope_allows(string name)
    {
        var e = Entry(name);
        string text = RealArguments(e) == 0 ? $"{name}(3)" : e.IntegerArguments > 0 ? $"{name}(1, z)" : $"{name}(z)";

        // --f: an objective function parses and evaluates as its runtime function; any other is unknown (SC0102).
        var objective = ObjectiveParser.Parse(text, new ObjectiveShape(1, false), DerivativeMode.Jet, out var diagnostics);
        if ((e.Scope & FunctionScope.Objective) != 0)
        {
            Assert.NotNull(objective);
            var p = DomainPoints(e).First().ToDouble();
            Close(Eval(Apply(e, X), p), objective!.Value([p]), 1e-14, $"--f {text} at {p}");
        }
        else
        {
            Assert.Null(objective);
            Assert.Contains(diagnostics, d => d.Id == DiagnosticCatalogue.UnknownFunction.Id);
        }

        // A declaration: logpdf(z) = name(k + z) binds without an unknown-function error exactly when declared.
        string argument = e.IntegerArguments > 0 ? "1, k + z" : "k + z";
        string call = RealArguments(e) == 0 ? $"{name}(3)" : $"{name}({argument})";
        string declaration = $"distribution Probe(k > 0) {{\n    support real\n    logpdf(z) = {call}\n    cgf(t) = k*t\n}}\n";
        var workspace = Workspace.Create([new SourceText("probe.dist", declaration)]);
        bool unknown = workspace.Diagnostics.Any(d => d.Id == DiagnosticCatalogue.UnknownFunction.Id);
        Assert.Equal((e.Scope & FunctionScope.Declaration) == 0, unknown);
    }

}
