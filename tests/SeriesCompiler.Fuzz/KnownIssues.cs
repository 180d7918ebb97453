using System.Text.RegularExpressions;

namespace SeriesCompiler.Fuzz;

/// <summary>
/// Compiler bugs the fuzzer has found and that are not fixed yet, each with a test that reproduces it
/// (tests/SeriesCompiler.Tests/Hardening/KnownBugTests.cs, skipped until the fix) and a predicate over a case's text
/// that recognises inputs likely to run into it. The long run tags each finding with the issue its input matches
/// (so new bugs stand out); the short run in <c>dotnet test</c> leaves such inputs out, so that it stays green and
/// fast while the bug is open. Remove an entry when its bug is fixed: its inputs then count again.
/// </summary>
public static partial class KnownIssues
{
    public sealed record Issue(string Id, string Summary, Func<string, bool> Matches);

    // A fractional or symbolic power next to exp: sqrt(exp(x)), exp(x)^(1/2), exp(x)^beta (after canonicalisation
    // sqrt(1 + (exp(x) - 1)) is sqrt(exp(x)) too).
    [GeneratedRegex(@"\^\s*\(?\s*(-?\d+\s*/\s*\d+|\d*\.\d+|-?[\p{L}_])")]
    private static partial Regex FractionalOrSymbolicPower();

    // Eight or more '^' on one line: a power tower.
    [GeneratedRegex(@"^[^\n]*(\^[^\n]*){8}", RegexOptions.Multiline)]
    private static partial Regex PowerTower();

    // A parenthesised base raised to an integer from 10 to 64: expanded term by term when bound.
    [GeneratedRegex(@"\)\s*\^\s*\(?\s*(1\d|[2-5]\d|6[0-4])\b")]
    private static partial Regex LargeExpandedPower();

    // An integer exponent of seven or more digits.
    [GeneratedRegex(@"\^\s*\(?\s*-?\d{7,}")]
    private static partial Regex HugeIntegerExponent();

    [GeneratedRegex(@"(exp|log|sin|cos|tan|sinh|cosh|tanh|atan|lgamma|digamma|sqrt)\(")]
    private static partial Regex FunctionCall();

    public static readonly IReadOnlyList<Issue> All =
    [
        new("KI-1", "stack overflow in Ex.Mul: a fractional or symbolic power of exp(x) next to exp(y), e.g. cgf(t) = sqrt(exp(b))*t",
            text => text.Contains("exp(", StringComparison.Ordinal) && (text.Contains("sqrt(", StringComparison.Ordinal) || FractionalOrSymbolicPower().IsMatch(text))),
        new("KI-2", "OverflowException (exponent beyond Int32) or a hang (huge exact power) in Ex.Mul: an integer power of a sum above 2^31, or above 10^7 with a content, e.g. mu*t*(1 - mu)^4294967296",
            text => HugeIntegerExponent().IsMatch(text)),
        new("KI-3", "exponential growth without a limit: power towers and deep function nesting, e.g. cgf(t) = mu*(2^2^...^2^t - 1) with 40 levels, exp(exp(...(a*t))) with 40 levels",
            text => PowerTower().IsMatch(text) || FunctionCall().Count(text) > 24),
        new("KI-4", "powers of sums expanded at bind time without a limit: (a + b + c)^64, (1 + 7*t - beta*t)^2 raised to 64, products of many sums",
            text => LargeExpandedPower().IsMatch(text)),
    ];

    /// <summary>The first known issue the text is likely to run into, or null.</summary>
    public static Issue? Match(string text) => All.FirstOrDefault(issue => issue.Matches(text));
}
