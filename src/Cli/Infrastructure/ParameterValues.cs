using System.Collections.Immutable;
using System.Globalization;
using SeriesCompiler.Symbolic.Binding;
using SeriesCompiler.Symbolic.Model;

namespace SeriesCompiler.Cli.Infrastructure;

/// <summary>One <c>name=value</c> of <c>--at</c>: a scalar, or a vector written <c>[v0,v1,...]</c>.</summary>
public sealed record ParameterValue(string Name, double Scalar, ImmutableArray<double>? Vector)
{
    public bool IsVector => Vector is not null;

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
    /// parameters (all of one length, the family size K), whole numbers for integer parameters, and within the
    /// declared bounds. Returns the family size (null when the declaration has no vector parameter).
    /// </summary>
    public int? Validate(string distribution, IReadOnlyList<BoundParameter> parameters)
    {
        string list = string.Join(", ", parameters.Select(p => p.VectorSize is null ? p.Name : $"{p.Name}[{p.VectorSize}]"));
        foreach (var v in Values)
            if (!parameters.Any(p => p.Name == v.Name))
                throw CliException.Usage($"--at: '{v.Name}' is not a parameter of {distribution} (its parameters: {list})");
        var missing = parameters.Where(p => Find(p.Name) is null).Select(p => p.Name).ToList();
        if (missing.Count > 0)
            throw CliException.Usage($"--at: no value for {string.Join(", ", missing.Select(m => "'" + m + "'"))} ({distribution} takes {list})");

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
            foreach (var x in v.Vector is { } xs ? xs.AsEnumerable() : [v.Scalar])
            {
                if (p.IsInteger && (x != Math.Floor(x)))
                    throw CliException.Usage($"--at: '{p.Name}' is an integer parameter, got {Numbers.Format(x)}");
                if (!RuleModelBuilder.Parameter(p).Info.Satisfies(x))
                    throw CliException.Usage($"--at: {p.Name} = {Numbers.Format(x)} is outside the constraint {p.ConstraintText}");
            }
        }
        CheckJointConstraints(parameters);
        return size;
    }

    /// <summary>
    /// The declaration's constraints on several parameters together (<c>constraint p1 + p2 &lt; 1</c>), each side
    /// evaluated at the given values; the generated rule's Validate checks the same, this names the user's words.
    /// </summary>
    private void CheckJointConstraints(IReadOnlyList<BoundParameter> parameters)
    {
        var values = new Dictionary<SeriesCompiler.Symbolic.Expressions.Symbol, double>();
        foreach (var p in parameters)
            if (p.VectorSize is null && Find(p.Name) is { IsVector: false } v) values[p.Symbol] = v.Scalar;
        foreach (var constraint in parameters.SelectMany(p => p.JointConstraints).Distinct())
        {
            double left = SeriesCompiler.Symbolic.Expressions.ExprEvaluator.Evaluate(constraint.Left, values);
            double right = SeriesCompiler.Symbolic.Expressions.ExprEvaluator.Evaluate(constraint.Right, values);
            if (constraint.Holds(left, right)) continue;
            var named = constraint.Parameters(parameters).Select(p => $"{p.Name} = {Numbers.Format(values[p.Symbol])}");
            throw CliException.Usage($"--at: parameters {string.Join(", ", named)} violate the constraint {constraint.Text}");
        }
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
                while (true)
                {
                    SkipSpace();
                    var error = ReadNumber(name, out double x);
                    if (error is not null) return error;
                    items.Add(x);
                    SkipSpace();
                    if (_pos < text.Length && text[_pos] == ',') { _pos++; continue; }
                    if (_pos < text.Length && text[_pos] == ']') { _pos++; break; }
                    return Error($"expected ',' or ']' in the vector '{name}'");
                }
                into.Add(new ParameterValue(name, double.NaN, items.ToImmutable()));
            }
            else
            {
                var error = ReadNumber(name, out double x);
                if (error is not null) return error;
                into.Add(new ParameterValue(name, x, null));
            }
            return null;
        }

        private string? ReadNumber(string name, out double value)
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
            string token = text[start.._pos];
            if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || !double.IsFinite(value))
            {
                _pos = start;
                return Error($"expected a number for '{name}' (like 2.5 or -1e-3)");
            }
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
