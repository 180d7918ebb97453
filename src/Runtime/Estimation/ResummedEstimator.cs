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
        return null;
    }

    /// <summary>The rule of every parameter, as text.</summary>
    public string Describe()
    {
        var resummed = (IResummedRule)Rule.Direct!;
        return string.Join("; ", Enumerable.Range(0, Rule.Direct!.Differentiable.Count).Select(resummed.Describe));
    }

    internal override GradientEstimate Run(Problem problem, Objective f, int samples, RandomSource random)
    {
        var direct = problem.Rule.Direct!;
        var resummed = (IResummedRule)direct;
        int copies = problem.Copies, g = problem.GradientPerCopy;
        int maxOrder = 0;
        for (int p = 0; p < g; p++)
            for (int t = 0; t < resummed.TermCount(p); t++) maxOrder = Math.Max(maxOrder, resummed.DerivativeOrder(p, t));
        var z = new double[copies];
        var shifted = new double[copies];
        var partials = new double[copies * (maxOrder + 1)];
        var contribution = new double[problem.GradientLength];
        var welford = new Welford(contribution.Length);
        for (int s = 0; s < samples; s++)
        {
            for (int c = 0; c < copies; c++) direct.Sample(problem.Thetas[c], random, z.AsSpan(c, 1));
            // The terms need f only at shifted points, but an f that is NaN or infinite at a sample has no expectation to differentiate.
            Finite.CheckValue(Name, f.Value(z), s, z);
            for (int c = 0; c < copies; c++)
            {
                var theta = problem.Thetas[c];
                for (int p = 0; p < g; p++)
                {
                    double sum = 0;
                    for (int t = 0; t < resummed.TermCount(p); t++)
                    {
                        double u = resummed.SampleShift(theta, p, t, random);
                        int j = resummed.DerivativeOrder(p, t);
                        double derivative;
                        if (j == 0)
                            // Only differences of slices along one coordinate matter, and the terms' coefficients sum to 0.
                            derivative = f.CoordinateSlice(z, c, z[c] + u);
                        else
                        {
                            z.CopyTo(shifted, 0);
                            shifted[c] += u;
                            f.PurePartials(shifted, j, partials.AsSpan(0, copies * (j + 1)));
                            derivative = partials[c * (j + 1) + j];
                        }
                        if (!double.IsFinite(derivative))
                            throw new NonFiniteValueException(Name, j == 0 ? "f at a shifted point" : $"f^({j}) at a shifted point", derivative, s, z, j);
                        sum += resummed.TermCoefficient(theta, p, t) * derivative;
                    }
                    contribution[c * g + p] = sum;
                }
            }
            Finite.Check(Name, contribution, s, z);
            welford.Add(contribution);
        }
        var result = Baseline.Result("resummed", "resummed: " + Describe(), problem, welford, samples);
        return result;
    }
}
