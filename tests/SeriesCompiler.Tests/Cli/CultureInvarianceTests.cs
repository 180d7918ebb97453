using System.Globalization;
using System.Text.Json;
using Xunit;

namespace SeriesCompiler.Tests.Cli;

/// <summary>
/// JSON numbers, --at values and printed expressions must not depend on the culture. The project runs with
/// InvariantGlobalization, where <c>new CultureInfo("fi-FI")</c> may be refused; then a hand-made culture with the
/// Finnish conventions (decimal comma, U+2212 minus sign) stands in for it.
/// </summary>
public class CultureInvarianceTests
{
    private static CultureInfo Finnish()
    {
        try
        {
            var fi = new CultureInfo("fi-FI");
            if (fi.NumberFormat.NumberDecimalSeparator == ",") return fi;
        }
        catch (CultureNotFoundException)
        {
        }
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberDecimalSeparator = ",";
        culture.NumberFormat.NumberGroupSeparator = "\u00A0";
        culture.NumberFormat.NegativeSign = "\u2212";
        return culture;
    }

    private static T Under<T>(CultureInfo culture, Func<T> body)
    {
        var saved = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = culture;
        try
        {
            return body();
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void The_stand_in_culture_really_writes_numbers_differently()
    {
        var fi = Finnish();
        Assert.Equal("\u22120,4", (-0.4).ToString(fi));
    }

    [Theory]
    [InlineData("json")]
    [InlineData("table")]
    [InlineData("latex")]
    public void Output_is_the_same_under_a_finnish_culture(string format)
    {
        string[] args = ["coefficients", "laplace", "--order", "4", "--at", "mu=-0.4,b=0.6", "--format", format];
        var invariant = Under(CultureInfo.InvariantCulture, () => CliHarness.Run(args));
        var finnish = Under(Finnish(), () => CliHarness.Run(args));
        Assert.Equal(0, finnish.ExitCode);
        Assert.Equal(invariant.Out, finnish.Out);
        Assert.DoesNotContain("\u2212", finnish.Out);
    }

    [Fact]
    public void Json_numbers_use_a_point_and_an_ascii_minus()
    {
        var result = Under(Finnish(), () => CliHarness.Run("coefficients", "laplace", "--order", "2", "--at", "mu=-0.4,b=0.6", "--format", "json"));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\"mu\": -0.4", result.Out);
        Assert.Contains("\"b\": 0.6", result.Out);
        using var doc = JsonDocument.Parse(result.Out);
        Assert.Equal(-0.4, doc.RootElement.GetProperty("coefficients")[0].GetProperty("c").GetDouble());
    }

    [Fact]
    public void The_callers_culture_is_restored()
    {
        var fi = Finnish();
        var after = Under(fi, () =>
        {
            CliHarness.Run("coefficients", "gamma", "--order", "1");
            return CultureInfo.CurrentCulture;
        });
        Assert.Same(fi, after);
    }
}
