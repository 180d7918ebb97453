using System.Text;
using System.Text.RegularExpressions;

namespace SeriesCompiler.Fuzz;

/// <summary>
/// Mutates valid declarations (the bundled ones, alone or several in one file) at the level of tokens, lines and
/// characters: deletions, insertions, swaps, duplications, random numbers (huge and tiny exponents, big integers),
/// random names (reserved words, C# keywords, Unicode, very long), truncations, byte noise, line joins and splits,
/// extra nesting.
/// </summary>
public sealed partial class Mutator(Random random)
{
    [GeneratedRegex(@"\r?\n|[ \t]+|#[^\n]*|[\p{L}_][\p{L}\p{Nd}_]*|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\.|<=|>=|.", RegexOptions.Singleline)]
    private static partial Regex TokenPattern();

    private static readonly string[] Operators = ["+", "-", "*", "/", "^", "=", "~", ",", ":", "<", ">", "<=", ">=", ".."];
    private static readonly string[] Brackets = ["(", ")", "{", "}", "[", "]"];

    public static readonly string[] ReservedWords =
    [
        "distribution", "support", "cf", "logcf", "cgf", "logpdf", "logpmf", "sample", "latent", "value", "let", "in",
        "integer", "real", "positive", "naturals", "integers", "simplex", "i", "pi",
    ];

    public static readonly string[] Functions =
        ["exp", "log", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "atan", "lgamma", "digamma", "abs", "polygamma", "sum"];

    public static readonly string[] Draws = ["uniform", "normal", "exponential", "gamma", "beta", "poisson", "bernoulli", "categorical", "binomial"];

    /// <summary>Names that are ordinary in the language but special in the C# the emitter writes.</summary>
    public static readonly string[] CSharpWords =
    [
        "class", "int", "double", "string", "return", "this", "base", "new", "null", "true", "namespace", "static", "void",
        "checked", "unsafe", "fixed", "var", "dynamic", "await", "async", "nameof", "Instance", "System", "Math", "global",
        "Rule", "Parameters", "Order", "_", "__", "x0", "t0", "c1", "a_1_1", "ToString", "GetHashCode",
    ];

    public static readonly string[] UnicodeNames =
    [
        "α", "β", "σ", "μ", "λ", "Σ", "ß", "é", "e\u0301", "naïve", "Ω", "日本", "𝛼", "𝜇x", "ǅ", "ⅷ", "İ", "ı", "ﬁ", "Ж", "ℵ0", "x\u200D", "µ",
    ];

    public static readonly string[] SpecialNumbers =
    [
        "0", "1", "2", "0.5", "1e-3", "2.5E+2", "1e1000", "1e1001", "1e-1000", "1e-1001", "1e999999999999", "9e-99999",
        "1e+300", "1e-300", "0.0000000000000000000000000001", "123456789012345678901234567890123456789012345678901234567890",
        "1" + new string('0', 400), "0." + new string('0', 300) + "1", "4294967296", "2147483648", "9223372036854775808",
        "65", "64", "63", "100", "1000", "1000000", "0e0", "00", "007", "1.", ".5", "1e", "1e+", "3..4", "2pi",
    ];

    private static readonly string[] Noise =
    [
        "\0", "\u0007", "\t", "\r", "\r\n", "\v", "\f", "\u00A0", "\uFEFF", "\u2028", "\u200B", "\uD800", "\uDC00", "😀", "\uFFFD",
        "@", "$", "%", "&", "|", "!", "?", ";", "'", "\"", "`", "\\", ".", "…", "−", "×", "÷", "²", "√", "∞", "*/", "/*", "//", "<!--",
    ];

