using SeriesCompiler.Runtime.Sampling;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.InteropServices;
using SeriesCompiler.Runtime.Training;

namespace SeriesCompiler.Experiments.Discrete;

/// <summary>Element-wise activations and their backward passes on row-major batches (rows = examples).</summary>
public enum Activation { Identity, Sigmoid, Tanh, Softmax }

/// <summary>
/// Small row-major kernels: y += a x (vectorised with <see cref="Vector{T}"/>), dot products, and the numerically
/// safe scalar functions the discrete models need. Hand-written loops: on this machine they beat MathNet.Numerics'
/// managed provider for the 784x200, batch-100 products these models use (see the report in DenseBenchmark).
/// </summary>
public static class Kernels
{
    public static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var va = new Vector<double>(a);
            var xs = MemoryMarshal.Cast<double, Vector<double>>(x);
            var ys = MemoryMarshal.Cast<double, Vector<double>>(y);
            for (int k = 0; k < xs.Length; k++) ys[k] += va * xs[k];
            i = xs.Length * Vector<double>.Count;
        }
        for (; i < x.Length; i++) y[i] += a * x[i];
    }

    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int i = 0;
        double s = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var acc = Vector<double>.Zero;
            var xs = MemoryMarshal.Cast<double, Vector<double>>(x);
            var ys = MemoryMarshal.Cast<double, Vector<double>>(y[..x.Length]);
            for (int k = 0; k < xs.Length; k++) acc += xs[k] * ys[k];
            s = Vector.Sum(acc);
            i = xs.Length * Vector<double>.Count;
        }
        for (; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }

    public static double Sigmoid(double s) => s >= 0 ? 1 / (1 + Math.Exp(-s)) : Math.Exp(s) / (1 + Math.Exp(s));

    /// <summary>log(1 + e^s) without overflow.</summary>
    public static double Softplus(double s) => s > 0 ? s + Math.Log(1 + Math.Exp(-s)) : Math.Log(1 + Math.Exp(s));

    /// <summary>sum_i x_i s_i - softplus(s_i): the Bernoulli log-likelihood of binary x under logits s.</summary>
    public static double BernoulliLogLikelihood(ReadOnlySpan<double> x, ReadOnlySpan<double> s) => BernoulliLogLikelihoodShifted(x, s, s, 0);

    /// <summary>
    /// The same log-likelihood at s + sign delta, without forming it. The discrete rules spend most of their time here
    /// (one call per flipped unit, one softplus per pixel), so four lanes at a time: softplus(t) = max(t, 0) +
    /// log(1 + exp(-|t|)), which neither overflows nor needs a branch.
    /// </summary>
    public static double BernoulliLogLikelihoodShifted(ReadOnlySpan<double> x, ReadOnlySpan<double> s, ReadOnlySpan<double> delta, double sign)
    {
        double total = 0;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && s.Length >= Vector256<double>.Count)
        {
            var sum = Vector256<double>.Zero;
            var signs = Vector256.Create(sign);
            for (; i <= s.Length - Vector256<double>.Count; i += Vector256<double>.Count)
            {
                var t = Vector256.Create(s.Slice(i, Vector256<double>.Count)) + signs * Vector256.Create(delta.Slice(i, Vector256<double>.Count));
                var softplus = Vector256.Max(t, Vector256<double>.Zero) + Vector256.Log(Vector256<double>.One + Vector256.Exp(-Vector256.Abs(t)));
                sum += Vector256.Create(x.Slice(i, Vector256<double>.Count)) * t - softplus;
            }
            total = Vector256.Sum(sum);
        }
        for (; i < s.Length; i++)
        {
            double t = s[i] + sign * delta[i];
            total += x[i] * t - Softplus(t);
        }
        return total;
    }

    /// <summary>Log-softmax of each group of k consecutive entries.</summary>
    public static void LogSoftmaxGroups(ReadOnlySpan<double> logits, int k, Span<double> result)
    {
        for (int g = 0; g < logits.Length; g += k)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < k; j++) max = Math.Max(max, logits[g + j]);
            double sum = 0;
            for (int j = 0; j < k; j++) sum += Math.Exp(logits[g + j] - max);
            double log = max + Math.Log(sum);
            for (int j = 0; j < k; j++) result[g + j] = logits[g + j] - log;
        }
    }

    public static double LogSumExp(ReadOnlySpan<double> values)
    {
        double max = double.NegativeInfinity;
        foreach (var v in values) max = Math.Max(max, v);
        if (double.IsNegativeInfinity(max)) return max;
        double sum = 0;
        foreach (var v in values) sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }
}

