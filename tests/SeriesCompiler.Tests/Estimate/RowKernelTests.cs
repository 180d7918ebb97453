using SeriesCompiler.Emit.Loading;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Symbolic.Objectives;
using Xunit;

namespace SeriesCompiler.Tests.Estimate;

/// <summary>
/// Issue 13: the row kernels of a one-variable <c>--f</c> (<see cref="FunctionProgram.ValueRows"/>,
/// <see cref="FunctionProgram.DualRows"/>: one call per row of samples, four SIMD lanes, no delegate per value). Their
/// values and slopes are the compiled scalar code's bit for bit (rows of every length around the lane width and the
/// register chunk, signed zeros included); their slopes match derivatives written out by hand to 1e-13 relative; the
/// separable objective's block methods built on them still equal its scalar methods; a program of several variables
/// keeps the general path.
/// </summary>
public sealed class RowKernelTests
{
    public static TheoryData<string> Expressions =>
    [
        "(z - 0.49)^2", "z^3 - 2*z + 1", "exp(-z) * z", "log(1 + z^2)", "log1p(z^2) / (1 + z)", "sqrt(1 + z^2)",
        "sin(z) + cos(2 * z)", "sinh(z / 3) * cosh(z / 5)", "tanh(z) - atan(z)", "sigmoid(z) + softplus(-z)", "log_sigmoid(3 * z - 1)",
        "1 / (2 + z^2)", "-z^5 / 7 + 3 / z", "z^-2 + z^0", "exp(sin(z)) / (1 + z^4)", "-(z * 2) - 3 + 2^z", "(z - 1) / (z + 3) - 5 / (1 + z^2)",
    ];

    // Lengths below, at and past the lane width (4) and the row kernels' chunk (256 values), and over several chunks.
    private static readonly int[] Lengths = [1, 3, 4, 5, 63, 64, 65, 131, 255, 256, 257, 700];

    private static double[] Points(int n)
    {
        var x = new double[n];
        for (int s = 0; s < n; s++) x[s] = -3.1 + 0.173 * s + 0.01 * Math.Sin(s);
        if (n > 2) (x[1], x[2]) = (0.0, -0.0);
        return x;
    }

    private static FunctionProgram Body(string text) => ObjectiveParser.Parse(text, new ObjectiveShape(1, false, 1)).Body;

