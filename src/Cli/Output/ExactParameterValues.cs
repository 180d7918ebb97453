using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using SeriesCompiler.Cli.Infrastructure;
using SeriesCompiler.Symbolic.Binding;
using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Cli.Output;

/// <summary>
/// The values of <c>--at</c> as the exact decimals the user wrote (<c>p=0.9</c> is 9/10, not the double nearest 0.9), so
/// that <c>coefficients</c> evaluates the exact forms at the user's point. The texts were already accepted by
/// <see cref="ParameterValues"/> (same grammar); this re-reads the numbers without rounding them, and then checks the
/// exact values against each parameter's constraint, which a rounded double can pass when the written value does not
/// (<c>n=0.99999999999999999999</c> rounds to the integer 1).
/// </summary>
public sealed class ExactParameterValues
{
    // A decimal exponent beyond this is far outside the double range that --at accepts; such a number keeps the exact
    // value of its double (0 for 1e-5000) rather than building a BigInteger of thousands of digits.
    private const int MaxExponent = 400;

    private readonly Dictionary<string, ImmutableArray<Rational>> _vectors = [];
    private readonly Dictionary<string, Rational> _scalars = [];
    private readonly Dictionary<Rational, string> _written = []; // each value as the user wrote it, for messages

    private ExactParameterValues() { }

    public Rational Scalar(string name) => _scalars[name];
    public ImmutableArray<Rational> Vector(string name) => _vectors[name];

    /// <summary>
    /// The exact values of <paramref name="texts"/> (the raw <c>--at</c> tokens), or, without texts, the exact values of
    /// the doubles in <paramref name="at"/>. Throws a usage error when an exact value breaks its parameter's constraint.
    /// </summary>
    public static ExactParameterValues From(ParameterValues at, IReadOnlyList<string>? texts, IReadOnlyList<BoundParameter> parameters)
    {
        var result = new ExactParameterValues();
        if (texts is not null)
            foreach (var text in texts) result.Read(text);
        foreach (var v in at.Values)
        {
            // Whatever the re-reading missed (no texts given) is the double's own exact value.
            if (v.Vector is { } vector && !result._vectors.ContainsKey(v.Name))
                result._vectors[v.Name] = [.. vector.Select(FromDouble)];
            else if (v.Vector is null && !result._scalars.ContainsKey(v.Name))
                result._scalars[v.Name] = FromDouble(v.Scalar);
        }
        foreach (var p in parameters)
        {
            var values = result._vectors.TryGetValue(p.Name, out var vs) ? vs : result._scalars.TryGetValue(p.Name, out var s) ? [s] : [];
            foreach (var x in values)
            {
                string written = result._written.TryGetValue(x, out var w) ? w : Text(x);
                if (p.IsInteger && !x.IsInteger)
                    throw CliException.Usage($"--at: '{p.Name}' is an integer parameter, got {written}");
                if (!Satisfies(p, x))
                    throw CliException.Usage($"--at: {p.Name} = {written} is outside the constraint {p.ConstraintText}");
            }
        }
        result.CheckJointConstraints(parameters);
        return result;
    }

    // A joint constraint too is checked on the exact values: 'a <= b' with a = 0.10000000000000000001, b = 0.1 passes on
    // the doubles (both round to 0.1) but not as written. The slack (right - left, or left - right) is evaluated exactly
    // and its correctly rounded double keeps its sign.
    private void CheckJointConstraints(IReadOnlyList<BoundParameter> parameters)
    {
        var env = new Dictionary<Symbol, Rational>();
        foreach (var p in parameters)
            if (_scalars.TryGetValue(p.Name, out var x)) env[p.Symbol] = x;
        foreach (var constraint in parameters.SelectMany(p => p.JointConstraints).Distinct())
        {
            var slack = SeriesCompiler.Symbolic.Evaluation.ExactEvaluator.Evaluate(constraint.Slack, env);
            if (!slack.IsCorrectlyRounded) continue; // not decidable exactly here: the double check already ran
            if (constraint.Strict ? slack.Value > 0 : slack.Value >= 0) continue;
            var named = constraint.Parameters(parameters).Select(p => $"{p.Name} = {(_written.TryGetValue(env[p.Symbol], out var w) ? w : Text(env[p.Symbol]))}");
            throw CliException.Usage($"--at: parameters {string.Join(", ", named)} violate the constraint {constraint.Text}");
        }
    }

