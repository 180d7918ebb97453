using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using SeriesCompiler.Emit.Generation;
using SeriesCompiler.Emit.Roslyn;
using SeriesCompiler.Generated;
using SeriesCompiler.Runtime.Rules;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Model;

namespace SeriesCompiler.Bench;

/// <summary>
/// Issue 3's targets for the generated code: all coefficients a_{n,p} of a rule at order 8, computed by the class
/// compiled at build time (SeriesCompiler.Distributions) at least 20 times faster than the tree interpreter
/// (ExprEvaluator on the model's expressions) and with 0 bytes allocated.
/// Run: <c>dotnet run -c Release --project bench/SeriesCompiler.Bench -- --filter '*EmitBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class EmitBenchmarks
{
    private IDistributionRule _rule = null!;
    private Expr[] _expressions = [];
    private Dictionary<Symbol, double> _values = [];
    private double[] _theta = [];
    private double[] _a = [];

    [Params("Gamma", "Bernoulli", "Categorical")]
    public string Distribution { get; set; } = "Gamma";

    [GlobalSetup]
    public void Setup()
    {
        _rule = RuleRegistry.Find(Distribution) ?? throw new InvalidOperationException(Distribution + " is not in SeriesCompiler.Distributions");
        var workspace = Workspace.Create(BundledDistributions.Load());
        var model = workspace.Derive(workspace.Find(Distribution)!, DerivationLimits.DefaultOrder).Rule!;
        _theta = Distribution switch { "Gamma" => [2.5, 0.7], "Bernoulli" => [0.3], _ => [0.2, 0.3] };
        _values = model.Parameters.Select((p, i) => (p.Symbol, _theta[i])).ToDictionary();
        _expressions = model.Coefficients.SelectMany(c => c.Derivatives).ToArray();
        _a = new double[_rule.MultiIndices.Count * _rule.Differentiable.Count];
        if (_a.Length != _expressions.Length) throw new InvalidOperationException("the model and the generated rule disagree on the shape");
    }

    [Benchmark(Baseline = true, Description = "tree interpreter")]
    public double Interpreter()
    {
        double sum = 0;
        foreach (var e in _expressions) sum += ExprEvaluator.Evaluate(e, _values);
        return sum;
    }

    [Benchmark(Description = "generated (build time)")]
    public double Generated()
    {
        _rule.Coefficients(_theta, _a);
        return _a[^1];
    }
}

/// <summary>
/// In-memory compile of one rule (Gamma's generated class) with Roslyn and loading it into a collectible context,
/// warm (the metadata references are built once per process, and ten warm-up compiles let the JIT tier Roslyn up):
/// target at most 150 ms. Few iterations: each one
/// compiles and loads a new assembly.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 10, iterationCount: 15)]
public class InMemoryCompileBenchmarks
{
    private (string, string)[] _sources = [];

    [GlobalSetup]
    public void Setup()
    {
        var workspace = Workspace.Create(BundledDistributions.Load().Where(s => s.Path.EndsWith("gamma.dist", StringComparison.Ordinal)));
        var result = RuleGenerator.Generate(workspace, DerivationLimits.DefaultOrder);
        _sources = result.Files.Where(f => f.FileName == "GammaRule.g.cs").Select(f => (f.FileName, f.Content)).ToArray();
        Compile(); // cold: references and Roslyn's own start-up
    }

    [Benchmark(Description = "compile and load GammaRule in memory")]
    public int Compile()
    {
        var compiled = InMemoryCompiler.Compile(_sources, ["SeriesCompiler.Generated.GammaRule"]);
        if (!compiled.Success) throw new InvalidOperationException(string.Join("\n", compiled.Errors));
        int order = compiled.Rules[0].Order;
        compiled.Unload();
        return order;
    }
}
