namespace SeriesCompiler.Runtime.Differentiation;

/// <summary>
/// A function of several variables written once over jets: <c>f(z_1, ..., z_d)</c>. The
/// <see cref="Derivatives"/> helpers feed it jets seeded along chosen directions. Implement it on
/// a struct to let the JIT specialise and inline the generic helpers; a lambda works through
/// <see cref="JetFunction"/>.
/// </summary>
public interface IJetFunction
{
    /// <summary>Evaluates f. Create constants with <c>z[0].Const(c)</c> or mix in doubles with the operators.</summary>
    Jet Evaluate(ReadOnlySpan<Jet> z);
}

/// <summary>Delegate form of <see cref="IJetFunction"/>, for lambdas: <c>z =&gt; Jet.Exp(z[0] * z[1])</c>.</summary>
public delegate Jet JetFunction(ReadOnlySpan<Jet> z);

/// <summary>Adapts a <see cref="JetFunction"/> to <see cref="IJetFunction"/> without boxing.</summary>
public readonly struct DelegateJetFunction(JetFunction function) : IJetFunction
{
    /// <inheritdoc/>
    public Jet Evaluate(ReadOnlySpan<Jet> z) => function(z);
}