    public (string Text, List<string> Operators) Mutate(IReadOnlyList<string> seeds)
    {
        var operators = new List<string>();
        string text;
        // Usually one file; sometimes several declarations in one file (latents resolve, duplicates appear).
        int files = random.Next(10) == 0 ? random.Next(2, 4) : 1;
        var sb = new StringBuilder();
        for (int f = 0; f < files; f++) sb.Append(seeds[random.Next(seeds.Count)]).Append('\n');
        text = sb.ToString();

        var tokens = TokenPattern().Matches(text).Select(m => m.Value).ToList();
        int count = random.Next(4) switch { 0 => 1, 1 => 2, 2 => random.Next(1, 6), _ => random.Next(1, 16) };
        for (int k = 0; k < count && tokens.Count > 0; k++)
        {
            string op = random.Next(19) switch
            {
                0 => Delete(tokens),
                1 => Insert(tokens),
                2 => Swap(tokens),
                3 => Duplicate(tokens),
                4 => ReplaceNumber(tokens),
                5 => ReplaceName(tokens),
                6 => Truncate(tokens),
                7 => ByteNoise(tokens),
                8 => JoinLines(tokens),
                9 => SplitLine(tokens),
                10 => ReplaceOperator(tokens),
                11 => DeleteLine(tokens),
                12 => DuplicateLine(tokens),
                13 => Nest(tokens),
                14 => ReplaceName(tokens),
                15 => ReplaceNumber(tokens),
                16 => Delete(tokens),
                17 => Insert(tokens),
                _ => DeepNest(tokens),
            };
            operators.Add(op);
        }
        return (string.Concat(tokens), operators);
    }

    private static bool IsSpace(string token) => token.Length > 0 && (token[0] is ' ' or '\t' or '\n' or '\r');
    private static bool IsNumber(string token) => token.Length > 0 && char.IsAsciiDigit(token[0]);
    private static bool IsName(string token) => token.Length > 0 && (char.IsLetter(token[0]) || token[0] == '_');
    private static bool IsNewLine(string token) => token is "\n" or "\r\n";

    private int Pick(List<string> tokens, Func<string, bool> where)
    {
        // A few random probes, then a scan from a random start: cheap and uniform enough.
        for (int probe = 0; probe < 8; probe++)
        {
            int i = random.Next(tokens.Count);
            if (where(tokens[i])) return i;
        }
        int start = random.Next(tokens.Count);
        for (int j = 0; j < tokens.Count; j++)
        {
            int i = (start + j) % tokens.Count;
            if (where(tokens[i])) return i;
        }
        return -1;
    }

    private string Delete(List<string> tokens)
    {
        int i = Pick(tokens, t => !IsSpace(t));
        if (i >= 0)
        {
            int n = random.Next(4) == 0 ? random.Next(1, 6) : 1;
            tokens.RemoveRange(i, Math.Min(n, tokens.Count - i));
        }
        return "delete";
    }

    public string RandomToken() => random.Next(9) switch
    {
        0 => Operators[random.Next(Operators.Length)],
        1 => Brackets[random.Next(Brackets.Length)],
        2 => ReservedWords[random.Next(ReservedWords.Length)],
        3 => Functions[random.Next(Functions.Length)] + (random.Next(2) == 0 ? "(" : ""),
        4 => Draws[random.Next(Draws.Length)] + "()",
        5 => RandomNumber(),
        6 => RandomName(),
        7 => random.Next(2) == 0 ? "t" : "w",
        _ => random.Next(3) switch { 0 => "i*w", 1 => "\n", _ => "#" },
    };

    private string Insert(List<string> tokens)
    {
        int i = random.Next(tokens.Count + 1);
        string token = RandomToken();
        tokens.Insert(i, random.Next(2) == 0 ? " " + token + " " : token);
        return "insert";
    }

    private string Swap(List<string> tokens)
    {
        int i = Pick(tokens, t => !IsSpace(t));
        int j = random.Next(2) == 0 ? Neighbour(tokens, i) : Pick(tokens, t => !IsSpace(t));
        if (i >= 0 && j >= 0) (tokens[i], tokens[j]) = (tokens[j], tokens[i]);
        return "swap";
    }