    private static void SameBits(double expected, double actual, string what) =>
        Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual), $"{what}: expected {expected:R}, got {actual:R}");

    [Theory]
    [MemberData(nameof(Expressions))]
    [InlineData("abs(z - 1) + z^2.5 * 0")]
    [InlineData("lgamma(3 + z^2) + tan(z / 4)")]
    [InlineData("(2 + z^2)^(z / 3)")]
    public void Row_values_are_the_compiled_values_bit_for_bit(string text)
    {
        var body = Body(text);
        var value = body.CompiledValue!;
        foreach (int n in Lengths)
        {
            var x = Points(n);
            var rows = new double[n];
            body.ValueRows(x, rows);
            var sums = new double[n];
            for (int s = 0; s < n; s++) sums[s] = 0.25 * s;
            body.ValueRows(x, sums, accumulate: true);
            for (int s = 0; s < n; s++)
            {
                SameBits(value(x[s]), rows[s], $"{text} at {x[s]:R}");
                SameBits(0.25 * s + value(x[s]), sums[s], $"{text} accumulated at {x[s]:R}");
            }
        }
    }

    /// <summary>
    /// The native front (Native AOT, no IL emitted) takes a row of one value as f's scalar delegates (FunctionProgram's
    /// OneRowValue and OneRowDual): each value alone, the other three lanes on leftovers, must be the compiled code's.
    /// </summary>
    [Theory]
    [MemberData(nameof(Expressions))]
    public void One_value_rows_are_the_compiled_scalars_bit_for_bit(string text)
    {
        var body = Body(text);
        var (value, dual) = (body.CompiledValue!, body.CompiledDual!);
        var x = Points(300);
        var (one, slope) = (new double[1], new double[1]);
        // Leftover lanes first hold another program's large values, so a lane that leaked into lane 0 would show.
        Body("exp(z) * 1e300").ValueRows(x, new double[300]);
        for (int s = 0; s < x.Length; s++)
        {
            body.ValueRows(x.AsSpan(s, 1), one);
            SameBits(value(x[s]), one[0], $"{text} alone at {x[s]:R}");
            body.DualRows(x.AsSpan(s, 1), one, slope);
            double expected = dual(x[s], out double expectedSlope);
            SameBits(expected, one[0], $"{text} dual value alone at {x[s]:R}");
            SameBits(expectedSlope, slope[0], $"{text} slope alone at {x[s]:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Expressions))]
    public void Row_duals_are_the_compiled_duals_bit_for_bit(string text)
    {
        var body = Body(text);
        Assert.True(body.HasDualRows);
        var dual = body.CompiledDual!;
        foreach (int n in Lengths)
        {
            var x = Points(n);
            var (values, slopes, alone) = (new double[n], new double[n], new double[n]);
            body.DualRows(x, values, slopes);
            body.DualRows(x, default, alone);
            for (int s = 0; s < n; s++)
            {
                double v = dual(x[s], out double d);
                SameBits(v, values[s], $"{text} value at {x[s]:R}");
                SameBits(d, slopes[s], $"{text} slope at {x[s]:R}");
                SameBits(d, alone[s], $"{text} slope (no values) at {x[s]:R}");
            }
        }
    }

    // f' written out by hand, independent of the program and its rules.
    public static TheoryData<string, Func<double, double>> ExactSlopes => new()
    {
        { "(z - 0.49)^2", z => 2 * (z - 0.49) },
        { "z^3 - 2*z + 1", z => 3 * z * z - 2 },
        { "exp(-z) * z", z => Math.Exp(-z) * (1 - z) },
        { "log(1 + z^2)", z => 2 * z / (1 + z * z) },
        { "sqrt(1 + z^2)", z => z / Math.Sqrt(1 + z * z) },
        { "sin(z) + cos(2 * z)", z => Math.Cos(z) - 2 * Math.Sin(2 * z) },
        { "tanh(z) - atan(z)", z => 1 / (Math.Cosh(z) * Math.Cosh(z)) - 1 / (1 + z * z) },
        { "sigmoid(z) + softplus(-z)", z => Math.Exp(-z) / ((1 + Math.Exp(-z)) * (1 + Math.Exp(-z))) - 1 / (1 + Math.Exp(z)) },
        { "log_sigmoid(3 * z - 1)", z => 3 / (1 + Math.Exp(3 * z - 1)) },
        { "1 / (2 + z^2)", z => -2 * z / ((2 + z * z) * (2 + z * z)) },
        { "z^-2 + z^0", z => -2 / (z * z * z) },
        { "-(z * 2) - 3 + 2^z", z => -2 + Math.Log(2) * Math.Pow(2, z) },
        { "sinh(z / 3) * cosh(z / 5)", z => Math.Cosh(z / 3) / 3 * Math.Cosh(z / 5) + Math.Sinh(z / 3) * Math.Sinh(z / 5) / 5 },
    };

    [Theory]
    [MemberData(nameof(ExactSlopes))]
    public void Row_slopes_match_derivatives_written_by_hand(string text, Func<double, double> exact)
    {
        var body = Body(text);
        var x = Points(131);
        x[1] = 0.37; // away from z = 0, where z^-2 has its pole
        x[2] = -0.41;
        var slopes = new double[x.Length];
        body.DualRows(x, default, slopes);
        for (int s = 0; s < x.Length; s++)
        {
            if (text.StartsWith("z^-2", StringComparison.Ordinal) && Math.Abs(x[s]) < 0.05) continue;
            double expected = exact(x[s]);
            Assert.True(Math.Abs(slopes[s] - expected) <= 1e-13 * Math.Max(1, Math.Abs(expected)), $"{text} at {x[s]:R}: rows {slopes[s]:R}, by hand {expected:R}");
        }
    }

    [Theory]
    [InlineData("abs(z - 1)")]
    [InlineData("z^2.5")]
    [InlineData("lgamma(z + 1)")]
    public void Operations_without_a_dual_rule_have_no_dual_rows(string text)
    {
        var body = Body(text);
        Assert.False(body.HasDualRows);
        Assert.Throws<InvalidOperationException>(() => body.DualRows([1.0], default, new double[1]));
    }

    [Theory]
    [InlineData("(z - 0.49)^2")]
    [InlineData("log_sigmoid(3 * z - 1) + exp(-z^2)")]
    [InlineData("abs(z - 1)")] // no dual rule: order 1 on jets
    public void Separable_block_methods_equal_the_scalar_methods(string text)
    {
        // 70 samples run the row kernels; 1 and 3 (shorter than a lane, a one-sample step) the compiled delegates.
        foreach (int count in new[] { 70, 3, 1 }) SeparableBlockMethodsEqualTheScalarMethods(text, count);
    }

    private static void SeparableBlockMethodsEqualTheScalarMethods(string text, int count)
    {
        const int d = 7, stride = 72;
        var f = ObjectiveParser.Parse(text, new ObjectiveShape(1, false, d));
        var data = new double[d * stride];
        var shifted = new double[d * stride];
        for (int j = 0; j < d; j++)
            for (int s = 0; s < count; s++)
            {
                data[j * stride + s] = -1.3 + 0.11 * j + 0.037 * s;
                shifted[j * stride + s] = data[j * stride + s] + 0.5 + 0.01 * s;
            }
        var block = new SampleBlock(data, d, count, stride);
        var (values, fusedValues) = (new double[stride], new double[stride]);
        var (partials, fused) = (new double[2 * d * stride], new double[2 * d * stride]);
        var (coordinate, coordinateValues) = (new double[d * stride], new double[d * stride]);
        f.Values(block, values);
        f.PurePartials(block, 1, partials);
        f.ValuesAndPurePartials(block, 1, fusedValues, fused);
        f.CoordinatePartials(block, shifted, 1, coordinate);
        f.CoordinatePartials(block, shifted, 0, coordinateValues);
        var z = new double[d];
        var one = new double[2 * d];
        for (int s = 0; s < count; s++)
        {
            for (int j = 0; j < d; j++) z[j] = data[j * stride + s];
            f.PurePartials(z, 1, one);
            SameBits(f.Value(z), values[s], $"f at sample {s}");
            SameBits(f.Value(z), fusedValues[s], $"fused f at sample {s}");
            for (int j = 0; j < d; j++)
            {
                SameBits(one[2 * j + 1], partials[(d + j) * stride + s], $"df/dz_{j} at sample {s}");
                SameBits(one[2 * j + 1], fused[(d + j) * stride + s], $"fused df/dz_{j} at sample {s}");
                SameBits(f.CoordinatePartial(z, j, shifted[j * stride + s], 1), coordinate[j * stride + s], $"shifted df/dz_{j} at sample {s}");
                SameBits(f.CoordinateSlice(z, j, shifted[j * stride + s]), coordinateValues[j * stride + s], $"shifted f along z_{j} at sample {s}");
            }
        }
    }

    [Fact]
    public void A_program_of_several_variables_keeps_the_general_path()
    {
        // Two variables per copy (z1, z2 of a bivariate law): not separable per coordinate, no row kernels; the block
        // methods gather samples and still give the scalar methods' numbers.
        var f = ObjectiveParser.Parse("z1 * exp(z2) + sin(z1 - z2)", new ObjectiveShape(2, false, 3));
        Assert.False(f.Body.HasRowKernels);
        Assert.Throws<InvalidOperationException>(() => f.Body.ValueRows([1.0], new double[1]));
        const int d = 6, count = 9, stride = 12;
        var data = new double[d * stride];
        for (int i = 0; i < data.Length; i++) data[i] = 0.1 * (i % 17) - 0.6;
        var block = new SampleBlock(data, d, count, stride);
        var values = new double[stride];
        var partials = new double[2 * d * stride];
        f.Values(block, values);
        f.PurePartials(block, 1, partials);
        var z = new double[d];
        var one = new double[2 * d];
        for (int s = 0; s < count; s++)
        {
            for (int j = 0; j < d; j++) z[j] = data[j * stride + s];
            f.PurePartials(z, 1, one);
            SameBits(f.Value(z), values[s], $"f at sample {s}");
            for (int c = 0; c < 3; c++)
            {
                // d/dz1 of copy c: exp(z2) + cos(z1 - z2), by hand.
                double z1 = z[2 * c], z2 = z[2 * c + 1];
                double expected = Math.Exp(z2) + Math.Cos(z1 - z2);
                Assert.True(Math.Abs(partials[(d + 2 * c) * stride + s] - expected) <= 1e-13 * Math.Max(1, Math.Abs(expected)));
                SameBits(one[2 * (2 * c) + 1], partials[(d + 2 * c) * stride + s], $"df/dz1 of copy {c} at sample {s}");
            }
        }
    }
}
