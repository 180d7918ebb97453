using System.Text;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Functions;

namespace SeriesCompiler.Emit.CSharp;

/// <summary>
/// Writes a set of expressions as straight-line C# after common-subexpression elimination: every node used
/// more than once (a shared power, log or polygamma) is computed once into a local <c>double</c>, in
/// dependency order; everything else is inlined. Integer powers use <c>RuleMath.PowInt</c>, the operation
/// the tree interpreter uses, so generated values agree with the symbolic coefficients to the last ulps.
/// The parts: common subexpressions and the code of each node (<c>StraightLineWriter.Code.cs</c>), running error
/// bounds (<c>.ErrorBounds.cs</c>), stable polynomial forms: centred and root-factored (<c>.Polynomials.cs</c>).
/// </summary>
public sealed partial class StraightLineWriter
{
    private const string MathType = CSharpForm.MathType;
    private const string RuleMath = CSharpForm.RuleMath;

    private readonly Func<Symbol, string> _symbol;
    private readonly string _prefix;
    private readonly Dictionary<Expr, int> _uses = new();
    private readonly Dictionary<Expr, string> _temps = new();
    private readonly StringBuilder _code = new();
    private readonly string _indent;
    private int _next;

    private readonly Func<Symbol, (Rational Lower, Rational Upper)?> _interval;

    /// <param name="symbol">The C# expression for a parameter or variable symbol.</param>
    /// <param name="prefix">Prefix of the locals this block declares (distinct per block of one method).</param>
    /// <param name="interval">The finite interval a parameter is constrained to, if any: polynomials in it are written
    /// around the nearest of five points of the interval (<see cref="Runtime.Rules.RuleMath.CenteredPolynomial"/>).</param>
    public StraightLineWriter(Func<Symbol, string> symbol, string prefix, string indent, Func<Symbol, (Rational Lower, Rational Upper)?>? interval = null)
    {
        _symbol = symbol;
        _prefix = prefix;
        _indent = indent;
        _interval = interval ?? (_ => null);
    }


    /// <summary>
    /// Writes <c>target = value;</c> for each output, each with its formula as a comment; with <paramref name="before"/>,
    /// its line (if not null) goes before output i and the locals first used there: a guard such as
    /// <c>if (order &lt; 3) continue;</c> then skips exactly the outputs from i on, since a local is declared just
    /// before its first use.
    /// </summary>
    public string Write(IReadOnlyList<(string Target, Expr Value, string Comment)> outputs, Func<int, string?>? before = null)
    {
        foreach (var o in outputs) Count(o.Value);
        for (int i = 0; i < outputs.Count; i++)
        {
            var o = outputs[i];
            if (before?.Invoke(i) is { } line) _code.Append(_indent).Append(line).Append('\n');
            var code = Code(o.Value);
            if (o.Comment.Length > 0) _code.Append(_indent).Append("// ").Append(CSharpNames.Comment(o.Comment)).Append('\n');
            _code.Append(_indent).Append(o.Target).Append(" = ").Append(code).Append(";\n");
        }
        return _code.ToString();
    }
}
