using System.Runtime.CompilerServices;
using SeriesCompiler.Examples;
using Xunit;

namespace SeriesCompiler.Tests.Estimate;

/// <summary>
/// The README's logistic regression example is the code of examples/LogisticRegression (between its markers), and that
/// code trains: the loss falls and the posterior mean classifies far above the majority rate (0.627).
/// </summary>
public sealed class LogisticExampleTests
{
    private const string Marker = "<!-- example: examples/LogisticRegression/LaplaceLogisticRegression.cs -->";

    private static string Root([CallerFilePath] string path = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));

    private static string[] ExampleLines()
    {
        var lines = File.ReadAllLines(Path.Combine(Root(), "examples", "LogisticRegression", "LaplaceLogisticRegression.cs"));
        int begin = Array.FindIndex(lines, l => l.Trim() == "// README example: begin");
        int end = Array.FindIndex(lines, l => l.Trim() == "// README example: end");
        Assert.True(begin >= 0 && end > begin, "the example's markers are missing");
        var body = lines[(begin + 1)..end];
        int indent = body.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return [.. body.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart())];
    }

    private static string[] ReadmeLines()
    {
        var lines = File.ReadAllLines(Path.Combine(Root(), "README.md"));
        int marker = Array.FindIndex(lines, l => l.Trim() == Marker);
        Assert.True(marker >= 0, $"README.md lacks {Marker}");
        int open = Array.FindIndex(lines, marker, l => l.StartsWith("```", StringComparison.Ordinal));
        int close = Array.FindIndex(lines, open + 1, l => l.StartsWith("```", StringComparison.Ordinal));
        return lines[(open + 1)..close];
    }

    [Fact]
    public void The_readme_shows_the_example_verbatim() => Assert.Equal(ExampleLines(), ReadmeLines());

    [Fact]
    public void The_example_trains_the_logistic_regression()
    {
        var (losses, accuracy) = LaplaceLogisticRegression.Train(steps: 150, seed: 3);
        Assert.True(losses[^1] < 0.5 * losses[0], $"loss {losses[0]} -> {losses[^1]}");
        Assert.True(accuracy > 0.9, $"accuracy {accuracy} (majority class 0.627)");
    }
}
