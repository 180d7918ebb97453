using System.Text.RegularExpressions;

namespace SeriesCompiler.Fuzz;

/// <summary>
/// Compiler bugs the fuzzer has found and that are not fixed yet, each with a test that reproduces it
/// (tests/SeriesCompiler.Tests/Hardening/FuzzRegressionTests.cs, skipped until the fix) and a predicate over a case's text
/// that recognises inputs likely to run into it. The long run tags each finding with the issue that explains it
/// (its input matches, and for a crash its exception too), so that new bugs stand out; the short run in
/// <c>dotnet test</c> leaves inputs that match any issue out, so that it stays green and fast while the bugs are open.
/// Remove an entry when its bug is fixed: its inputs then count again.
/// </summary>
public static partial class KnownIssues
{
    /// <param name="Findings">The finding categories the issue explains: crash, hang.</param>
    /// <param name="Crash">For a crash, a pattern its report matches (the exception); null: any crash.</param>
    public sealed record Issue(string Id, string Summary, Func<string, bool> Matches, string[] Findings, string? Crash = null);

    // Every issue the fuzzer found so far is fixed; each has a regression test in
    // tests/SeriesCompiler.Tests/Hardening/FuzzRegressionTests.cs. Add an entry here (an id, a summary, a predicate
    // over the case's text, the finding categories it explains and the exception pattern of its crashes) when a
    // new bug is found and cannot be fixed at once.
    public static readonly IReadOnlyList<Issue> All = [];

    /// <summary>The first known issue the text is likely to run into, or null (the short run skips such inputs).</summary>
    public static Issue? Match(string text) => All.FirstOrDefault(issue => issue.Matches(text));

    /// <summary>The known issue that explains a finding of <paramref name="category"/> with <paramref name="detail"/>, or null: a new bug.</summary>
    public static Issue? Explain(string text, string category, string detail) =>
        All.FirstOrDefault(issue => issue.Findings.Contains(category) && issue.Matches(text)
            && (category != "crash" || issue.Crash is null || Regex.IsMatch(detail, issue.Crash)));
}
