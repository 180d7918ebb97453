using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;
using Xunit;
using static SeriesCompiler.Tests.Symbolic.SymbolicTestHelpers;

namespace SeriesCompiler.Tests.Symbolic;

/// <summary>
/// <see cref="Workspace.DeriveAll"/> (what <c>seriesc check</c> runs) derives declarations on several threads: it must
/// give, in the order asked, exactly what one thread deriving them one after another gives, models and diagnostics,
/// whatever the thread count, for the bundled declarations (derived ones with latents among them) and for a
/// declaration that fails to derive and one with a warning.
/// </summary>
public sealed class DeriveAllTests
{
    private static List<SourceText> Files() =>
    [
        .. Directory.GetFiles(DistributionsFolder, "*.dist").Order(StringComparer.Ordinal).Select(f => SourceText.FromFile(f)),
        // A derivation error (an essential singularity at 0: SC1001) and an unused parameter (a warning).
        new("essential.dist", "distribution Essential(a > 0) {\n    support real\n    cgf(t) = a*t + exp(1/t)\n}\n"),
        new("unused.dist", "distribution Unused(a > 0, b > 0) {\n    support positive\n    cgf(t) = -a * log(1 - t)\n}\n"),
    ];

    [Theory]
    [InlineData(2, 12)]
    [InlineData(3, 24)]
    [InlineData(8, 5)]
    public void Gives_one_threads_results_in_the_order_asked(int threads, int order)
    {
        var parallel = Workspace.Create(Files());
        var sequential = Workspace.Create(Files());
        var declarations = parallel.Distributions.Where(parallel.IsValid).ToArray();
        var results = parallel.DeriveAll(declarations, order, threads);
        Assert.Equal(declarations.Length, results.Length);
        int withErrors = 0, withWarnings = 0;
        for (int i = 0; i < declarations.Length; i++)
        {
            var (expected, expectedDiagnostics) = sequential.Derive(sequential.Find(declarations[i].Name)!, order);
            Assert.Equal(expectedDiagnostics.Select(x => x.ToString()), results[i].Diagnostics.Select(x => x.ToString()));
            Assert.Equal(expected, results[i].Rule); // value equality: every coefficient and derivative
            withErrors += results[i].Diagnostics.Any(d => d.IsError) ? 1 : 0;
            withWarnings += results[i].Diagnostics.Any(d => !d.IsError) ? 1 : 0;
        }
        Assert.Equal(1, withErrors);
        Assert.True(withWarnings >= 1);
        // The results are the workspace's memoised ones, as Derive would give them afterwards.
        Assert.Equal(results[0].Rule, parallel.Derive(declarations[0], order).Rule);
    }

    [Theory]
    [InlineData(1, 9)]
    [InlineData(2, 16)]
    [InlineData(5, 3)]
    public void DiagnoseAll_gives_the_diagnostics_of_one_thread_and_keeps_no_model(int threads, int order)
    {
        var parallel = Workspace.Create(Files());
        var sequential = Workspace.Create(Files());
        var declarations = parallel.Distributions.Where(parallel.IsValid).ToArray();
        var diagnostics = parallel.DiagnoseAll(declarations, order, threads);
        Assert.Equal(declarations.Length, diagnostics.Length);
        for (int i = 0; i < declarations.Length; i++)
            Assert.Equal(sequential.Derive(sequential.Find(declarations[i].Name)!, order).Diagnostics.Select(x => x.ToString()),
                diagnostics[i].Select(x => x.ToString()));
        Assert.Contains(diagnostics, d => d.Any(x => x.IsError));
        // A later Derive (nothing was memoised for it) gives the model one thread gives.
        var gamma = parallel.Find("Gamma")!;
        Assert.Equal(sequential.Derive(sequential.Find("Gamma")!, order).Rule, parallel.Derive(gamma, order).Rule);
    }

    [Fact]
    public void One_thread_and_no_declarations_are_plain_cases()
    {
        var workspace = Workspace.Create(Files());
        Assert.Empty(workspace.DeriveAll([], 8, threads: 4));
        var gamma = workspace.Find("Gamma")!;
        var (rule, diagnostics) = Assert.Single(workspace.DeriveAll([gamma], 8, threads: 1));
        Assert.Empty(diagnostics);
        Assert.Equal(workspace.Derive(gamma, 8).Rule, rule);
    }
}
