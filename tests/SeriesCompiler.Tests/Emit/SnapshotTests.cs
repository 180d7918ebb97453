using Xunit;

namespace SeriesCompiler.Tests.Emit;

/// <summary>
/// Golden files of the emitted C# for three kinds of rule: continuous with a closed-form CGF, a sampler with
/// implicit-gamma pathwise derivatives and a score (Gamma); discrete on a finite support (Bernoulli); derived from
/// latents with a generic value transform (Beta). <c>SERIESC_ACCEPT=1</c> accepts new output.
/// </summary>
public class SnapshotTests
{
    [Theory]
    [InlineData("GammaRule.g.cs")]
    [InlineData("BernoulliRule.g.cs")]
    [InlineData("BetaRule.g.cs")]
    public void Emitted_code_matches_the_snapshot(string file)
    {
        var generated = EmitFixture.Generated.Files.Single(f => f.FileName == file);
        Snapshot.Match(file + ".txt", generated.Content);
    }

    [Fact]
    public void The_snapshot_helper_reports_a_readable_diff()
    {
        string diff = Snapshot.Diff("a\nb\nc\nd\n", "a\nB\nc\nd\n");
        Assert.Contains("-     2 | b", diff);
        Assert.Contains("+     2 | B", diff);
        Assert.Contains("      1 | a", diff);
    }
}