    private int Neighbour(List<string> tokens, int i)
    {
        if (i < 0) return -1;
        for (int j = i + 1; j < tokens.Count; j++)
            if (!IsSpace(tokens[j])) return j;
        return -1;
    }

    private string Duplicate(List<string> tokens)
    {
        int i = Pick(tokens, t => !IsSpace(t));
        if (i >= 0)
        {
            int n = random.Next(1, 5);
            int end = Math.Min(tokens.Count, i + n);
            tokens.InsertRange(end, tokens.GetRange(i, end - i));
        }
        return "duplicate";
    }

    public string RandomNumber() => random.Next(6) switch
    {
        0 => SpecialNumbers[random.Next(SpecialNumbers.Length)],
        1 => random.Next(0, 100).ToString(System.Globalization.CultureInfo.InvariantCulture),
        2 => $"{random.Next(1, 10)}e{(random.Next(2) == 0 ? "-" : "")}{random.Next(0, 4) switch { 0 => random.Next(0, 10), 1 => random.Next(0, 400), 2 => random.Next(990, 1010), _ => random.Next() }}",
        3 => BigInteger(),
        4 => $"{random.Next(0, 1000)}.{random.Next(0, 100000):D5}",
        _ => $"{random.Next(1, 10)}.{random.Next(0, 10)}E+{random.Next(0, 2000)}",
    };

    private string BigInteger()
    {
        int digits = random.Next(4) == 0 ? random.Next(100, 3000) : random.Next(10, 60);
        var sb = new StringBuilder(digits);
        sb.Append((char)('1' + random.Next(9)));
        for (int k = 1; k < digits; k++) sb.Append((char)('0' + random.Next(10)));
        return sb.ToString();
    }

    public string RandomName() => random.Next(8) switch
    {
        0 => ReservedWords[random.Next(ReservedWords.Length)],
        1 => CSharpWords[random.Next(CSharpWords.Length)],
        2 => UnicodeNames[random.Next(UnicodeNames.Length)],
        3 => random.Next(4) == 0 ? new string('x', random.Next(200, 5000)) : "n" + new string('_', random.Next(1, 50)) + random.Next(),
        4 => Functions[random.Next(Functions.Length)],
        5 => Draws[random.Next(Draws.Length)],
        6 => new[] { "mu", "sigma", "k", "p", "lambda", "a", "b", "t", "w", "z", "j", "K", "Gamma", "Normal", "Beta", "gamma", "GAMMA" }[random.Next(17)],
        _ => "v" + random.Next(1000),
    };

    private string ReplaceNumber(List<string> tokens)
    {
        int i = Pick(tokens, IsNumber);
        string number = RandomNumber();
        if (i >= 0) tokens[i] = number;
        else tokens.Insert(random.Next(tokens.Count + 1), number);
        return "number";
    }

    private string ReplaceName(List<string> tokens)
    {
        int i = Pick(tokens, IsName);
        if (i < 0) return "name";
        string old = tokens[i];
        string name = RandomName();
        if (random.Next(3) == 0)
        {
            // Rename every occurrence, so the declaration may stay consistent under the new name.
            for (int j = 0; j < tokens.Count; j++)
                if (tokens[j] == old) tokens[j] = name;
        }
        else tokens[i] = name;
        return "name";
    }

    private string Truncate(List<string> tokens)
    {
        int i = random.Next(tokens.Count);
        string token = tokens[i];
        // Sometimes in the middle of a token (a number or name cut short).
        tokens[i] = token.Length > 1 && random.Next(2) == 0 ? token[..random.Next(1, token.Length)] : "";
        tokens.RemoveRange(i + 1, tokens.Count - i - 1);
        return "truncate";
    }

