using SeriesCompiler.Runtime.Differentiation;
using SeriesCompiler.Runtime.Sampling;
using SeriesCompiler.Runtime.Special;
using SeriesCompiler.Runtime.Statistics;
using Xunit;

namespace SeriesCompiler.Runtime.Tests;

/// <summary>The hot paths allocate nothing on the GC heap once warmed up.</summary>
public sealed class AllocationTests
{
    private readonly struct Model : IJetFunction
    {
        public Jet Evaluate(ReadOnlySpan<Jet> z) => Jet.LogSigmoid(z[0] * z[1]) + Jet.LogGamma(z[2] + 1) * Jet.Exp(-z[0]);
    }

    private static readonly Func<Jet, Jet> Scalar = x => Jet.Exp(2 * x) * Jet.Sin(x) / Jet.Sqrt(1 + x * x) + Jet.Softplus(x);

    private sealed class Buffers
    {
        public readonly RandomSource Rng = new(1);
        public readonly Welford Accumulator = new(3);
        public readonly double[] D = new double[9], Pure = new double[27], Z = new double[3], H = new double[9], Psi = new double[9];
        public readonly int[] Alpha = [1, 1, 1];
        public readonly double[] Weights = [0.2, 0.8];
    }

    private static void Work(Buffers b)
    {
        var z = b.Z;
        for (int i = 0; i < 200; i++)
        {
            z[0] = b.Rng.Normal();
            z[1] = b.Rng.Gamma(0.7);
            z[2] = b.Rng.Beta(2, 3) + b.Rng.Poisson(15) + b.Rng.Laplace(1) * 0 + b.Rng.Categorical(b.Weights) * 0;
            Derivatives.OfScalar(Scalar, z[0], 8, b.D);
            Derivatives.PurePartials(new Model(), z, 8, b.Pure);
            Derivatives.Hessian(new Model(), z, b.H);
            _ = Derivatives.MixedPartial(new Model(), z, b.Alpha);
            SpecialFunctions.Polygammas(z[1] + 0.5, b.Psi);
            _ = SpecialFunctions.IncompleteGammaPShapeDerivative(1.5, z[1]);
            b.Accumulator.Add(b.Pure.AsSpan(0, 3));
        }
    }

    [Fact]
    public void Per_sample_work_does_not_allocate()
    {
        var buffers = new Buffers();
        Work(buffers); // warm-up: sizes the thread-local arenas, JIT-compiles
        long before = GC.GetAllocatedBytesForCurrentThread();
        Work(buffers);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }
}
