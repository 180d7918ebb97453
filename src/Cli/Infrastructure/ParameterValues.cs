using System.Collections.Immutable;
using System.Globalization;
using SeriesCompiler.Cli.Output;
using SeriesCompiler.Symbolic.Binding;
using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Cli.Infrastructure;

/// <summary>One <c>name=value</c> of <c>--at</c>: a scalar, or a vector written <c>[v0,v1,...]</c>.</summary>
public sealed record ParameterValue(string Name, double Scalar, ImmutableArray<double>? Vector)
{
    public bool IsVector => Vector is not null;

    /// <summary>
    /// The values exactly as written (<c>0.9</c> is 9/10, not the double nearest it), one for a scalar: what the
    /// parameter checks judge and <c>coefficients</c> evaluates. Empty for a value built in code without a text, which
    /// then stands for its doubles' own exact values (<see cref="ExactValues"/>).
    /// </summary>
    public ImmutableArray<Rational> Exact { get; init; } = [];

    /// <summary>Each value as the user wrote it (<c>0.10000000000000000001</c>), for messages; parallel to <see cref="Exact"/>.</summary>
    public ImmutableArray<string> Written { get; init; } = [];

    /// <summary>The exact values with their texts: as written, or for a value built in code its doubles exactly.</summary>
    public IEnumerable<(Rational Value, string Text)> ExactValues() =>
        !Exact.IsDefaultOrEmpty && Exact.Length == Written.Length
            ? Exact.Zip(Written)
            : (Vector is { } v ? v.AsEnumerable() : [Scalar]).Select(x => (ExactParameterValues.FromDouble(x), Numbers.Format(x)));

    public override string ToString() =>
        Name + "=" + (Vector is { } v ? "[" + string.Join(",", v.Select(Numbers.Format)) + "]" : Numbers.Format(Scalar));
}

/// <summary>
/// The parameter values of <c>--at p=v,q=u,alpha=[1.5,2,3]</c> (the option may be repeated; the values add up).
/// Numbers are culture-invariant (<c>2.5</c>, <c>-1e-3</c>) and finite. Syntax errors and, once the distribution is
/// known, unknown, missing or out-of-range parameters are command-line errors (exit code 2).
/// </summary>
public sealed class ParameterValues
{
    private ParameterValues(ImmutableArray<ParameterValue> values) => Values = values;

    /// <summary>The values in the order written.</summary>
    public ImmutableArray<ParameterValue> Values { get; }

    public ParameterValue? Find(string name) => Values.FirstOrDefault(v => v.Name == name);

    /// <summary>Parses the texts of one or more <c>--at</c> options; returns null and an error message on bad syntax.</summary>
    public static ParameterValues? TryParse(IEnumerable<string> texts, out string? error)
    {
        var values = ImmutableArray.CreateBuilder<ParameterValue>();
        foreach (var text in texts)
        {
            var reader = new Reader(text);
            error = reader.ReadList(values);
            if (error is not null) return null;
        }
        var duplicate = values.GroupBy(v => v.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) { error = $"--at: '{duplicate.Key}' is given more than once"; return null; }
        if (values.Count == 0) { error = "--at: no values (write --at p=v,q=u)"; return null; }
        error = null;
        return new ParameterValues(values.ToImmutable());
    }

    public static ParameterValues Parse(params string[] texts) =>
        TryParse(texts, out var error) ?? throw CliException.Usage(error!);

    /// <summary>
    /// Checks the values against a declaration's parameters: each given once, none unknown, vectors for vector
    /// parameters (all of one length, the family size K), whole numbers for integer parameters, within the declared
    /// bounds and the joint constraints. The values judged are the exact decimals written (<see cref="ParameterCheck"/>),
    /// for every command: a value on a boundary gets one verdict. Returns the family size (null when the declaration
    /// has no vector parameter).
    /// </summary>
    public int? Validate(string distribution, IReadOnlyList<BoundParameter> parameters)
    {
        CheckNames(distribution, parameters);
        int? size = null;
        foreach (var p in parameters)
        {
            var v = Find(p.Name)!;
            if (p.VectorSize is not null && v.Vector is not { } vector)
                throw CliException.Usage($"--at: '{p.Name}' is a vector parameter {p.Name}[{p.VectorSize}]; write {p.Name}=[v0,v1,...]");
            if (p.VectorSize is null && v.IsVector)
                throw CliException.Usage($"--at: '{p.Name}' is a scalar parameter; write {p.Name}=VALUE");
            if (v.Vector is { } values)
            {
                if (size is { } k && k != values.Length)
                    throw CliException.Usage($"--at: the vector parameters have different lengths ({k} and {values.Length} for '{p.Name}')");
                size = values.Length;
            }
            foreach (var (x, written) in v.ExactValues()) CheckValue(p, p.Name, x, written);
        }
        var point = new Dictionary<string, (Rational, string)>();
        foreach (var p in parameters)
            if (p.VectorSize is null && Find(p.Name) is { IsVector: false } v) point[p.Name] = v.ExactValues().Single();
        CheckJointConstraints(parameters, point);
        return size;
    }

    /// <summary>Each value names a parameter of the distribution, and each parameter has a value.</summary>
    public void CheckNames(string distribution, IReadOnlyList<BoundParameter> parameters)
    {
        string list = string.Join(", ", parameters.Select(p => p.VectorSize is null ? p.Name : $"{p.Name}[{p.VectorSize}]"));
        foreach (var v in Values)
            if (!parameters.Any(p => p.Name == v.Name))
                throw CliException.Usage($"--at: '{v.Name}' is not a parameter of {distribution} (its parameters: {list})");
        var missing = parameters.Where(p => Find(p.Name) is null).Select(p => p.Name).ToList();
        if (missing.Count > 0)
            throw CliException.Usage($"--at: no value for {string.Join(", ", missing.Select(m => "'" + m + "'"))} ({distribution} takes {list})");
    }

