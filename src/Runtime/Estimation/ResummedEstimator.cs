using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Rules;
using SeriesCompiler.Runtime.Sampling;
using SeriesCompiler.Runtime.Statistics;

namespace SeriesCompiler.Runtime.Estimation;

/// <summary>
/// The exact resummed rule (<see cref="IResummedRule"/>): dL/dtheta_p = sum over terms of
/// C_term(theta) E[ f^(j)(z + U e_coordinate) ], with U drawn from the term's auxiliary law independently of z.
/// No truncation and one derivative of low order; it applies when every differentiable parameter of a univariate
/// rule has such a form (Gamma, Laplace, Exponential, ChiSquared, Erlang, Poisson, negative binomial).
/// </summary>
public sealed class ResummedEstimator(Rule rule) : GradientEstimator(rule)
{
    public override string Name => "resummed";

    public override string? WhyNotApplicable(Objective f)
    {
        if (CannotSample(Rule) is { } reason) return reason;
        if (Rule.Direct is not { } direct) return $"{Rule.Name} is built from latents; its components' rules are not resummed";
        if (direct is not IResummedRule resummed) return $"{direct.Name} has no resummed rules";
        if (direct.Dimension != 1) return "only univariate rules are resummed";
        for (int p = 0; p < direct.Differentiable.Count; p++)
            if (!resummed.IsResummed(p)) return resummed.Describe(p);
        return NotSmoothEnough(resummed, f.Smoothness);
    }

    // Each term needs f^(j) for its j (j = 0 is a difference of f, which needs nothing): Laplace's b needs f'', Gamma's k f'.
    private string? NotSmoothEnough(IResummedRule resummed, Smoothness smoothness)
    {
        if (smoothness.IsSmooth) return null;
        for (int p = 0; p < Rule.Direct!.Differentiable.Count; p++)
            for (int t = 0; t < resummed.TermCount(p); t++)
                if (smoothness.Refusal(resummed.DerivativeOrder(p, t), $"the resummed rule for {Rule.Direct.Parameters[Rule.Direct.Differentiable[p]].Name} ({resummed.Describe(p)})") is { } why)
                    return why;
        return null;
    }

    // f over jets that applied Jet.Abs: refuse if a term needs more than f'.
    private void CheckKinks(IResummedRule resummed, long before) => CheckKinked(resummed, Jet.KinkEvaluations != before);

    private void CheckKinked(IResummedRule resummed, bool kinked)
    {
        if (kinked && NotSmoothEnough(resummed, Smoothness.Kinked("it applies Jet.Abs, which has a kink where its argument is 0")) is { } why)
            throw new EstimatorNotApplicableException(Name, why);
    }

    // The compiler chose each parameter's rule once, for every parameter value; a point it names ("the point the compiler tried: p = 0.02267")
    // is its own example, so the values the user gave are stated beside it.
    private protected override string Explain(string reason, Problem problem) =>
        Rule.Direct is IResummedRule resummed && Enumerable.Range(0, Rule.Direct.Differentiable.Count).Any(p => !resummed.IsResummed(p) && resummed.Describe(p) == reason)
            ? $"{reason}; decided when {Rule.Name} was compiled, for all parameter values (given: {Describe(problem)})"
            : reason;

    /// <summary>The rule of every parameter, as text.</summary>
    public string Describe()
    {
        var resummed = (IResummedRule)Rule.Direct!;
        return string.Join("; ", Enumerable.Range(0, Rule.Direct!.Differentiable.Count).Select(resummed.Describe));
    }

    internal override GradientEstimate? RunBlocked(Problem problem, Objective f, int samples, ulong seed, EstimateOptions options)
    {
        if (ResummedBlockKernel.TryCreate(Name, problem, f) is not { } kernel) return null;
        var resummed = (IResummedRule)problem.Rule.Direct!;
        var engine = new BlockEngine(kernel, options, samples);
        engine.Run(samples, seed, problem.Monitor);
        CheckKinked(resummed, engine.Kinks != 0);
        return Baseline.Result("resummed", "resummed: " + Describe(), problem, engine.Moments, samples);
    }

