using SeriesCompiler.Runtime.Discrete;
using SeriesCompiler.Runtime.Sampling;
using SeriesCompiler.Runtime.Training;

namespace SeriesCompiler.Experiments.Discrete;

/// <summary>
/// A discrete latent-variable model of binary data: q(z | x) factorised with logits from an encoder (a stack of dense
/// layers), a learned factorised prior p(z), and a decoder p(x | z) = Bernoulli(sigmoid(g(z))). With linear encoder and
/// decoder and Bernoulli units it is the one-layer sigmoid belief network of the paper's Table 1; with two tanh layers
/// of 200 units in the encoder and in the decoder it is the paper's (Grathwohl et al.'s) Bernoulli or categorical VAE.
/// Training ascends the ELBO with Adam, the posterior's gradient coming from an <see cref="IDiscreteGradientEstimator"/>.
/// </summary>
public sealed class DiscreteLatentModel : ILatentVariableModel
{
    public IReadOnlyList<DenseLayer> EncoderLayers => Encoder.Layers;

    public LatentSpace Space { get; }
    public DenseStack Encoder { get; }
    public DenseStack Decoder { get; }
    public double[] PriorLogits { get; }
    public double[] PriorGradient { get; }
    public int Pixels { get; }

    private readonly Adam _priorAdam;

    /// <param name="hidden">Sizes of tanh layers in the encoder before its linear output (empty: linear encoder), and
    /// the same, reversed, in the decoder before its linear output.</param>
    public DiscreteLatentModel(LatentSpace space, int pixels, int[] hidden, double learningRate, RandomSource random, ReadOnlySpan<double> pixelMeans = default)
    {
        Space = space;
        Pixels = pixels;
        var layers = new List<DenseLayer>();
        int inputs = pixels;
        foreach (var h in hidden) { layers.Add(new DenseLayer(inputs, h, Activation.Tanh, random)); inputs = h; }
        layers.Add(new DenseLayer(inputs, space.EncoderOutputs, Activation.Identity, random));
        layers[0].NeedsInputGradient = false; // the data need no gradient
        Encoder = new DenseStack(layers, learningRate);
        var decoder = new List<DenseLayer>();
        inputs = space.DecoderInputs;
        foreach (var h in hidden.Reverse()) { decoder.Add(new DenseLayer(inputs, h, Activation.Tanh, random)); inputs = h; }
        decoder.Add(new DenseLayer(inputs, pixels, Activation.Identity, random));
        if (!pixelMeans.IsEmpty)
            for (int i = 0; i < pixels; i++)
            {
                double p = Math.Clamp(pixelMeans[i], 1e-3, 1 - 1e-3);
                decoder[^1].Bias[i] = Math.Log(p / (1 - p)); // start the decoder at the data's marginals
            }
        Decoder = new DenseStack(decoder, learningRate);
        PriorLogits = new double[space.Binary ? space.Variables : space.FullSize];
        PriorGradient = new double[PriorLogits.Length];
        _priorAdam = new Adam(PriorLogits.Length, learningRate);
    }

    /// <summary>The full prior logits (Bernoulli: (0, a_j)).</summary>
    public double[] FullPriorLogits()
    {
        var full = new double[Space.FullSize];
        Space.Expand(PriorLogits, full);
        return full;
    }

    /// <summary>
    /// Fills every gradient (encoder, decoder, prior; summed over the batch) from one estimate per data point and
    /// returns the batch's mean f at the estimator's samples.
    /// </summary>
    public double ComputeGradient(double[] x, int batch, IDiscreteGradientEstimator estimator, RandomSource random)
    {
        Encoder.ZeroGradient();
        Decoder.ZeroGradient();
        estimator.BeginBatch();
        var fullPriorGradient = new double[Space.FullSize];
        var logits = Encoder.Forward(x, batch);
        var dLogits = new double[logits.Length];
        var prior = FullPriorLogits();
        var full = new double[Space.FullSize];
        int configurations = estimator.Configurations;
        var y = new double[configurations * Space.FullSize];
        var dFull = new double[Space.FullSize];
        var objective = new ElboObjective(Space, Decoder.Layers);
        int E = Space.EncoderOutputs;
        double total = 0;
        for (int r = 0; r < batch; r++)
        {
            Space.Expand(logits.AsSpan(r * E, E), full);
            objective.Set(x.AsSpan(r * Pixels, Pixels), prior, full);
            total += estimator.Estimate(objective, full, random, y, dFull);
            for (int c = 0; c < configurations; c++)
                objective.AccumulateModelGradient(y.AsSpan(c * Space.FullSize, Space.FullSize), fullPriorGradient, 1.0 / configurations);
            Space.Contract(dFull, dLogits.AsSpan(r * E, E));
        }
        Encoder.Backward(dLogits);
        if (Space.Binary) Space.Contract(fullPriorGradient, PriorGradient);
        else fullPriorGradient.CopyTo(PriorGradient, 0);
        return total / batch;
    }

    /// <summary>One training step on a batch: gradient, then Adam on the mean over the batch. Returns the mean f.</summary>
    public double TrainStep(double[] x, int batch, IDiscreteGradientEstimator estimator, RandomSource random)
    {
        double mean = ComputeGradient(x, batch, estimator, random);
        Encoder.Ascend(1.0 / batch);
        Decoder.Ascend(1.0 / batch);
        var negated = PriorGradient.Select(g => -g / batch).ToArray();
        _priorAdam.Step(PriorLogits, negated);
        estimator.EndBatch(mean);
        return mean;
    }

    /// <summary>
    /// Per data point: the ELBO estimated with <paramref name="samples"/> draws from q, and the importance-sampling
    /// estimate of log p(x) = log mean_s exp(f(z_s)), z_s ~ q (the paper's test log-likelihood uses 200 samples).
    /// Returns the means over the rows.
    /// </summary>
    public (double Elbo, double LogLikelihood) Evaluate(double[] x, int rows, int samples, RandomSource random)
    {
        var logits = Encoder.Forward(x, rows);
        var prior = FullPriorLogits();
        var full = new double[Space.FullSize];
        var state = new int[Space.Variables];
        var values = new double[samples];
        var objective = new ElboObjective(Space, Decoder.Layers);
        int E = Space.EncoderOutputs;
        double elbo = 0, ll = 0;
        for (int r = 0; r < rows; r++)
        {
            Space.Expand(logits.AsSpan(r * E, E), full);
            objective.Set(x.AsSpan(r * Pixels, Pixels), prior, full);
            for (int s = 0; s < samples; s++)
            {
                objective.Draw(random, state);
                values[s] = objective.Value(state);
            }
            elbo += values.Average();
            ll += Kernels.LogSumExp(values) - Math.Log(samples);
        }
        return (elbo / rows, ll / rows);
    }
}
