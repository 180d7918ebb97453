using BenchmarkDotNet.Attributes;
using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Functions;

namespace SeriesCompiler.Bench;

/// <summary>
/// Issue 4's targets: the gradient cost per sample of the Fourier rule (N = 1, 2, 4, 8), the pathwise gradient and the
/// score function, on the paper's gamma problem <c>E ||z - 0.49||^2</c> with d = 100 (z_j ~ Gamma(k_j, mu_j)), and on
/// a logistic-regression ridge function <c>log_sigmoid(y x . w)</c> with d = 31 over a Laplace mean-field posterior.
/// Targets: Fourier within 2x pathwise on the gamma problem; at N = 8 within 3x pathwise on the ridge problem.
/// One operation is one sample (an estimate of <see cref="Samples"/> samples, set-up included, divided by them).
/// Run: <c>dotnet run -c Release --project bench/SeriesCompiler.Bench -- --filter '*EstimatorBenchmarks*' --job short</c>
/// (add <c>--inProcess</c> where building BenchmarkDotNet's boilerplate project times out on a busy machine).
/// </summary>
[MemoryDiagnoser]
public class EstimatorBenchmarks
{
    private const int Samples = 1000;

    private Rule _gamma = null!, _laplace = null!;
    private double[] _gammaTheta = [], _ridgeTheta = [];
    private Objective _quadratic = null!, _likelihood = null!;
    private int _copies;

    [Params("gamma d=100", "ridge d=31")]
    public string Problem { get; set; } = "gamma d=100";

    [GlobalSetup]
    public void Setup()
    {
        _gamma = Rules.Load("gamma", 8);
        _laplace = Rules.Load("laplace", 8);
        const int d = 100;
        _gammaTheta = new double[2 * d];
        for (int j = 0; j < d; j++)
        {
            _gammaTheta[2 * j] = 1.5 + 0.02 * j;      // k_j
            _gammaTheta[2 * j + 1] = 0.3 + 0.005 * j; // mu_j
        }
        _quadratic = Objective.Sum(z => Jet.Square(z - 0.49));

        // One labelled example (y = 1) with 30 features and a bias, and a Laplace posterior (mu_j, b_j) on the 31 weights.
        const int w = 31;
        var random = new Random(31);
        var x = new double[w];
        _ridgeTheta = new double[2 * w];
        for (int j = 0; j < w; j++)
        {
            x[j] = j == w - 1 ? 1.0 : random.NextDouble() * 2 - 1;
            _ridgeTheta[2 * j] = 0.2 * (random.NextDouble() - 0.5);
            _ridgeTheta[2 * j + 1] = 0.1 + 0.1 * random.NextDouble();
        }
        _likelihood = Objective.Ridge(Jet.LogSigmoid, x);
        _copies = Problem.StartsWith("gamma", StringComparison.Ordinal) ? d : w;
    }

    private GradientEstimate Run(GradientEstimator estimator) =>
        Problem.StartsWith("gamma", StringComparison.Ordinal)
            ? estimator.Estimate(_gammaTheta, _quadratic, Samples, seed: 1, copies: _copies)
            : estimator.Estimate(_ridgeTheta, _likelihood, Samples, seed: 1, copies: _copies);

    private Rule Rule => Problem.StartsWith("gamma", StringComparison.Ordinal) ? _gamma : _laplace;

    [Benchmark(OperationsPerInvoke = Samples, Description = "fourier")]
    [Arguments(1)]
    [Arguments(2)]
    [Arguments(4)]
    [Arguments(8)]
    public GradientEstimate Fourier(int order) => Run(new FourierEstimator(Rule, order));

    [Benchmark(OperationsPerInvoke = Samples, Baseline = true, Description = "pathwise")]
    public GradientEstimate Pathwise() => Run(new PathwiseEstimator(Rule));

    [Benchmark(OperationsPerInvoke = Samples, Description = "score function")]
    public GradientEstimate Score() => Run(new ScoreFunctionEstimator(Rule));
}