    private string ByteNoise(List<string> tokens)
    {
        int n = random.Next(1, 4);
        for (int k = 0; k < n; k++)
        {
            int i = random.Next(tokens.Count + 1);
            string noise = random.Next(3) switch
            {
                0 => Noise[random.Next(Noise.Length)],
                1 => ((char)random.Next(0, 0x80)).ToString(),
                _ => char.ConvertFromUtf32(RandomScalar()),
            };
            if (random.Next(2) == 0 && i < tokens.Count && tokens[i].Length > 0)
            {
                // Overwrite a character inside a token.
                var chars = tokens[i].ToCharArray();
                int at = random.Next(chars.Length);
                tokens[i] = tokens[i][..at] + noise + tokens[i][(at + 1)..];
            }
            else tokens.Insert(i, noise);
        }
        return "noise";
    }

    private int RandomScalar()
    {
        while (true)
        {
            int value = random.Next(4) == 0 ? random.Next(0x10000, 0x110000) : random.Next(0, 0x10000);
            if (value is < 0xD800 or > 0xDFFF) return value;
        }
    }

    private string JoinLines(List<string> tokens)
    {
        int i = Pick(tokens, IsNewLine);
        if (i >= 0) tokens[i] = random.Next(2) == 0 ? " " : "";
        return "join";
    }

    private string SplitLine(List<string> tokens)
    {
        int i = Pick(tokens, t => !IsNewLine(t));
        if (i >= 0) tokens.Insert(i + random.Next(2), random.Next(4) == 0 ? "\r\n" : "\n");
        return "split";
    }

    private string ReplaceOperator(List<string> tokens)
    {
        int i = Pick(tokens, t => Operators.Contains(t) || Brackets.Contains(t));
        if (i >= 0) tokens[i] = random.Next(3) == 0 ? Brackets[random.Next(Brackets.Length)] : Operators[random.Next(Operators.Length)];
        return "operator";
    }

    private (int Start, int End) LineAt(List<string> tokens, int i)
    {
        int start = i, end = i;
        while (start > 0 && !IsNewLine(tokens[start - 1])) start--;
        while (end < tokens.Count && !IsNewLine(tokens[end])) end++;
        return (start, Math.Min(tokens.Count, end + 1));
    }

    private string DeleteLine(List<string> tokens)
    {
        var (start, end) = LineAt(tokens, random.Next(tokens.Count));
        tokens.RemoveRange(start, end - start);
        return "deleteline";
    }

    private string DuplicateLine(List<string> tokens)
    {
        var (start, end) = LineAt(tokens, random.Next(tokens.Count));
        var line = tokens.GetRange(start, end - start);
        int n = random.Next(5) == 0 ? random.Next(2, 50) : 1;
        for (int k = 0; k < n; k++) tokens.InsertRange(end, line);
        return "dupline";
    }

    private string Nest(List<string> tokens)
    {
        int i = Pick(tokens, t => IsName(t) || IsNumber(t));
        if (i < 0) return "nest";
        int j = Math.Min(tokens.Count - 1, i + random.Next(0, 6));
        string open = random.Next(3) switch
        {
            0 => "(",
            1 => Functions[random.Next(Functions.Length)] + "(",
            _ => "-(",
        };
        tokens.Insert(j + 1, ")");
        tokens.Insert(i, open);
        return "nest";
    }

    private string DeepNest(List<string> tokens)
    {
        int i = Pick(tokens, t => IsName(t) || IsNumber(t));
        if (i < 0) return "deepnest";
        int depth = random.Next(4) switch { 0 => random.Next(150, 260), 1 => random.Next(1000, 5000), _ => random.Next(2, 100) };
        string open, close;
        switch (random.Next(5))
        {
            case 0: open = "("; close = ")"; break;
            case 1: open = "exp("; close = ")"; break;
            case 2: open = "-"; close = ""; break;
            case 3: open = "2^"; close = ""; break;
            default: open = "1+"; close = ""; break;
        }
        tokens[i] = string.Concat(Enumerable.Repeat(open, depth)) + tokens[i] + string.Concat(Enumerable.Repeat(close, random.Next(3) == 0 ? depth / 2 : depth));
        return "deepnest";
    }
}