    private static bool Satisfies(BoundParameter p, Rational x)
    {
        if (p.Lower is { } lo && (p.LowerInclusive ? x < lo : x <= lo)) return false;
        if (p.Upper is { } hi && (p.UpperInclusive ? x > hi : x >= hi)) return false;
        return true;
    }

    /// <summary>An exact value in words: the rational when short, else its nearest double.</summary>
    private static string Text(Rational x)
    {
        string s = x.ToString();
        return s.Length <= 40 ? s : Numbers.Format(x.ToDouble());
    }

    /// <summary>The exact value of a finite double: mantissa times a power of two.</summary>
    public static Rational FromDouble(double x)
    {
        if (x == 0 || !double.IsFinite(x)) return Rational.Zero;
        long bits = BitConverter.DoubleToInt64Bits(x);
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0) exponent = 1; else mantissa |= 1L << 52;
        exponent -= 1075;
        BigInteger m = x < 0 ? -mantissa : mantissa;
        return exponent >= 0 ? new Rational(m << exponent, BigInteger.One) : new Rational(m, BigInteger.One << -exponent);
    }

    /// <summary>
    /// One <c>--at</c> text: <c>NAME '=' (NUMBER | '[' NUMBER (',' NUMBER)* ']')</c> separated by commas. The text was
    /// accepted by <see cref="ParameterValues"/>; anything this reading does not follow keeps the double's value.
    /// </summary>
    private void Read(string text)
    {
        int pos = 0;
        void Space() { while (pos < text.Length && char.IsWhiteSpace(text[pos])) pos++; }
        while (pos < text.Length)
        {
            Space();
            int start = pos;
            while (pos < text.Length && (char.IsAsciiLetterOrDigit(text[pos]) || text[pos] == '_')) pos++;
            string name = text[start..pos];
            Space();
            if (name.Length == 0 || pos >= text.Length || text[pos] != '=') return;
            pos++;
            Space();
            if (pos < text.Length && text[pos] == '[')
            {
                pos++;
                var items = ImmutableArray.CreateBuilder<Rational>();
                while (true)
                {
                    Space();
                    if (Number(text, ref pos) is not { } x) return;
                    items.Add(x);
                    _written.TryAdd(x, LastToken);
                    Space();
                    if (pos < text.Length && text[pos] == ',') { pos++; continue; }
                    if (pos < text.Length && text[pos] == ']') { pos++; break; }
                    return;
                }
                _vectors[name] = items.ToImmutable();
            }
            else
            {
                if (Number(text, ref pos) is not { } x) return;
                _scalars[name] = x;
                _written.TryAdd(x, LastToken);
            }
            Space();
            if (pos < text.Length && text[pos] == ',') pos++;
        }
    }

    /// <summary>A number as <see cref="ParameterValues"/> scans it (sign, digits and one point, exponent), read exactly.</summary>
    private string LastToken { get; set; } = "";

    private Rational? Number(string text, ref int pos)
    {
        int start = pos;
        if (pos < text.Length && (text[pos] == '+' || text[pos] == '-')) pos++;
        while (pos < text.Length && (char.IsAsciiDigit(text[pos]) || text[pos] == '.')) pos++;
        if (pos < text.Length && (text[pos] == 'e' || text[pos] == 'E'))
        {
            pos++;
            if (pos < text.Length && (text[pos] == '+' || text[pos] == '-')) pos++;
            while (pos < text.Length && char.IsAsciiDigit(text[pos])) pos++;
        }
        string token = text[start..pos];
        LastToken = token;
        bool negative = token.StartsWith('-');
        string unsigned = token.TrimStart('+', '-');
        if (unsigned.Count(ch => ch == '.') > 1) return null;
        if (Rational.TryParseDecimal(unsigned, MaxExponent, out var value)) return negative ? -value : value;
        // Out of the exact reader's exponent range: the double's value (which --at checked to be finite).
        return double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? FromDouble(d) : null;
    }
}
