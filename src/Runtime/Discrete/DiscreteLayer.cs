using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Runtime.Discrete;

/// <summary>
/// A layer of independent discrete units: <see cref="Variables"/> categorical variables of <see cref="Classes"/> classes
/// each, with <c>q(z) = prod_j softmax(l_j)_{z_j}</c>. A Bernoulli unit is a two-class variable with logits
/// <c>(0, l_j)</c>, so <c>P(z_j = 1) = sigmoid(l_j)</c>.
/// </summary>
/// <remarks>
/// Every vector over a layer (logits, gradients, one-hot and relaxed configurations) uses the full layout: entry
/// <c>j * Classes + k</c> belongs to class k of variable j.
/// </remarks>
public readonly record struct DiscreteLayer
{
    /// <summary>A layer of <paramref name="variables"/> variables with <paramref name="classes"/> classes each.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than one variable or two classes.</exception>
    public DiscreteLayer(int variables, int classes)
    {
        if (variables < 1) throw new ArgumentOutOfRangeException(nameof(variables), variables, $"a layer needs at least one variable (got {variables})");
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, $"a discrete variable needs at least two classes (got {classes})");
        Variables = variables;
        Classes = classes;
    }

    public int Variables { get; }
    public int Classes { get; }

    /// <summary>Whether the units are Bernoulli (two classes).</summary>
    public bool IsBinary => Classes == 2;

    /// <summary>Entries of a vector in the full layout.</summary>
    public int FullSize => Variables * Classes;

    /// <summary><paramref name="units"/> Bernoulli units (two classes each; class 1 is "on").</summary>
    public static DiscreteLayer Bernoulli(int units) => new(units, 2);

    /// <summary><paramref name="variables"/> categorical variables of <paramref name="classes"/> classes.</summary>
    public static DiscreteLayer Categorical(int variables, int classes) => new(variables, classes);

    /// <summary>Checks the length of a vector in the full layout (a clear error rather than an index exception later).</summary>
    internal void RequireFull(int length, string name)
    {
        if (length != FullSize)
            throw new ArgumentException($"{name} has {length} entries; a layer of {Variables} variables with {Classes} classes needs {FullSize} (variable j, class k at j * {Classes} + k)", name);
    }

    /// <summary>Log-probabilities: the log-softmax of each variable's logits.</summary>
    public void LogProbabilities(ReadOnlySpan<double> logits, Span<double> logQ)
    {
        int K = Classes;
        for (int g = 0; g < FullSize; g += K)
        {
            double max = double.NegativeInfinity;
            for (int k = 0; k < K; k++) max = Math.Max(max, logits[g + k]);
            if (!double.IsFinite(max)) throw new ArgumentException($"the logits of variable {g / K} are not finite", nameof(logits));
            double sum = 0;
            for (int k = 0; k < K; k++) sum += Math.Exp(logits[g + k] - max); // the largest term is 1: no overflow
            double log = max + Math.Log(sum);
            for (int k = 0; k < K; k++) logQ[g + k] = logits[g + k] - log;
        }
    }

    /// <summary>
    /// Draws z ~ q by inverse CDF, one uniform per variable: class k is the first whose cumulative probability exceeds
    /// u (the last class takes what rounding leaves).
    /// </summary>
    public void Draw(ReadOnlySpan<double> logQ, RandomSource random, Span<int> state)
    {
        int K = Classes;
        for (int j = 0; j < Variables; j++)
        {
            double u = random.NextDouble(), c = 0;
            int k = 0;
            for (; k < K - 1; k++) { c += Math.Exp(logQ[j * K + k]); if (u < c) break; }
            state[j] = k;
        }
    }

    /// <summary>Writes the one-hot vector of a configuration (full layout).</summary>
    public void OneHot(ReadOnlySpan<int> state, Span<double> y)
    {
        y[..FullSize].Clear();
        for (int j = 0; j < Variables; j++) y[j * Classes + state[j]] = 1;
    }

    internal static double Sigmoid(double s) => s >= 0 ? 1 / (1 + Math.Exp(-s)) : Math.Exp(s) / (1 + Math.Exp(s));

    /// <summary>log(u / (1 - u)): a uniform mapped to a logistic variable, so l + Logit(u) &gt; 0 draws Bernoulli(sigmoid(l)).</summary>
    public static double Logit(double u) => Math.Log(u) - Math.Log(1 - u);
}