    internal override SessionPlan? PlanSession(Problem problem, Objective f)
    {
        if (ResummedBlockKernel.TryCreate(Name, problem, f) is not { } kernel) return null;
        var resummed = (IResummedRule)problem.Rule.Direct!;
        return new SessionPlan(kernel, 0, engine => CheckKinked(resummed, engine.Kinks != 0));
    }

    internal override GradientEstimate Run(Problem problem, Objective f, int samples, RandomSource random)
    {
        var direct = problem.Rule.Direct!;
        var resummed = (IResummedRule)direct;
        int copies = problem.Copies, g = problem.GradientPerCopy;
        bool differences = false;
        for (int p = 0; p < g; p++)
            for (int t = 0; t < resummed.TermCount(p); t++) differences |= resummed.DerivativeOrder(p, t) == 0;
        // Each term's order and coefficient C_term(theta), once per call and copy rather than per sample (they do not
        // depend on z): terms of slot p of copy c at [start[c * g + p], start[c * g + p + 1]).
        var start = new int[copies * g + 1];
        var order = new List<int>();
        var coefficient = new List<double>();
        for (int c = 0; c < copies; c++)
            for (int p = 0; p < g; p++)
            {
                for (int t = 0; t < resummed.TermCount(p); t++)
                {
                    order.Add(resummed.DerivativeOrder(p, t));
                    coefficient.Add(resummed.TermCoefficient(problem.Thetas[c], p, t));
                }
                start[c * g + p + 1] = order.Count;
            }
        int[] termOrder = [.. order];
        double[] termCoefficient = [.. coefficient];
        var z = new double[copies];
        var contribution = new double[problem.GradientLength];
        var welford = new Welford(contribution.Length);
        long kinks = Jet.KinkEvaluations;
        for (int s = 0; s < samples; s++)
        {
            problem.Monitor.Sample(s);
            if (s == 1) CheckKinks(resummed, kinks);
            for (int c = 0; c < copies; c++) direct.Sample(problem.Thetas[c], random, z.AsSpan(c, 1));
            // The terms need f only at shifted points, but an f that is NaN or infinite at a sample has no expectation to differentiate.
            Finite.CheckValue(Name, f.Value(z), s, z);
            for (int c = 0; c < copies; c++)
            {
                var theta = problem.Thetas[c];
                double here = differences ? f.CoordinateSlice(z, c, z[c]) : 0;
                for (int p = 0; p < g; p++)
                {
                    double sum = 0;
                    int first = start[c * g + p];
                    for (int t = 0; t < start[c * g + p + 1] - first; t++)
                    {
                        double u = resummed.SampleShift(theta, p, t, random);
                        int j = termOrder[first + t];
                        double derivative;
                        if (j == 0)
                            // Only differences of slices along one coordinate matter, and the terms' coefficients sum to 0:
                            // each term is taken as f(z + u) - f(z), by jets where z + u is not a double apart from z.
                            derivative = ShiftedDifference.Of(Name, f, z, c, u, here);
                        else
                            // O(1) per coordinate for a separable f (only its own term is differentiated), O(d) otherwise.
                            derivative = f.CoordinatePartial(z, c, z[c] + u, j);
                        if (!double.IsFinite(derivative))
                            throw new NonFiniteValueException(Name, j == 0 ? "f at a shifted point" : $"f^({j}) at a shifted point", derivative, s, z, j);
                        sum += termCoefficient[first + t] * derivative;
                    }
                    contribution[c * g + p] = sum;
                }
            }
            Finite.Check(Name, contribution, s, z);
            welford.Add(contribution);
        }
        CheckKinks(resummed, kinks);
        var result = Baseline.Result("resummed", "resummed: " + Describe(), problem, welford, samples);
        return result;
    }
}