    /// <summary>
    /// One value of a parameter, exactly as written (<see cref="ParameterCheck"/>): a whole number where the parameter
    /// is an integer, within its declared bounds. <paramref name="shown"/> names it (<c>k</c>, or <c>k[2]</c> for one
    /// copy of <c>--dims</c>); <paramref name="written"/> is the user's text.
    /// </summary>
    public static void CheckValue(BoundParameter p, string shown, Rational x, string written)
    {
        if (!ParameterCheck.IsIntegerWhereRequired(p, x))
            throw CliException.Usage($"--at: '{shown}' is an integer parameter, got {written}");
        if (!ParameterCheck.IsWithinBounds(p, x))
            throw CliException.Usage($"--at: {shown} = {written} is outside the constraint {p.ConstraintText}");
    }

    /// <summary>
    /// The declaration's constraints on several parameters together (<c>constraint p1 + p2 &lt; 1</c>) at one point,
    /// judged on the exact values (<see cref="ParameterCheck"/>): <paramref name="point"/> holds each scalar parameter's
    /// value and text by name. The message names the user's words.
    /// </summary>
    public static void CheckJointConstraints(IReadOnlyList<BoundParameter> parameters, IReadOnlyDictionary<string, (Rational Value, string Text)> point)
    {
        var values = new Dictionary<Symbol, Rational>();
        foreach (var p in parameters)
            if (point.TryGetValue(p.Name, out var v)) values[p.Symbol] = v.Value;
        if (ParameterCheck.FirstViolated(parameters.SelectMany(p => p.JointConstraints), values) is not { } broken) return;
        var named = broken.Parameters(parameters).Select(p => $"{p.Name} = {point[p.Name].Text}");
        throw CliException.Usage($"--at: parameters {string.Join(", ", named)} violate the constraint {broken.Text}");
    }

    /// <summary>A hand-written scanner: <c>list := item (',' item)*</c>, <c>item := NAME '=' (NUMBER | '[' NUMBER (',' NUMBER)* ']')</c>.</summary>
    private sealed class Reader(string text)
    {
        private int _pos;

        public string? ReadList(ImmutableArray<ParameterValue>.Builder into)
        {
            SkipSpace();
            if (_pos == text.Length) return $"--at: empty value (write --at p=v,q=u)";
            while (true)
            {
                var error = ReadItem(into);
                if (error is not null) return error;
                SkipSpace();
                if (_pos == text.Length) return null;
                if (text[_pos] != ',') return Error("expected ',' between values");
                _pos++;
                SkipSpace();
            }
        }

        private string? ReadItem(ImmutableArray<ParameterValue>.Builder into)
        {
            int start = _pos;
            while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] == '_')) _pos++;
            string name = text[start.._pos];
            if (name.Length == 0 || char.IsAsciiDigit(name[0])) return Error("expected a parameter name");
            SkipSpace();
            if (_pos == text.Length || text[_pos] != '=') return Error($"expected '=' after '{name}'");
            _pos++;
            SkipSpace();
            if (_pos < text.Length && text[_pos] == '[')
            {
                _pos++;
                var items = ImmutableArray.CreateBuilder<double>();
                var exact = ImmutableArray.CreateBuilder<Rational>();
                var written = ImmutableArray.CreateBuilder<string>();
                while (true)
                {
                    SkipSpace();
                    var error = ReadNumber(name, out double x, out var r, out string token);
                    if (error is not null) return error;
                    items.Add(x);
                    exact.Add(r);
                    written.Add(token);
                    SkipSpace();
                    if (_pos < text.Length && text[_pos] == ',') { _pos++; continue; }
                    if (_pos < text.Length && text[_pos] == ']') { _pos++; break; }
                    return Error($"expected ',' or ']' in the vector '{name}'");
                }
                into.Add(new ParameterValue(name, double.NaN, items.ToImmutable()) { Exact = exact.ToImmutable(), Written = written.ToImmutable() });
            }
            else
            {
                var error = ReadNumber(name, out double x, out var r, out string token);
                if (error is not null) return error;
                into.Add(new ParameterValue(name, x, null) { Exact = [r], Written = [token] });
            }
            return null;
        }

        /// <summary>One number: its nearest double (which must be finite), its exact value and its text.</summary>
        private string? ReadNumber(string name, out double value, out Rational exact, out string token)
        {
            int start = _pos;
            if (_pos < text.Length && (text[_pos] == '+' || text[_pos] == '-')) _pos++;
            while (_pos < text.Length && (char.IsAsciiDigit(text[_pos]) || text[_pos] == '.')) _pos++;
            if (_pos < text.Length && (text[_pos] == 'e' || text[_pos] == 'E'))
            {
                _pos++;
                if (_pos < text.Length && (text[_pos] == '+' || text[_pos] == '-')) _pos++;
                while (_pos < text.Length && char.IsAsciiDigit(text[_pos])) _pos++;
            }
            token = text[start.._pos];
            exact = Rational.Zero;
            if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || !double.IsFinite(value))
            {
                _pos = start;
                return Error($"expected a number for '{name}' (like 2.5 or -1e-3)");
            }
            exact = ExactParameterValues.ExactValue(token, value);
            return null;
        }

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        private string Error(string what) =>
            $"--at '{text}': {what} at position {_pos + 1}" + (_pos < text.Length ? $" (found '{text[_pos]}')" : " (found the end)");
    }
}
