using System.Collections.Immutable;
using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Functions;
using SeriesCompiler.Runtime.Sampling;
using SeriesCompiler.Runtime.Statistics;

namespace SeriesCompiler.Runtime.Estimation;

/// <summary>
/// The score-function (REINFORCE) baseline: <c>dL/dtheta = E[f(z) d/dtheta log p(z; theta)]</c>, from the declared
/// <c>logpdf</c>/<c>logpmf</c>. For a derived distribution the score is that of its latents,
/// <c>E[f(value(g)) sum_i d/dtheta log p_i(g_i; args_i(theta))]</c>, an estimator of the same gradient.
/// </summary>
public sealed class ScoreFunctionEstimator(Rule rule) : GradientEstimator(rule)
{
    public override string Name => "score";

    public override string? WhyNotApplicable(Objective f)
    {
        if (CannotSample(Rule) is { } reason) return reason;
        if (Rule.Direct is { HasLogDensity: false } d) return $"{d.Name} declares no logpdf/logpmf";
        foreach (var latent in Rule.LatentRules)
            if (!latent.HasLogDensity) return $"latent rule {latent.Name} declares no logpdf";
        return null;
    }

    internal override GradientEstimate Run(Problem problem, Objective f, int samples, RandomSource random)
    {
        var sampler = new Sampler(problem);
        var chain = Chain.Of(problem, sampler);
        var z = new double[problem.TotalVariables];
        var contribution = new double[problem.GradientLength];
        var score = new double[Math.Max(chain.MaxDifferentiable, problem.GradientPerCopy)];
        var welford = new Welford(contribution.Length);
        var direct = problem.Rule.Direct;
        int v = problem.Variables, g = problem.GradientPerCopy;
        var firstZ = new double[z.Length];
        bool varies = false;
        for (int s = 0; s < samples; s++)
        {
            problem.Monitor.Sample(s);
            sampler.Draw(random, z);
            if (s == 0) z.CopyTo(firstZ, 0);
            else if (!varies) varies = !z.AsSpan().SequenceEqual(firstZ);
            double value = f.Value(z);
            Finite.CheckValue(Name, value, s, z);
            if (direct is not null)
            {
                for (int c = 0; c < problem.Copies; c++)
                {
                    var slice = contribution.AsSpan(c * g, g);
                    direct.Score(problem.Thetas[c], z.AsSpan(c * v, v), slice);
                    for (int p = 0; p < g; p++) slice[p] *= value;
                }
            }
            else
            {
                Array.Clear(contribution);
                for (int i = 0; i < sampler.Components.Length; i++)
                {
                    var component = sampler.Components[i];
                    component.Rule.Score(component.Arguments, sampler.Latents.AsSpan(i, 1), score);
                    chain.Accumulate(i, score, value, contribution.AsSpan(component.Copy * g, g));
                }
            }
            Finite.Check(Name, contribution, s, z);
            welford.Add(contribution);
        }
        // Draws of a continuous law that are all the same double: its spread is below a double's resolution (Gamma at
        // k = 1e308: z rounds to k mu), so the score (log z - digamma(k) rounds to 0) sees nothing; it would say 0 +- 0.
        if (direct is not null && !problem.Rule.IsDiscrete && samples > 1 && !varies)
        {
            var theta = problem.Thetas[0];
            string at = string.Join(", ", direct.Parameters.Select((q, i) => q.Name + " = " + theta[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
            throw new EstimatorNotApplicableException(Name, $"every sample drew the same z at {at}: the draws' spread is below a double's "
                + "resolution there, so the score function cannot resolve the gradient");
        }
        return Baseline.Result(Name, "score function", problem, welford, samples);
    }
}

/// <summary>
/// The pathwise (reparameterization) baseline: <c>dL/dtheta = E[grad f(z) . dz/dtheta]</c> with <c>dz/dtheta</c> from
/// the differentiated sampler (implicit reparameterization for <c>gamma(k)</c>:
/// <c>dz/dk = -(dF(z; k)/dk) / p(z; k)</c>). For a derived distribution the latents' derivatives are pushed through
/// <c>value</c> by order-1 jets.
/// </summary>
public sealed class PathwiseEstimator(Rule rule) : GradientEstimator(rule)
{
    public override string Name => "pathwise";

    public override string? WhyNotApplicable(Objective f)
    {
        if (CannotSample(Rule) is { } reason) return reason;
        if (Rule.IsDiscrete) return $"{Rule.Name} is discrete: its samples do not move continuously with the parameters";
        if (Rule.Direct is { HasPathwise: false } d) return $"{d.Name}'s sample is not differentiable in its parameters";
        foreach (var latent in Rule.LatentRules)
            if (!latent.HasPathwise) return $"the sample of latent rule {latent.Name} is not differentiable in its parameters";
        return null;
    }

    internal override GradientEstimate? RunBlocked(Problem problem, Objective f, int samples, ulong seed, EstimateOptions options)
    {
        if (problem.Rule.Direct is null || problem.GradientLength == 0) return null;
        var engine = new BlockEngine(new PathwiseBlockKernel(Name, problem, f), options, samples);
        engine.Run(samples, seed, problem.Monitor);
        return Baseline.Result(Name, "pathwise", problem, engine.Moments, samples);
    }

    internal override SessionPlan? PlanSession(Problem problem, Objective f) =>
        problem.Rule.Direct is null || problem.GradientLength == 0 ? null : new SessionPlan(new PathwiseBlockKernel(Name, problem, f), 0, null);

    internal override GradientEstimate Run(Problem problem, Objective f, int samples, RandomSource random)
    {
        var sampler = new Sampler(problem);
        var chain = Chain.Of(problem, sampler);
        int v = problem.Variables, g = problem.GradientPerCopy, total = problem.TotalVariables, latents = sampler.LatentsPerCopy;
        var z = new double[total];
        var gradient = new double[total];
        var contribution = new double[problem.GradientLength];
        var welford = new Welford(contribution.Length);
        var direct = problem.Rule.Direct;
        var dz = new double[direct is null ? 0 : total * g];             // dz_d / dtheta_p per copy: [c*v*g + d*g + p]
        var dLatent = new double[chain.MaxDifferentiable];
        var dg = new double[sampler.Components.Length * g];                // d g_i / d theta_s of its copy: [i*g + s]
        var latentJets = new Jet[latents];
        var valueJets = new Jet[v];
        var derived = problem.Rule.Derived;
        for (int s = 0; s < samples; s++)
        {
            problem.Monitor.Sample(s);
            if (direct is not null)
            {
                for (int c = 0; c < problem.Copies; c++)
                    direct.SamplePathwise(problem.Thetas[c], random, z.AsSpan(c * v, v), dz.AsSpan(c * v * g, v * g));
                f.Gradient(z, gradient);
                // The rule needs only grad f, but an f that is NaN or infinite at a sample has no expectation to differentiate.
                Finite.CheckValue(Name, f.Value(z), s, z);
                for (int c = 0; c < problem.Copies; c++)
                    for (int p = 0; p < g; p++)
                    {
                        double sum = 0;
                        for (int d = 0; d < v; d++) sum += gradient[c * v + d] * dz[(c * v + d) * g + p];
                        contribution[c * g + p] = sum;
                    }
            }
            else
            {
                Array.Clear(dg);
                for (int i = 0; i < sampler.Components.Length; i++)
                {
                    var component = sampler.Components[i];
                    component.Rule.SamplePathwise(component.Arguments, random, sampler.Latents.AsSpan(i, 1), dLatent);
                    chain.Accumulate(i, dLatent, 1.0, dg.AsSpan(i * g, g));
                }
                for (int c = 0; c < problem.Copies; c++) sampler.ApplyValue(c, sampler.Latents, z);
                f.Gradient(z, gradient);
                Finite.CheckValue(Name, f.Value(z), s, z);
                // dz/dtheta_s of copy c: value pushed forward along the latents' derivatives (order-1 jets).
                var arena = Derivatives.ArenaFor(1);
                for (int c = 0; c < problem.Copies; c++)
                    for (int slot = 0; slot < g; slot++)
                    {
                        var mark = arena.Mark();
                        for (int k = 0; k < latents; k++)
                        {
                            int i = c * latents + k;
                            latentJets[k] = arena.Variable(sampler.Latents[i], dg[i * g + slot]);
                        }
                        derived!.Value<Jet>(latentJets, valueJets);
                        double sum = 0;
                        for (int d = 0; d < v; d++) sum += gradient[c * v + d] * valueJets[d].Coefficient(1);
                        contribution[c * g + slot] = sum;
                        arena.Release(mark);
                    }
            }
            for (int d = 0; d < gradient.Length; d++)
                if (!double.IsFinite(gradient[d]))
                    throw new NonFiniteValueException(Name, $"df/dz{(gradient.Length > 1 ? (d + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : "")}", gradient[d], s, z, 1);
            Finite.Check(Name, contribution, s, z);
            welford.Add(contribution);
        }
        return Baseline.Result(Name, "pathwise", problem, welford, samples);
    }
}

/// <summary>Chain rule from the latents' own parameters to theta: the non-zero <c>d args_q / d theta_s</c> of each component.</summary>
internal sealed class Chain
{
    private readonly (int Parameter, int Slot, double Derivative)[][] _entries;

    private Chain((int, int, double)[][] entries, int maxDifferentiable)
    {
        _entries = entries;
        MaxDifferentiable = maxDifferentiable;
    }

    public int MaxDifferentiable { get; }

    public static Chain Of(Problem problem, Sampler sampler)
    {
        var entries = new (int, int, double)[sampler.Components.Length][];
        int max = 0;
        for (int i = 0; i < entries.Length; i++)
        {
            var component = sampler.Components[i];
            var differentiable = component.Rule.Differentiable;
            max = Math.Max(max, differentiable.Count);
            var list = new List<(int, int, double)>();
            for (int p = 0; p < differentiable.Count; p++)
                for (int s = 0; s < component.ThetaLength; s++)
                {
                    double j = component.Jacobian[differentiable[p] * component.ThetaLength + s];
                    if (j != 0) list.Add((p, s, j));
                }
            entries[i] = [.. list];
        }
        return new Chain(entries, max);
    }

    /// <summary><c>target[s] += scale * sum_p values[p] d args_p / d theta_s</c> for component i (s over its copy's theta).</summary>
    public void Accumulate(int component, ReadOnlySpan<double> overDifferentiable, double scale, Span<double> target)
    {
        foreach (var (p, slot, j) in _entries[component]) target[slot] += scale * overDifferentiable[p] * j;
    }
}

internal static class Baseline
{
    public static GradientEstimate Result(string estimator, string method, Problem problem, ChunkedMoments moments, int samples) =>
        Result(estimator, method, problem, samples, moments.Mean, moments.StandardError);

    public static GradientEstimate Result(string estimator, string method, Problem problem, Welford welford, int samples) =>
        Result(estimator, method, problem, samples, welford.Mean, welford.StandardError);

    // The batched core (chunked moments) and the scalar loop (Welford) report the same way: mean and standard error per slot.
    private static GradientEstimate Result(string estimator, string method, Problem problem, int samples,
        ReadOnlySpan<double> mean, Func<int, double> standardError)
    {
        var gradient = ImmutableArray.CreateBuilder<double>(problem.GradientLength);
        var error = ImmutableArray.CreateBuilder<double>(problem.GradientLength);
        for (int p = 0; p < problem.GradientLength; p++)
        {
            gradient.Add(mean[p]);
            error.Add(standardError(p));
        }
        return new GradientEstimate
        {
            Estimator = estimator,
            Method = method,
            Slots = problem.Slots,
            Gradient = gradient.MoveToImmutable(),
            StandardError = error.MoveToImmutable(),
            Samples = samples,
            Truncation = Truncation.None,
        };
    }
}
