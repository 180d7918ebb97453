namespace SeriesCompiler.Cli.Infrastructure;

/// <summary>
/// "Did you mean" for a misspelt command, option, distribution or experiment name (issue 17): the candidates closest in
/// edit distance, case-insensitive, or those the word begins (a prefix such as "coef" is a typing shortcut, not a typo).
/// </summary>
public static class Suggestions
{
    /// <summary>The closest candidates (at most three, in the order given), or none when nothing is close.</summary>
    public static IReadOnlyList<string> Closest(string word, IEnumerable<string> candidates)
    {
        if (word.Length == 0 || word.Length > 64) return [];
        string lower = word.ToLowerInvariant().TrimStart('-');
        // How many edits still read as a typo: one in a short word, two in a middling one, three in a long one.
        int allowed = lower.Length <= 3 ? 1 : lower.Length <= 6 ? 2 : 3;
        var scored = candidates.Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(c => (Candidate: c, Lower: c.ToLowerInvariant().TrimStart('-')))
            .Select(c => (c.Candidate, Distance: lower.Length >= 3 && c.Lower.StartsWith(lower, StringComparison.Ordinal) ? 0 : Distance(lower, c.Lower)))
            .Where(c => c.Distance <= allowed && c.Distance < Math.Max(c.Candidate.Length, 2))
            .ToList();
        if (scored.Count == 0) return [];
        int best = scored.Min(c => c.Distance);
        return scored.Where(c => c.Distance == best).Select(c => c.Candidate).Take(3).ToList();
    }

    /// <summary>" (did you mean 'x'?)", " (did you mean 'x' or 'y'?)", or "" when nothing is close.</summary>
    public static string DidYouMean(string word, IEnumerable<string> candidates)
    {
        var close = Closest(word, candidates);
        return close.Count == 0 ? "" : " (did you mean " + string.Join(" or ", close.Select(c => $"'{c}'")) + "?)";
    }

    /// <summary>
    /// Edit distance with adjacent transpositions (optimal string alignment): "gmama" is one slip from "gamma", as a
    /// typist makes it, not two.
    /// </summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        for (int j = 1; j <= b.Length; j++)
        {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
        }
        return d[a.Length, b.Length];
    }
}
