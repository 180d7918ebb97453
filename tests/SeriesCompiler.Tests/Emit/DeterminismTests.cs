using System.Diagnostics;
using System.Globalization;
using SeriesCompiler.Emit.Generation;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Tests.Cli;
using Xunit;

namespace SeriesCompiler.Tests.Emit;

/// <summary>
/// The same declarations give byte-identical files on every run and culture. The projects run with invariant
/// globalization, where fi-FI or de-DE cannot be created, so hand-made cultures stand in for them: Finnish with a
/// decimal comma, a no-break space between groups and U+2212 as the minus sign; German with a decimal comma and a
/// point between groups.
/// </summary>
public class DeterminismTests
{
    public static CultureInfo FinnishLike()
    {
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberDecimalSeparator = ",";
        culture.NumberFormat.NumberGroupSeparator = "\u00A0";
        culture.NumberFormat.NegativeSign = "\u2212";
        culture.NumberFormat.PercentDecimalSeparator = ",";
        culture.NumberFormat.CurrencyDecimalSeparator = ",";
        return culture;
    }

    public static CultureInfo GermanLike()
    {
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberDecimalSeparator = ",";
        culture.NumberFormat.NumberGroupSeparator = ".";
        culture.NumberFormat.CurrencyDecimalSeparator = ",";
        return culture;
    }

    private static Dictionary<string, string> GenerateUnder(CultureInfo culture)
    {
        var (saved, savedUi) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = culture;
        CultureInfo.CurrentUICulture = culture;
        try
        {
            var result = RuleGenerator.Generate(Workspace.Create(EmitFixture.BundledSources()), EmitFixture.Order);
            Assert.False(result.HasErrors);
            return result.Files.ToDictionary(f => f.FileName, f => f.Content);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
            CultureInfo.CurrentUICulture = savedUi;
        }
    }

    [Fact]
    public void The_stand_in_cultures_really_format_differently()
    {
        Assert.Equal("\u22120,25", (-0.25).ToString(FinnishLike()));
        Assert.Equal("1.234,5", 1234.5.ToString("N1", GermanLike()));
    }

    [Fact]
    public void Generation_is_byte_identical_under_finnish_and_german_cultures()
    {
        var invariant = GenerateUnder(CultureInfo.InvariantCulture);
        foreach (var culture in new[] { FinnishLike(), GermanLike() })
        {
            var other = GenerateUnder(culture);
            Assert.Equal(invariant.Keys.Order(), other.Keys.Order());
            foreach (var (file, text) in invariant)
                Assert.True(text == other[file], $"{file} differs under {culture.NumberFormat.NumberDecimalSeparator}-decimal culture:\n" + Snapshot.Diff(text, other[file]));
        }
        Assert.DoesNotContain(invariant.Values, text => text.Contains('\u2212'));
    }

    [Fact]
    public void Generation_is_byte_identical_run_after_run()
    {
        var first = GenerateUnder(CultureInfo.InvariantCulture);
        var second = GenerateUnder(CultureInfo.InvariantCulture);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Compile_writes_the_same_files_in_process_under_a_finnish_culture_and_as_a_process_under_LANG_fi_FI()
    {
        string invariantOut = TempDirectory.Create(), finnishOut = TempDirectory.Create(), processOut = TempDirectory.Create();
        Assert.Equal(0, CliHarness.Run("compile", EmitFixture.DistributionsFolder, "--out", invariantOut).ExitCode);

        var saved = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = FinnishLike();
        try
        {
            var finnish = CliHarness.Run("compile", EmitFixture.DistributionsFolder, "--out", finnishOut);
            Assert.True(finnish.ExitCode == 0, finnish.Err);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }

        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "seriesc.dll"), "compile", EmitFixture.DistributionsFolder, "--out", processOut },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = TempDirectory.Create(),
        };
        start.Environment["LANG"] = "fi_FI.UTF-8";
        start.Environment["LC_ALL"] = "fi_FI.UTF-8";
        using (var process = Process.Start(start)!)
        {
            string err = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            Assert.True(process.WaitForExit(120_000), "seriesc compile did not finish in 2 minutes");
            Assert.True(process.ExitCode == 0, err);
        }

        var expected = Directory.GetFiles(invariantOut).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(EmitFixture.Generated.Files.Select(f => f.FileName).Order(StringComparer.Ordinal), expected);
        foreach (var folder in new[] { finnishOut, processOut })
        {
            Assert.Equal(expected, Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList());
            foreach (var file in expected)
                Assert.True(File.ReadAllBytes(Path.Combine(invariantOut, file!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(folder, file!))), $"{file} differs in {folder}");
        }
    }
}
