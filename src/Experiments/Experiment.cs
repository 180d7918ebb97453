namespace SeriesCompiler.Experiments;

/// <summary>How a run was asked for: where to write, how large, and where progress and logs go.</summary>
public sealed record ExperimentOptions(string OutputDirectory, bool Quick, IProgress<ExperimentProgress>? Progress = null, TextWriter? Log = null);

/// <summary>A fraction done and what is running, for a progress bar.</summary>
public readonly record struct ExperimentProgress(double Fraction, string Status);

/// <summary>What a run wrote.</summary>
public sealed record ExperimentResult(string Name, IReadOnlyList<string> Files, TimeSpan Elapsed, string Summary);

/// <summary>One of the paper's experiments, reproduced: writes CSV, PNG plots and summary.md into its folder.</summary>
public interface IExperiment
{
    string Name { get; }
    string Description { get; }
    ExperimentResult Run(ExperimentOptions options);
}

public static class ExperimentCatalog
{
    public static IReadOnlyList<IExperiment> All { get; } =
    [
        new GammaToyExperiment(GammaToyExperiment.Objective.Quadratic),
        new GammaToyExperiment(GammaToyExperiment.Objective.Exponential),
        new LaplaceLogisticRegressionExperiment(),
        new LaplaceTruncationExperiment(),
        new Discrete.DiscreteLatentExperiment(Discrete.DiscreteLatentExperiment.Kind.SigmoidBeliefNetwork),
        new Discrete.DiscreteLatentExperiment(Discrete.DiscreteLatentExperiment.Kind.Categorical),
    ];

    public static IExperiment? Find(string name) =>
        All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));
}
