using System.Collections.Immutable;
using SeriesCompiler.Runtime.Rules;
using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Runtime.Estimation;

/// <summary>
/// One estimation problem, checked and laid out once: the rule, one parameter vector per independent copy, and
/// where each copy's variables and gradient slots sit (copy-major: copy c's variables are
/// <c>z[c*V .. c*V + V)</c>, its gradient slots <c>[c*G .. c*G + G)</c>).
/// </summary>
internal sealed class Problem
{
    public Problem(Rule rule, ReadOnlySpan<double> theta, int copies, Functions.Objective f)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(copies, 1);
        if (theta.Length == 0 || theta.Length % copies != 0)
            throw new ArgumentException($"theta has {theta.Length} values, not a whole number of parameter vectors for {copies} copies.", nameof(theta));
        Rule = rule;
        Copies = copies;
        int perCopy = theta.Length / copies;
        var thetas = new double[copies][];
        for (int c = 0; c < copies; c++)
        {
            thetas[c] = theta.Slice(c * perCopy, perCopy).ToArray();
            rule.Validate(thetas[c]);
        }
        Thetas = thetas;
        Variables = rule.VariableCount(thetas[0]);
        GradientPerCopy = rule.GradientLength(thetas[0]);
        var names = rule.GradientSlots(thetas[0]);
        var slots = ImmutableArray.CreateBuilder<(string, int)>(copies * GradientPerCopy);
        for (int c = 0; c < copies; c++)
            foreach (var (parameter, component) in names)
                slots.Add((parameter, copies > 1 ? c : component));
        Slots = slots.MoveToImmutable();
        if (copies > 1 && names.Any(n => n.Component >= 0))
            throw new ArgumentException($"{rule.Name} is a family with vector parameters; independent copies (--dims) need a fixed-size distribution.", nameof(copies));
        if (f.Arity is { } arity && arity != TotalVariables)
            throw new ArgumentException($"f takes {arity} variable(s) but z has {TotalVariables} ({copies} cop{(copies == 1 ? "y" : "ies")} of {Variables}).", nameof(f));
    }

    public Rule Rule { get; }

    /// <summary>Cancellation and progress of this estimate's sampling loop (looked at once per block of samples).</summary>
    public RunMonitor Monitor { get; init; } = RunMonitor.None;

    public int Copies { get; }
    public double[][] Thetas { get; }

    /// <summary>Variables of z per copy.</summary>
    public int Variables { get; }

    public int TotalVariables => Copies * Variables;
    public int GradientPerCopy { get; }
    public int GradientLength => Copies * GradientPerCopy;
    public ImmutableArray<(string Parameter, int Index)> Slots { get; }
}

/// <summary>
/// Draws z for a problem through the rules' samplers: each copy in turn, a derived distribution by drawing its latent
/// components (with their arguments computed once) and applying <c>value</c>. Keeps the latent draws of the last sample.
/// </summary>
internal sealed class Sampler
{
    private readonly Problem _problem;

    public Sampler(Problem problem)
    {
        _problem = problem;
        if (problem.Rule.Derived is { } derived)
        {
            var components = new List<LatentComponent>();
            for (int c = 0; c < problem.Copies; c++)
            {
                var theta = problem.Thetas[c];
                int k = derived.FamilySize(theta);
                for (int l = 0; l < derived.Latents.Count; l++)
                {
                    var latentRule = problem.Rule.LatentRules[l];
                    int count = derived.Latents[l].IsIndexed ? k : 1;
                    for (int j = 0; j < count; j++)
                    {
                        var arguments = new double[latentRule.Parameters.Count];
                        var jacobian = new double[arguments.Length * theta.Length];
                        derived.LatentArguments(theta, l, j, arguments, jacobian);
                        latentRule.Validate(arguments);
                        components.Add(new LatentComponent(c, latentRule, arguments, jacobian, derived.Latents[l].Name + (derived.Latents[l].IsIndexed ? $"[{j}]" : "")));
                    }
                }
            }
            Components = [.. components];
            LatentsPerCopy = Components.Length / problem.Copies;
            Latents = new double[Components.Length];
        }
        else
        {
            Components = [];
            Latents = [];
        }
    }

    /// <summary>The latent components of a derived distribution, copy-major.</summary>
    public ImmutableArray<LatentComponent> Components { get; }

    public int LatentsPerCopy { get; }

    /// <summary>The latent draws of the last sample (derived distributions).</summary>
    public double[] Latents { get; }

    /// <summary>Draws one z (all copies).</summary>
    public void Draw(RandomSource random, Span<double> z)
    {
        var rule = _problem.Rule;
        int v = _problem.Variables;
        if (rule.Direct is { } direct)
        {
            for (int c = 0; c < _problem.Copies; c++) direct.Sample(_problem.Thetas[c], random, z.Slice(c * v, v));
            return;
        }
        for (int i = 0; i < Components.Length; i++)
        {
            var component = Components[i];
            component.Rule.Sample(component.Arguments, random, Latents.AsSpan(i, 1));
        }
        for (int c = 0; c < _problem.Copies; c++) ApplyValue(c, Latents, z);
    }

    /// <summary>z of copy c from latent values: <c>value(latents)</c>.</summary>
    public void ApplyValue(int copy, ReadOnlySpan<double> latents, Span<double> z)
    {
        int v = _problem.Variables, l = LatentsPerCopy;
        _problem.Rule.Derived!.Value(latents.Slice(copy * l, l), z.Slice(copy * v, v));
    }
}

/// <summary>One latent draw of a derived distribution: its rule, its arguments, and <c>d argument_q / d theta_s</c>.</summary>
internal sealed record LatentComponent(int Copy, IDistributionRule Rule, double[] Arguments, double[] Jacobian, string Name)
{
    /// <summary>Length of the copy's theta (the Jacobian's row length).</summary>
    public int ThetaLength => Jacobian.Length / Arguments.Length;

    /// <summary><c>sum_p v_p d argument_{Differentiable[p]} / d theta_s</c>: a vector over the latent rule's differentiable parameters mapped to theta.</summary>
    public double Chain(ReadOnlySpan<double> overDifferentiable, int thetaSlot)
    {
        double sum = 0;
        var differentiable = Rule.Differentiable;
        for (int p = 0; p < differentiable.Count; p++)
        {
            double j = Jacobian[differentiable[p] * ThetaLength + thetaSlot];
            if (j != 0) sum += overDifferentiable[p] * j;
        }
        return sum;
    }

    /// <summary><c>sum_p |v_p| |d argument_{Differentiable[p]} / d theta_s|</c>: <see cref="Chain"/> for error bounds.</summary>
    public double ChainAbsolute(ReadOnlySpan<double> overDifferentiable, int thetaSlot)
    {
        double sum = 0;
        var differentiable = Rule.Differentiable;
        for (int p = 0; p < differentiable.Count; p++)
        {
            double j = Jacobian[differentiable[p] * ThetaLength + thetaSlot];
            if (j != 0) sum += Math.Abs(overDifferentiable[p] * j);
        }
        return sum;
    }
}
