using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Functions;
using Xunit;
using F = SeriesCompiler.Runtime.Functions.FunctionExpression;

namespace SeriesCompiler.Runtime.Tests.Estimation;

/// <summary>
/// The separable objectives' block overrides (<c>Objective.Sum</c>, an expression summed over one-variable copies) give
/// the scalar methods' numbers bit for bit: values, pure partials of every order, fused values and partials, shifted
/// coordinate partials; and they may run on several threads.
/// </summary>
public sealed class SeparableBlockTests
{
    private const int D = 5, Count = 37, Stride = 64;

    private static double[] Data()
    {
        var data = new double[D * Stride];
        for (int j = 0; j < D; j++)
            for (int s = 0; s < Count; s++) data[j * Stride + s] = 0.05 + 0.37 * j + 0.061 * s; // positive: log terms are defined
        return data;
    }

    public static TheoryData<string> Objectives => ["sum", "expression-dual", "expression-jets"];

    private static Objective Make(string which) => which switch
    {
        "sum" => Objective.Sum(z => Jet.LogSigmoid(3 * z) + Jet.Square(z - 0.49)),
        // log_sigmoid(3 z) + (z - 0.49)^2: compiled values and duals.
        "expression-dual" => new ExpressionObjective(F.Apply(ElementaryFunction.LogSigmoid, F.Variable(0) * 3.0) + (F.Variable(0) - 0.49) * (F.Variable(0) - 0.49), 1),
        // lgamma has no dual rule: order 1 runs on jets too.
        "expression-jets" => new ExpressionObjective(F.Apply(ElementaryFunction.LogGamma, F.Variable(0) + 1.0), 1),
        _ => throw new ArgumentException(which),
    };

    private static double[] Point(double[] data, int s)
    {
        var z = new double[D];
        for (int j = 0; j < D; j++) z[j] = data[j * Stride + s];
        return z;
    }

    [Theory]
    [MemberData(nameof(Objectives))]
    public void Block_overrides_equal_the_scalar_methods(string which)
    {
        var f = Make(which);
        Assert.True(f.BlockThreadSafe);
        var data = Data();
        var block = new SampleBlock(data, D, Count, Stride);
        var values = new double[Stride];
        f.Values(block, values);
        foreach (int order in new[] { 1, 3 })
        {
            var partials = new double[(order + 1) * D * Stride];
            var fusedValues = new double[Stride];
            var fused = new double[partials.Length];
            f.PurePartials(block, order, partials);
            f.ValuesAndPurePartials(block, order, fusedValues, fused);
            var one = new double[D * (order + 1)];
            for (int s = 0; s < Count; s++)
            {
                var z = Point(data, s);
                Assert.Equal(f.Value(z), values[s]);
                Assert.Equal(f.Value(z), fusedValues[s], 1e-13 * Math.Abs(values[s]));
                f.PurePartials(z, order, one);
                for (int j = 0; j < D; j++)
                    for (int k = 1; k <= order; k++)
                    {
                        Assert.Equal(one[j * (order + 1) + k], partials[(k * D + j) * Stride + s]);
                        Assert.Equal(one[j * (order + 1) + k], fused[(k * D + j) * Stride + s]);
                    }
            }
        }
        var x = new double[D * Stride];
        for (int i = 0; i < x.Length; i++) x[i] = data[i] + 0.3;
        foreach (int order in new[] { 1, 2 })
        {
            var result = new double[D * Stride];
            f.CoordinatePartials(block, x, order, result);
            for (int s = 0; s < Count; s++)
                for (int j = 0; j < D; j++)
                    Assert.Equal(f.CoordinatePartial(Point(data, s), j, x[j * Stride + s], order), result[j * Stride + s]);
        }
    }

    [Theory]
    [MemberData(nameof(Objectives))]
    public void Block_overrides_run_on_several_threads_at_once(string which)
    {
        var f = Make(which);
        var data = Data();
        var expected = new double[3 * D * Stride];
        f.PurePartials(new SampleBlock(data, D, Count, Stride), 2, expected);
        var failures = 0;
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            var partials = new double[3 * D * Stride];
            f.PurePartials(new SampleBlock(data, D, Count, Stride), 2, partials);
            for (int k = 1; k <= 2; k++)
                for (int j = 0; j < D; j++)
                    for (int s = 0; s < Count; s++)
                        if (partials[(k * D + j) * Stride + s] != expected[(k * D + j) * Stride + s]) Interlocked.Increment(ref failures);
        });
        Assert.Equal(0, failures);
    }
}
