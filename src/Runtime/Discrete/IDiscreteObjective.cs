namespace SeriesCompiler.Runtime.Discrete;

/// <summary>
/// The function f of <c>L(l) = E_{z ~ q_l}[f(z)]</c> for a layer of discrete units (<see cref="DiscreteLayer"/>): what a
/// user's model implements so that the estimators of <see cref="IDiscreteGradientEstimator"/> can differentiate L in
/// the logits l. A configuration is one class per variable (<c>state[j]</c> in <c>0 .. Classes - 1</c>).
/// </summary>
/// <remarks>
/// f must not depend on the logits itself, except through the optional <c>-log q(z)</c> term of an ELBO integrand
/// (see <see cref="IRelaxedDiscreteObjective.SubtractsLogQ"/>): its expected derivative is zero, so the unbiased
/// estimators need not differentiate it. Use one instance from one thread at a time.
/// </remarks>
public interface IDiscreteObjective
{
    /// <summary>The layer f is defined on.</summary>
    DiscreteLayer Layer { get; }

    /// <summary>f(z).</summary>
    double Value(ReadOnlySpan<int> state);

    /// <summary>
    /// The flipped evaluations of Theorem 2, in one call: <c>values[j * Classes + k] = f(z with variable j set to class
    /// k)</c> for every j and k (the current class gives f(z) itself). Returns f(z). A model whose first layer is linear
    /// in the one-hot input computes each as a rank-one update of that layer's pre-activation (O(width) rather than a new
    /// forward pass); <see cref="DiscreteObjective.FlipByValues"/> is the generic fallback.
    /// </summary>
    double EvaluateFlipped(ReadOnlySpan<int> state, Span<double> values);
}

/// <summary>
/// An <see cref="IDiscreteObjective"/> that also extends to relaxed configurations, which the pathwise estimators
/// (Gumbel-softmax, REBAR, RELAX) need: y in the product of simplices (full layout; a one-hot y is z itself).
/// </summary>
public interface IRelaxedDiscreteObjective : IDiscreteObjective
{
    /// <summary>f(y) and, when <paramref name="dy"/> is not empty, <c>df/dy</c> (full layout) at fixed logits.</summary>
    double ValueAndGradient(ReadOnlySpan<double> y, Span<double> dy);

    /// <summary>
    /// Whether f(y) includes <c>-sum_jk y_jk log q_jk(l)</c> for the q being differentiated (an ELBO integrand
    /// <c>log p(x, z) - log q(z)</c>), evaluated at fixed logits. The relaxed estimators then add that term's own
    /// derivative in the logits, <c>-(y_jm - q_jm sum_k y_jk)</c>, so they differentiate the relaxed objective as a
    /// function of l (the discrete estimators need not: its mean is zero at a one-hot y).
    /// </summary>
    bool SubtractsLogQ => false;
}

/// <summary>f(y) and, when <paramref name="dy"/> is not empty, <c>df/dy</c>, for y in the full layout.</summary>
public delegate double RelaxedFunction(ReadOnlySpan<double> y, Span<double> dy);

/// <summary>
/// A relaxed objective over Bernoulli units given one value per unit, <c>y_j</c> in [0, 1] (the REBAR/RELAX view; a
/// hierarchy of layers implements one per layer, holding the other layers fixed).
/// </summary>
public interface IBinaryRelaxation
{
    /// <summary>How many units.</summary>
    int Units { get; }

    /// <summary>The class-1 logit <c>l_j</c> of q, <c>P(b_j = 1) = sigmoid(l_j)</c>.</summary>
    double Logit(int j);

    /// <summary>f at a binary configuration.</summary>
    double Value(ReadOnlySpan<int> b);

    /// <summary>
    /// f at y in [0, 1]^n and <c>df/dy</c> at fixed logits. <paramref name="temperature"/> is the one y was relaxed at,
    /// for objectives that relax further units themselves (a hierarchy's next layer).
    /// </summary>
    double ValueAndGradient(ReadOnlySpan<double> y, double temperature, Span<double> dy);

    /// <summary>Whether f includes <c>-[y_j log p_j + (1 - y_j) log(1 - p_j)]</c> per unit (see <see cref="IRelaxedDiscreteObjective.SubtractsLogQ"/>).</summary>
    bool SubtractsLogQ => false;
}

/// <summary>Ready-made <see cref="IDiscreteObjective"/>s.</summary>
public static class DiscreteObjective
{
    /// <summary>
    /// An objective given by one function over the full layout: f(z) is <paramref name="f"/> at z's one-hot vector, and
    /// the flipped evaluations are <c>Variables * (Classes - 1)</c> further calls (<see cref="FlipByValues"/>).
    /// </summary>
    public static IRelaxedDiscreteObjective FromRelaxed(DiscreteLayer layer, RelaxedFunction f, bool subtractsLogQ = false) =>
        new RelaxedFunctionObjective(layer, f ?? throw new ArgumentNullException(nameof(f)), subtractsLogQ);

    /// <summary>
    /// The flipped evaluations by plain values, one <see cref="IDiscreteObjective.Value"/> per changed variable and class
    /// (for objectives without a cheaper update). <paramref name="scratch"/> holds at least Variables entries.
    /// </summary>
    public static double FlipByValues(IDiscreteObjective f, ReadOnlySpan<int> state, Span<int> scratch, Span<double> values)
    {
        var layer = f.Layer;
        int K = layer.Classes;
        var copy = scratch[..layer.Variables];
        state.CopyTo(copy);
        double value = f.Value(copy);
        for (int j = 0; j < layer.Variables; j++)
        {
            for (int k = 0; k < K; k++)
            {
                if (k == state[j]) { values[j * K + k] = value; continue; }
                copy[j] = k;
                values[j * K + k] = f.Value(copy);
            }
            copy[j] = state[j];
        }
        return value;
    }

    private sealed class RelaxedFunctionObjective(DiscreteLayer layer, RelaxedFunction f, bool subtractsLogQ) : IRelaxedDiscreteObjective
    {
        private readonly double[] _y = new double[layer.FullSize];
        private readonly int[] _scratch = new int[layer.Variables];

        public DiscreteLayer Layer => layer;
        public bool SubtractsLogQ => subtractsLogQ;

        public double Value(ReadOnlySpan<int> state)
        {
            layer.OneHot(state, _y);
            return f(_y, []);
        }

        public double EvaluateFlipped(ReadOnlySpan<int> state, Span<double> values) => FlipByValues(this, state, _scratch, values);

        public double ValueAndGradient(ReadOnlySpan<double> y, Span<double> dy) => f(y, dy);
    }
}
