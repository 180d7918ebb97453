using SeriesCompiler.Runtime.Rules;
using Xunit;

namespace SeriesCompiler.Tests.Estimate;

/// <summary>
/// The generated <see cref="ICopyBatchedRule"/> members check their arguments once per call: a span too short for the
/// copies, a stride below the values one copy writes at the order asked for, or an order below 1 is an error naming
/// the argument and the size it needs, never an index error from inside the generated code.
/// </summary>
public sealed class CopyBatchArgumentsTests
{
    // Gamma(k, mu): 2 parameters, 2 differentiable, univariate: order n writes rows 1..n of 2 values each.
    private static readonly ICopyBatchedRule Gamma = (ICopyBatchedRule)SeriesCompiler.Generated.RuleRegistry.Find("gamma")!;
    private static readonly double[] ThreeCopies = [2.5, 0.7, 1.0, 1.0, 3.0, 0.5];

    [Fact]
    public void Correct_arguments_pass_and_write_the_exact_stride()
    {
        // order 3 at stride 3 * 2: every copy's rows 1..3, each copy at its own stride.
        var all = new double[3 * 6];
        Gamma.CoefficientsOfCopies(ThreeCopies, 3, 3, all, 6);
        Assert.Equal(ThreeCopies[1], all[0]);   // a_{1,k} = mu of copy 0
        Assert.Equal(ThreeCopies[3], all[6]);   // a_{1,k} = mu of copy 1
        Gamma.ValidateCopies(ThreeCopies, 3);
    }

    [Fact]
    public void Short_spans_name_the_argument_and_the_size_needed()
    {
        var e = Assert.Throws<ArgumentException>(() => Gamma.ValidateCopies(ThreeCopies.AsSpan(0, 5), 3));
        Assert.Equal("thetas", e.ParamName);
        Assert.Contains("need 6", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Gamma.CoefficientsOfCopies(ThreeCopies, 3, 2, new double[11], 4));
        Assert.Equal("all", e.ParamName);
        Assert.Contains("need 12", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Gamma.LaneShiftsOfCopies(ThreeCopies, 3, new double[6], new double[5]));
        Assert.Equal("scale", e.ParamName);
    }

    [Fact]
    public void A_stride_below_the_rows_written_or_an_order_below_one_is_refused()
    {
        // Order 4 writes 8 values per copy; a stride of 7 would overwrite the next copy's first value.
        var stride = Assert.Throws<ArgumentOutOfRangeException>(() => Gamma.CoefficientsOfCopies(ThreeCopies, 3, 4, new double[64], 7));
        Assert.Equal("stride", stride.ParamName);
        Assert.Contains("at least 8", stride.Message, StringComparison.Ordinal);
        // Above the rule's top order (8 here) every row is written: 16 values.
        stride = Assert.Throws<ArgumentOutOfRangeException>(() => Gamma.CoefficientsOfCopies(ThreeCopies, 3, 50, new double[64], 15));
        Assert.Contains("at least 16", stride.Message, StringComparison.Ordinal);
        var order = Assert.Throws<ArgumentOutOfRangeException>(() => Gamma.CoefficientsOfCopies(ThreeCopies, 3, 0, new double[64], 8));
        Assert.Equal("order", order.ParamName);
        var copies = Assert.Throws<ArgumentOutOfRangeException>(() => Gamma.ValidateCopies(ThreeCopies, -1));
        Assert.Equal("copies", copies.ParamName);
    }
}
