using System.Runtime.CompilerServices;
using System.Text;
using SeriesCompiler.Symbolic;
using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Model;
using SeriesCompiler.Symbolic.Resummation;
using SeriesCompiler.Tests.Emit;
using Xunit;

namespace SeriesCompiler.Tests.Resummation;

/// <summary>
/// Issue 16, item 5: the README's table of which bundled distribution gets which kind of rule is the compiler's own
/// output. The table is built here from the model of every bundled declaration (RuleKindTable) and must equal the
/// README block between the markers; it fails with the new table printed, and SERIESC_ACCEPT=1 rewrites the block.
/// </summary>
public sealed class RuleKindTableTests
{
    private static string Root([CallerFilePath] string path = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));

    private static string Table()
    {
        var ws = Workspace.Create(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "distributions"), "*.dist").Select(f => SourceText.FromFile(f)));
        var models = new List<RuleModel>();
        foreach (var d in ws.Distributions)
        {
            var (rule, diagnostics) = ws.Derive(d, DerivationLimits.DefaultOrder);
            Assert.True(rule is not null, string.Join("\n", diagnostics));
            models.Add(rule!);
        }
        return RuleKindTable.Render(models);
    }

    [Fact]
    public void The_readme_table_of_rule_kinds_is_the_compilers_own_output()
    {
        var path = Path.Combine(Root(), "README.md");
        var text = File.ReadAllText(path);
        int begin = text.IndexOf(RuleKindTable.Begin, StringComparison.Ordinal);
        int end = text.IndexOf(RuleKindTable.End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, "README.md lacks the rule-kinds markers");
        var block = text[begin..(end + RuleKindTable.End.Length + 1)];
        var table = Table();
        if (block == table) return;
        if (Environment.GetEnvironmentVariable(Snapshot.AcceptVariable) == "1")
        {
            File.WriteAllText(path, text[..begin] + table + text[(end + RuleKindTable.End.Length + 1)..], new UTF8Encoding(false));
            return;
        }
        Assert.Fail($"The README's rule-kinds table is not the compiler's output; run with {Snapshot.AcceptVariable}=1 to rewrite it. The table now:\n{table}");
    }

    [Fact]
    public void Every_kind_has_a_label_and_the_new_families_are_exact()
    {
        Assert.All(Enum.GetValues<RuleKind>(), k => Assert.False(string.IsNullOrEmpty(RuleKindTable.Label(k))));
        var table = Table();
        Assert.Contains("| CompoundPoisson | lambda | exact |", table);
        Assert.Contains("| VarianceGamma | m | exact |", table);
        Assert.Contains("| Normal | sigma | exact (finite series) |", table);
    }
}