/// <summary>
/// A dense layer y = act(x W + b) on row-major mini-batches: W is In x Out row-major, so row m of W is the effect
/// of input m on every output (the rank-one update of the discrete rules adds or removes such rows). Parameters
/// and gradients live in one flat array each (W then b), ready for <see cref="Adam"/>.
/// </summary>
public sealed class DenseLayer
{
    public int In { get; }
    public int Out { get; }
    public Activation Activation { get; }
    public double[] Parameters { get; }
    public double[] Gradient { get; }

    /// <summary>Whether <see cref="Backward"/> computes d/d input (not needed for a network's first layer).</summary>
    public bool NeedsInputGradient { get; set; } = true;

    private double[] _input = [];
    private double[] _output = [];
    private int _batch;

    public DenseLayer(int inputs, int outputs, Activation activation, RandomSource random, double scale = 1.0)
    {
        In = inputs; Out = outputs; Activation = activation;
        Parameters = new double[inputs * outputs + outputs];
        Gradient = new double[Parameters.Length];
        double limit = scale * Math.Sqrt(6.0 / (inputs + outputs)); // Glorot uniform
        for (int i = 0; i < inputs * outputs; i++) Parameters[i] = random.Uniform(-limit, limit);
    }

    public Span<double> Weights => Parameters.AsSpan(0, In * Out);
    public Span<double> Bias => Parameters.AsSpan(In * Out, Out);
    public ReadOnlySpan<double> Row(int input) => Parameters.AsSpan(input * Out, Out);

    /// <summary>Forward pass on a batch of rows; keeps the input and output for <see cref="Backward"/>.</summary>
    public double[] Forward(double[] input, int batch)
    {
        _batch = batch;
        _input = input;
        var y = new double[batch * Out];
        var w = Parameters.AsSpan(0, In * Out);
        var b = Bias;
        for (int r = 0; r < batch; r++)
        {
            var yr = y.AsSpan(r * Out, Out);
            b.CopyTo(yr);
            var xr = input.AsSpan(r * In, In);
            for (int k = 0; k < In; k++)
                if (xr[k] != 0) Kernels.Axpy(xr[k], w.Slice(k * Out, Out), yr); // one-hot and binary inputs are sparse
            Activate(yr);
        }
        _output = y;
        return y;
    }

    private void Activate(Span<double> y)
    {
        switch (Activation)
        {
            case Activation.Sigmoid: for (int i = 0; i < y.Length; i++) y[i] = Kernels.Sigmoid(y[i]); break;
            case Activation.Tanh: for (int i = 0; i < y.Length; i++) y[i] = Math.Tanh(y[i]); break;
            case Activation.Softmax:
                double max = double.NegativeInfinity;
                foreach (var v in y) max = Math.Max(max, v);
                double sum = 0;
                for (int i = 0; i < y.Length; i++) sum += y[i] = Math.Exp(y[i] - max);
                for (int i = 0; i < y.Length; i++) y[i] /= sum;
                break;
        }
    }

