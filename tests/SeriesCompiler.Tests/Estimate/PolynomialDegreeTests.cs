using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Symbolic.Objectives;
using Xunit;

namespace SeriesCompiler.Tests.Estimate;

/// <summary>
/// Issue 13: a separable <c>--f</c> that is a polynomial in z is asked by the series for pure partials up to the order
/// (or one past it); above its degree they are identically 0, so the jets carry only the orders up to the degree
/// (<see cref="FunctionProgram.PolynomialDegree"/>). The degrees are the ones worked out by hand; the block partials of
/// every order equal, bit for bit, the scalar path's jets carried to the full order (which this change leaves alone),
/// and those are exactly 0 above the degree.
/// </summary>
public sealed class PolynomialDegreeTests
{
    private static FunctionProgram Body(string text) => ObjectiveParser.Parse(text, new ObjectiveShape(1, false, 1)).Body;

    [Theory]
    [InlineData("(z - 0.49)^2", 2)]
    [InlineData("z^3 - 2*z + 1", 3)]
    [InlineData("(z^2 + 1)^3 * z", 7)]
    [InlineData("-(z * 2) / 4 - 3", 1)]
    [InlineData("z * (2 + exp(1)) + sqrt(2) * z^2", 2)]
    [InlineData("z^0 + 5", 0)]
    [InlineData("(z - 1) * (z + 1) - z^2", 2)] // an upper bound: the cancellation is not looked for
    public void Degree_of_a_polynomial(string text, int degree) => Assert.Equal(degree, Body(text).PolynomialDegree);

    [Theory]
    [InlineData("exp(-z) * z")]
    [InlineData("1 / (2 + z^2)")]
    [InlineData("z^-2 + 1")]
    [InlineData("z^2.5")]
    [InlineData("2^z")]
    [InlineData("sqrt(1 + z^2)")]
    [InlineData("abs(z - 1)")]
    [InlineData("z / (z + 1)")]
    public void Not_a_polynomial(string text) => Assert.Equal(FunctionProgram.NotPolynomial, Body(text).PolynomialDegree);

    [Theory]
    [InlineData("(z - 0.49)^2", 9)]
    [InlineData("z^3 - 2*z + 1", 9)]
    [InlineData("(z^2 + 1)^3 * z", 9)]
    [InlineData("(z - 0.49)^2", 2)]
    [InlineData("3 * z - 1", 4)]
    [InlineData("exp(-z) * z", 5)] // not a polynomial: every order through the jets, as before
    public void Block_partials_equal_the_full_jets_and_vanish_above_the_degree(string text, int order)
    {
        const int d = 5, count = 37, stride = 40;
        var f = ObjectiveParser.Parse(text, new ObjectiveShape(1, false, d));
        int degree = f.Body.PolynomialDegree;
        var data = new double[d * stride];
        var shifted = new double[d * stride];
        for (int j = 0; j < d; j++)
            for (int s = 0; s < count; s++)
            {
                data[j * stride + s] = -2.3 + 0.21 * j + 0.113 * s;
                shifted[j * stride + s] = data[j * stride + s] + 0.7 - 0.01 * s;
            }
        var block = new SampleBlock(data, d, count, stride);
        var partials = new double[(order + 1) * d * stride];
        Array.Fill(partials, double.NaN); // every row the method owns must be written
        var values = new double[stride];
        f.ValuesAndPurePartials(block, order, values, partials);
        var coordinate = new double[d * stride];
        Array.Fill(coordinate, double.NaN);
        f.CoordinatePartials(block, shifted, order, coordinate);

        var z = new double[d];
        var full = new double[d * (order + 1)];
        var moved = new double[d * (order + 1)];
        for (int s = 0; s < count; s++)
        {
            for (int j = 0; j < d; j++) z[j] = data[j * stride + s];
            f.PurePartials(z, order, full);
            for (int j = 0; j < d; j++) z[j] = shifted[j * stride + s];
            f.PurePartials(z, order, moved);
            for (int j = 0; j < d; j++)
            {
                for (int k = 1; k <= order; k++)
                {
                    double expected = full[j * (order + 1) + k], actual = partials[(k * d + j) * stride + s];
                    // Above the degree both are zero (the full jets' may carry a sign: -0 == 0).
                    if (k > degree) Assert.True(expected == 0 && actual == 0, $"{text}: order {k} above degree {degree}: full jets {expected:R}, block {actual:R}");
                    else Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual),
                        $"{text}: d^{k}f/dz_{j}^{k} at sample {s}: full jets {expected:R}, block {actual:R}");
                }
                double shiftedExpected = moved[j * (order + 1) + order], shiftedActual = coordinate[j * stride + s];
                if (order > degree) Assert.True(shiftedExpected == 0 && shiftedActual == 0, $"{text}: shifted order {order}: {shiftedExpected:R}, {shiftedActual:R}");
                else Assert.True(BitConverter.DoubleToInt64Bits(shiftedExpected) == BitConverter.DoubleToInt64Bits(shiftedActual),
                    $"{text}: order {order} at the shifted point, sample {s}, coordinate {j}: full jets {shiftedExpected:R}, block {shiftedActual:R}");
            }
        }
    }
}
