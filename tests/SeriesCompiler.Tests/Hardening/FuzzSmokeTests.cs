using SeriesCompiler.Fuzz;
using SeriesCompiler.Tests.Emit;
using Xunit;
using Xunit.Abstractions;

namespace SeriesCompiler.Tests.Hardening;

/// <summary>
/// The fuzzer of tests/SeriesCompiler.Fuzz, briefly: a fixed seed, a few thousand cases (half mutations of the
/// bundled declarations, half generated from the grammar) through parse, bind, derive (order 4 and a random order
/// up to 6) and emit, two of them compiled with Roslyn. Each case runs in a worker process with a time limit, so a
/// crash or a hang fails this test, not the test run. Inputs that match a known, unfixed bug
/// (tests/SeriesCompiler.Fuzz/KnownIssues.cs, reproduced in <see cref="FuzzRegressionTests"/>) are left out. The long run
/// (100,000 cases) is documented in the README.
/// </summary>
public sealed class FuzzSmokeTests(ITestOutputHelper output)
{
    [Fact]
    public void A_short_run_with_a_fixed_seed_has_no_crash_hang_or_unpositioned_diagnostic()
    {
        var options = new FuzzOptions
        {
            Cases = 2500,
            Seed = 20240611,
            CompileSample = 2,
            // Derivation costs grow steeply with the order; up to 6 keeps every case well inside the time limit.
            MaxRandomOrder = 6,
            // Generous: a loaded CI machine must not turn a slow case into a hang; a real hang takes minutes.
            Timeout = TimeSpan.FromSeconds(20),
            SkipKnownIssues = true,
            FindingsDirectory = null,
        };
        var summary = IsolatedFuzzer.Run(options, EmitFixture.DistributionsFolder, TextWriter.Null);
        var report = new StringWriter();
        summary.Print(report);
        output.WriteLine(report.ToString());

        Assert.True(summary.Clean, report.ToString());
        Assert.True(summary.Cases >= 1500, $"only {summary.Cases} cases ran");
        Assert.True(summary.Generated > 500 && summary.Mutated > 500, report.ToString());
        Assert.True(summary.Emitted > 200, "too few cases reached the emitter: " + report);
        Assert.True(summary.CompileAttempts >= 1, "no case was compiled with Roslyn: " + report);
        Assert.True(summary.Ids.Count >= 30, "the cases reach too few diagnostics: " + report);
    }

    [Fact]
    public void Cases_are_a_function_of_seed_and_index()
    {
        var seeds = EmitFixture.BundledSources().Select(s => s.Text).ToList();
        for (long index = 0; index < 200; index++)
        {
            var a = FuzzCase.Create(7, index, seeds);
            var b = FuzzCase.Create(7, index, seeds);
            Assert.Equal(a, b);
        }
        Assert.NotEqual(FuzzCase.Create(7, 0, seeds).Text, FuzzCase.Create(8, 0, seeds).Text);
    }

    [Fact]
    public void A_replay_in_a_child_process_is_clean_for_diagnostics_and_reports_them()
    {
        var good = IsolatedFuzzer.Replay("distribution D(a) {\n    support real\n    cgf(t) = a*t\n}\n", 4, TimeSpan.FromSeconds(60));
        Assert.True(good.Clean, good.ToString());
        var bad = IsolatedFuzzer.Replay("distribution D(a) {\n    support real\n    cgf(t) = a*nosuch(t)\n}\n", 4, TimeSpan.FromSeconds(60));
        Assert.True(bad.Clean, bad.ToString()); // a diagnostic is the compiler working, not a finding
        Assert.Contains("fuzz.dist(3,16): error SC0102", bad.Output);
    }
}
