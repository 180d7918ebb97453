namespace SeriesCompiler.Runtime.Training;

/// <summary>
/// Adam (Kingma and Ba, 2014), descending: theta -= lr * m_hat / (sqrt(v_hat) + eps). One instance per parameter vector;
/// training loops call <see cref="Step"/> with each gradient estimate, and REBAR/RELAX tune their control variate with it.
/// </summary>
public sealed class Adam(int dimension, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
{
    private readonly double[] _m = new double[dimension];
    private readonly double[] _v = new double[dimension];
    private int _step;

    public void Step(Span<double> parameters, ReadOnlySpan<double> gradient)
    {
        _step++;
        double c1 = 1 - Math.Pow(beta1, _step), c2 = 1 - Math.Pow(beta2, _step); // bias corrections of the zero-started moments
        for (int i = 0; i < parameters.Length; i++)
        {
            _m[i] = beta1 * _m[i] + (1 - beta1) * gradient[i];
            _v[i] = beta2 * _v[i] + (1 - beta2) * gradient[i] * gradient[i];
            parameters[i] -= learningRate * (_m[i] / c1) / (Math.Sqrt(_v[i] / c2) + epsilon);
        }
    }
}