    /// <summary>
    /// Given d objective / d output for the last forward batch, adds d objective / d parameters into
    /// <see cref="Gradient"/> and returns d objective / d input.
    /// </summary>
    public double[] Backward(double[] dOutput)
    {
        var dx = new double[_batch * In];
        var dz = new double[Out];
        var w = Parameters.AsSpan(0, In * Out);
        var gw = Gradient.AsSpan(0, In * Out);
        var gb = Gradient.AsSpan(In * Out, Out);
        for (int r = 0; r < _batch; r++)
        {
            var y = _output.AsSpan(r * Out, Out);
            var dy = dOutput.AsSpan(r * Out, Out);
            switch (Activation)
            {
                case Activation.Identity: dy.CopyTo(dz); break;
                case Activation.Sigmoid: for (int i = 0; i < Out; i++) dz[i] = dy[i] * y[i] * (1 - y[i]); break;
                case Activation.Tanh: for (int i = 0; i < Out; i++) dz[i] = dy[i] * (1 - y[i] * y[i]); break;
                case Activation.Softmax:
                    double dot = Kernels.Dot(dy, y);
                    for (int i = 0; i < Out; i++) dz[i] = y[i] * (dy[i] - dot);
                    break;
            }
            Kernels.Axpy(1, dz, gb);
            var xr = _input.AsSpan(r * In, In);
            var dxr = dx.AsSpan(r * In, In);
            for (int k = 0; k < In; k++)
            {
                if (xr[k] != 0) Kernels.Axpy(xr[k], dz, gw.Slice(k * Out, Out));
                if (NeedsInputGradient) dxr[k] = Kernels.Dot(dz, w.Slice(k * Out, Out));
            }
        }
        return dx;
    }

    /// <summary>
    /// For an identity layer evaluated elsewhere at <paramref name="input"/> (rows x In): adds d objective / d
    /// parameters for d objective / d output <paramref name="dOutput"/> into <see cref="Gradient"/>, the arithmetic of
    /// <see cref="Backward"/> without d/d input.
    /// </summary>
    public void AccumulateGradient(ReadOnlySpan<double> input, int batch, ReadOnlySpan<double> dOutput)
    {
        if (Activation != Activation.Identity) throw new InvalidOperationException("AccumulateGradient is for identity layers (their output's gradient is the pre-activation's)");
        var gw = Gradient.AsSpan(0, In * Out);
        var gb = Gradient.AsSpan(In * Out, Out);
        for (int r = 0; r < batch; r++)
        {
            var dz = dOutput.Slice(r * Out, Out);
            Kernels.Axpy(1, dz, gb);
            var xr = input.Slice(r * In, In);
            for (int k = 0; k < In; k++)
                if (xr[k] != 0) Kernels.Axpy(xr[k], dz, gw.Slice(k * Out, Out));
        }
    }
}

/// <summary>A stack of dense layers with one Adam per layer (ascending the objective: Adam is fed the negated gradient).</summary>
public sealed class DenseStack
{
    public IReadOnlyList<DenseLayer> Layers { get; }
    private readonly Adam[] _adams;

    public DenseStack(IReadOnlyList<DenseLayer> layers, double learningRate)
    {
        Layers = layers;
        _adams = layers.Select(l => new Adam(l.Parameters.Length, learningRate)).ToArray();
    }

    public int Outputs => Layers[^1].Out;

    public double[] Forward(double[] x, int batch)
    {
        foreach (var layer in Layers) x = layer.Forward(x, batch);
        return x;
    }

    public void Backward(double[] dOutput)
    {
        for (int i = Layers.Count - 1; i >= 0; i--) dOutput = Layers[i].Backward(dOutput);
    }

    public void ZeroGradient()
    {
        foreach (var layer in Layers) Array.Clear(layer.Gradient);
    }

    /// <summary>One Adam step up the objective whose gradient was accumulated, scaled by <paramref name="scale"/>.</summary>
    public void Ascend(double scale)
    {
        for (int i = 0; i < Layers.Count; i++)
        {
            var g = Layers[i].Gradient;
            var negated = new double[g.Length];
            for (int k = 0; k < g.Length; k++) negated[k] = -scale * g[k];
            _adams[i].Step(Layers[i].Parameters, negated);
        }
    }

    /// <summary>All gradients, flattened (for variance measurements).</summary>
    public double[] FlatGradient() => Layers.SelectMany(l => l.Gradient).ToArray();
}
