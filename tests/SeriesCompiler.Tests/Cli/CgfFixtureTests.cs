using System.Globalization;
using System.Text.Json;
using Xunit;

namespace SeriesCompiler.Tests.Cli;

/// <summary>
/// <c>seriesc coefficients NAME --order 10 --at ... --format json</c> against reference numbers computed independently of
/// the symbolic engine (<see cref="CgfFixtureData"/>): relative error 1e-12, absolute near 0.
/// </summary>
public class CgfFixtureTests
{
    public static TheoryData<string> Names() => new(CgfFixtureData.All.Select(f => f.Name));

    private static bool Close(double have, double want) =>
        Math.Abs(have - want) <= 1e-12 * Math.Max(Math.Abs(want), 1e-3);

    [Theory]
    [MemberData(nameof(Names))]
    public void Coefficients_match_the_reference(string name)
    {
        var fixture = CgfFixtureData.All.Single(f => f.Name == name);
        string at = string.Join(",", fixture.At.Select(a => a.Parameter + "=" + a.Value.ToString("R", CultureInfo.InvariantCulture)));
        var result = CliHarness.Run("coefficients", name, "--order", "10", "--at", at, "--format", "json");
        Assert.True(result.ExitCode == 0, result.Err);
        using var doc = JsonDocument.Parse(result.Out);
        var root = doc.RootElement;
        Assert.Equal(fixture.Parameters, root.GetProperty("parameters").EnumerateArray().Select(e => e.GetString()));
        var entries = root.GetProperty("coefficients").EnumerateArray().ToDictionary(e => e.GetProperty("n")[0].GetInt32());
        Assert.Equal(10, entries.Count);

        var errors = new List<string>();
        foreach (var row in fixture.Rows.Where(r => r.N >= 1))
        {
            var entry = entries[row.N];
            double c = entry.GetProperty("c").GetDouble();
            if (!Close(c, row.C)) errors.Add($"n={row.N} c: {c:R} vs {row.C:R}");
            foreach (var (p, want) in row.D)
            {
                double have = entry.GetProperty("d").GetProperty(p).GetDouble();
                if (!Close(have, want)) errors.Add($"n={row.N} d{p}: {have:R} vs {want:R}");
            }
        }
        Assert.True(errors.Count == 0, string.Join("; ", errors));
    }
}
