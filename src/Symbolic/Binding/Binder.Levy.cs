using SeriesCompiler.Symbolic.Diagnostics;
using SeriesCompiler.Symbolic.Expressions;
using SeriesCompiler.Symbolic.Syntax;

namespace SeriesCompiler.Symbolic.Binding;

// Where abs may stand in a characteristic function (docs/language.md): log phi = A(w) - sum_k c_k |w|^alpha_k with A
// analytic and constants 0 < alpha_k < 2 is the exponent of an infinitely divisible law whose Lévy measure has the
// density c_k C_alpha |x|^(-1-alpha) (Cauchy: alpha = 1; symmetric stable laws). Such a term has no Taylor series at
// w = 0 but a generator rule (src/Symbolic/Levy). Every other use of abs has neither, and is refused here, where its
// position is still known. The whole exponent's shape (c_k free of w, no abs(w)*abs(w)) is checked by LevyExponent.
public sealed partial class Binder
{
    /// <summary><c>abs(ARG)</c> inside a cf/logcf: only <c>abs(w)</c> of the one frequency variable, not inside another function.</summary>
    private Expr BindLevyAbs(CallExpression c)
    {
        if (_bindingVariables.Length != 1)
        {
            _diagnostics.Report(DiagnosticCatalogue.MisplacedAbs, c.Name.Span,
                "'abs' in a characteristic function of several variables has no rule: abs(w) is allowed only in a cf/logcf of one frequency variable");
            return ErrorSymbol;
        }
        var w = _bindingVariables[0];
        var argument = c.Arguments.Length == 1 ? c.Arguments[0] : null;
        while (argument is ParenthesizedExpression p) argument = p.Expression; // abs((w)) is abs(w)
        if (argument is not NameExpression { } name || name.Name.Text != w.Name)
        {
            _diagnostics.Report(DiagnosticCatalogue.MisplacedAbs, c.Name.Span,
                $"'abs' in a characteristic function must be abs({w.Name}) of the frequency variable itself (abs({w.Name}) or abs({w.Name})^alpha, the exponent of a stable law), not of another expression");
            return ErrorSymbol;
        }
        // -c|w|^alpha must stand in log phi itself, or in the exponent of an exp (whose log the derivation takes, also
        // inside log(C*exp(...))); directly under log, sin, sqrt, ... |w| composed with an analytic function is neither
        // analytic at 0 nor a Lévy exponent. Shapes this lets through are checked whole by LevyExponent (SC1001).
        if (_enclosingCalls.Count > 0 && _enclosingCalls[^1] != "exp")
        {
            string inside = _enclosingCalls[^1];
            _diagnostics.Report(DiagnosticCatalogue.MisplacedAbs, c.Name.Span,
                $"abs({w.Name}) inside {inside}(...) has neither a Taylor series at {w.Name} = 0 nor a generator rule: write -c*abs({w.Name})^alpha as a term of the logcf" +
                (_bindingKind == CharacteristicKind.Cf ? $" (or of the exponent of a cf written exp(...))" : ""));
            return ErrorSymbol;
        }
        return Ex.Abs(w);
    }

    /// <summary>
    /// <c>LEFT ^ RIGHT</c> in a cf/logcf where either side holds <c>abs(w)</c>: the exponent must be a constant
    /// <c>0 &lt; alpha &lt; 2</c> (a stable index); abs(w) may not stand in an exponent. True when the power may be built.
    /// </summary>
    private bool CheckLevyPower(BinaryExpression b, Expr left, Expr right)
    {
        if (ContainsAbs(right))
        {
            _diagnostics.Report(DiagnosticCatalogue.MisplacedAbs, b.Right.Span,
                "abs(w) in an exponent has neither a Taylor series at w = 0 nor a generator rule; abs(w) may be raised to a constant power, not stand in one");
            return false;
        }
        // Only abs(w) itself is raised here; exp(-abs(w))^r is a power of an exp (r times its exponent), checked whole later.
        if (!ContainsBareAbs(left)) return true;
        if (right is not Number { IsReal: true } alpha)
        {
            _diagnostics.Report(DiagnosticCatalogue.MisplacedAbs, b.Right.Span,
                $"the index alpha of abs(w)^alpha must be a constant number with 0 < alpha < 2, found '{SourceTextOf(b.Right)}', which is not constant (a parameter alpha is not supported: the generator rule's proposal is fixed at compile time)");
            return false;
        }
        if (alpha.Re.Sign <= 0 || alpha.Re >= 2)
        {
            string why = alpha.Re.Sign <= 0
                ? "alpha <= 0 is not the exponent of any law (|w|^alpha must vanish at w = 0 and grow)"
                : alpha.Re == 2
                    ? "alpha = 2 gives |w|^2 = w^2, which is analytic: write w^2 (a normal law) instead"
                    : "alpha > 2 is not the exponent of any law: exp(-c|w|^alpha) is not positive definite (the stable index is at most 2)";
            _diagnostics.Report(DiagnosticCatalogue.MisplacedAbs, b.Right.Span,
                $"the index of abs(w)^alpha must satisfy 0 < alpha < 2, found alpha = {SourceTextOf(b.Right)}: {why}");
            return false;
        }
        return true;
    }

    private BoundLevyDensity? _levyDensity;

    /// <summary><c>levy(x) = DENSITY</c>: one variable, bound like a log density (abs allowed); given once.</summary>
    private void BindLevyDensity(FunctionStatement f)
    {
        if (_levyDensity is not null)
        {
            _diagnostics.Report(DiagnosticCatalogue.DuplicateStatement, f.Keyword.Span, "'levy' is given twice");
            return;
        }
        var variables = DeclareVariables(f.Variables);
        if (variables.Length != 1)
        {
            _diagnostics.Report(DiagnosticCatalogue.VariableCountMismatch, f.Span, "a Lévy density is written in one variable: levy(x) = ...");
            foreach (var v in f.Variables) _scope.Remove(v.Text);
            return;
        }
        var density = BindExpression(f.Body, Context.LogDensity);
        foreach (var v in f.Variables) _scope.Remove(v.Text);
        if (!ReferenceEquals(density, ErrorSymbol)) _levyDensity = new BoundLevyDensity(variables[0], density, f.Span);
    }

    private static bool ContainsBareAbs(Expr e) =>
        e is Call { Function: Function.Abs } || (e is not Call && e.Children.Any(ContainsBareAbs));

    private static bool ContainsAbs(Expr e) => e is Call { Function: Function.Abs } || e.Children.Any(ContainsAbs);
}
