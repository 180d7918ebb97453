using System.Text.RegularExpressions;

namespace SeriesCompiler.Fuzz;

/// <summary>
/// Compiler bugs the fuzzer has found and that are not fixed yet, each with a test that reproduces it
/// (tests/SeriesCompiler.Tests/Hardening/KnownBugTests.cs, skipped until the fix) and a predicate over a case's text
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

    // A fractional or symbolic power next to exp: sqrt(exp(x)), exp(x)^(1/2), exp(x)^1e-3, exp(x)^beta (after
    // canonicalisation sqrt(1 + (exp(x) - 1)) is sqrt(exp(x)) too).
    [GeneratedRegex(@"\^\s*\(?\s*(-?\d+\s*/\s*\d+|\d*\.\d+|\d+[eE]-\d+|-?[\p{L}_])")]
    private static partial Regex FractionalOrSymbolicPower();

    // Eight or more '^' on one line: a power tower.
    [GeneratedRegex(@"^[^\n]*(\^[^\n]*){8}", RegexOptions.Multiline)]
    private static partial Regex PowerTower();

    // A parenthesised base raised to an integer from 10 to 999999.
    [GeneratedRegex(@"\)\s*\^\s*\(?\s*([1-9]\d{1,5})\b(?![.eE])")]
    private static partial Regex LargeExpandedPower();

    // An exponent of 10^7 or more: seven or more digits, or a number with a decimal exponent of 7 or more.
    [GeneratedRegex(@"\^\s*\(?\s*-?(\d{7,}|\d+(\.\d+)?[eE]\+?([7-9]|\d{2,}))")]
    private static partial Regex HugeIntegerExponent();

    // A frequency variable: t, u (the generator's cgf variables) or i*NAME (its cf/logcf variables).
    [GeneratedRegex(@"\bi\s*\*|\bt\d?\b|\bu\b")]
    private static partial Regex FrequencyVariable();

    /// <summary>Whether some lgamma(...) has an argument that holds the frequency variable.</summary>
    private static bool LogGammaOfTheVariable(string text)
    {
        for (int at = text.IndexOf("lgamma(", StringComparison.Ordinal); at >= 0; at = text.IndexOf("lgamma(", at + 1, StringComparison.Ordinal))
        {
            int start = at + "lgamma(".Length, depth = 1, end = start;
            while (end < text.Length && depth > 0 && text[end] != '\n')
            {
                if (text[end] == '(') depth++;
                else if (text[end] == ')') depth--;
                end++;
            }
            if (FrequencyVariable().IsMatch(text.AsSpan(start, end - start))) return true;
        }
        return false;
    }

    [GeneratedRegex(@"(exp|log|sin|cos|tan|sinh|cosh|tanh|atan|lgamma|digamma|sqrt)\(")]
    private static partial Regex FunctionCall();

    public static readonly IReadOnlyList<Issue> All =
    [
        new("KI-1", "stack overflow in Ex.Mul: a fractional or symbolic power of exp(x) next to exp(y), e.g. cgf(t) = sqrt(exp(b))*t",
            text => text.Contains("exp(", StringComparison.Ordinal) && (text.Contains("sqrt(", StringComparison.Ordinal) || FractionalOrSymbolicPower().IsMatch(text)),
            ["crash"], "Stack overflow"),
        new("KI-2", "OverflowException (exponent beyond Int32) or a hang (huge exact power) in Ex.Mul: an integer power of a sum above 2^31 (also written 1e+300), or above 10^7 with a content, e.g. mu*t*(1 - mu)^4294967296",
            text => HugeIntegerExponent().IsMatch(text), ["crash", "hang"], "OverflowException"),
        new("KI-3", "exponential growth without a limit: power towers and deep function nesting, e.g. cgf(t) = mu*(2^2^...^2^t - 1) with 40 levels, exp(exp(...(a*t))) with 40 levels",
            text => PowerTower().IsMatch(text) || FunctionCall().Count(text) > 24, ["hang", "crash"], "Out of memory|OutOfMemoryException"),
        new("KI-4", "large powers of sums: (a + b + c + d)^64 expands into 47905 terms when bound (under the 200000-term cap, still minutes), powers above 64 of a sum with a symbolic constant term swell in the series",
            text => LargeExpandedPower().IsMatch(text), ["hang"]),
        new("KI-5", "derivation time explodes when lgamma of the variable meets symbolic constants (lgamma(1e-3), lgamma(m1), log(2) - log(720)) under log, atan, sqrt or powers at orders 8 to 12",
            LogGammaOfTheVariable, ["hang"]),
        new("KI-6", "KeyNotFoundException in the emitter: a 'let' that holds a draw is accepted in logpdf/logpmf (SC0110 expected)",
            LetDrawInLogDensity, ["crash"], "KeyNotFoundException"),
    ];

    [GeneratedRegex(@"^\s*let\s+([\p{L}_][\p{L}\p{Nd}_]*)\s*=.*\b(uniform|normal|exponential|gamma|beta|poisson|bernoulli|categorical|binomial)\s*\(", RegexOptions.Multiline)]
    private static partial Regex LetWithDraw();

    [GeneratedRegex(@"^\s*logp[dm]f\b.*$", RegexOptions.Multiline)]
    private static partial Regex LogDensityLine();

    private static bool LetDrawInLogDensity(string text)
    {
        if (!text.Contains("logp", StringComparison.Ordinal)) return false;
        var names = LetWithDraw().Matches(text).Select(m => m.Groups[1].Value).ToHashSet();
        if (names.Count == 0) return false;
        return LogDensityLine().Matches(text).Any(line =>
            Regex.Matches(line.Value, @"[\p{L}_][\p{L}\p{Nd}_]*").Any(word => names.Contains(word.Value)));
    }

    /// <summary>The first known issue the text is likely to run into, or null (the short run skips such inputs).</summary>
    public static Issue? Match(string text) => All.FirstOrDefault(issue => issue.Matches(text));

    /// <summary>The known issue that explains a finding of <paramref name="category"/> with <paramref name="detail"/>, or null: a new bug.</summary>
    public static Issue? Explain(string text, string category, string detail) =>
        All.FirstOrDefault(issue => issue.Findings.Contains(category) && issue.Matches(text)
            && (category != "crash" || issue.Crash is null || Regex.IsMatch(detail, issue.Crash)));
}
