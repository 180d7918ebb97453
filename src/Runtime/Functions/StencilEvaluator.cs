using SeriesCompiler.Runtime.Differentiation;

namespace SeriesCompiler.Runtime.Functions;

/// <summary>
/// Finite-difference partials of a black box <c>f(z)</c>: pure partials along each axis by
/// <see cref="Derivatives.FromStencil"/>, mixed partials by the tensor product of the central stencils of each
/// axis, <c>d^n f ~ sum_i prod_j w^{(n_j)}_{i_j} f(z + sum_j (i_j - r_j) h_j e_j) / prod_j h_j^{n_j}</c>.
/// Keeps a point buffer and a cached delegate, so evaluation allocates nothing once sized. Not thread-safe.
/// </summary>
internal sealed class StencilEvaluator
{
    private const int Accuracy = 4;

    private readonly VectorFunction _f;
    private readonly Func<double, double> _alongAxis;
    private double[] _point = [];
    private int _length, _axis;

    public StencilEvaluator(VectorFunction f)
    {
        _f = f;
        _alongAxis = AlongAxis;
    }

    private double AlongAxis(double x)
    {
        _point[_axis] = x;
        return _f(_point.AsSpan(0, _length));
    }

    private void Load(ReadOnlySpan<double> z)
    {
        if (_point.Length < z.Length) _point = new double[z.Length];
        _length = z.Length;
        z.CopyTo(_point);
    }

    /// <summary><c>result[j*(order+1) + k] ~ d^k f / dz_j^k</c>.</summary>
    public void PurePartials(ReadOnlySpan<double> z, int order, Span<double> result)
    {
        Load(z);
        int stride = order + 1;
        for (int j = 0; j < z.Length; j++)
        {
            _axis = j;
            Derivatives.FromStencil(_alongAxis, z[j], order, result.Slice(j * stride, stride));
            _point[j] = z[j];
        }
    }

    /// <summary><c>d^n f / dz^n</c> for a multi-index over all of z.</summary>
    public double Partial(ReadOnlySpan<double> z, ReadOnlySpan<int> multiIndex)
    {
        int axes = 0, total = 0, single = -1;
        for (int j = 0; j < multiIndex.Length; j++)
        {
            if (multiIndex[j] == 0) continue;
            axes++;
            total += multiIndex[j];
            single = j;
        }
        Load(z);
        if (axes == 0) return _f(z);
        if (axes == 1)
        {
            int n = multiIndex[single];
            Span<double> d = stackalloc double[n + 1];
            _axis = single;
            Derivatives.FromStencil(_alongAxis, z[single], n, d);
            return d[n];
        }

        // Per involved axis: its index, half-width, step and weights (concatenated).
        Span<int> axis = stackalloc int[axes];
        Span<int> half = stackalloc int[axes];
        Span<int> offset = stackalloc int[axes];
        Span<double> step = stackalloc double[axes];
        int weightCount = 0;
        for (int j = 0, a = 0; j < multiIndex.Length; j++)
        {
            if (multiIndex[j] == 0) continue;
            axis[a] = j;
            half[a] = FiniteDifference.CentralHalfWidth(multiIndex[j], Accuracy);
            offset[a] = weightCount;
            weightCount += 2 * half[a] + 1;
            // The rounding error of the whole stencil grows like eps / h^total: size every axis for the total order.
            double h = FiniteDifference.DefaultStep(total, Accuracy, z[j]);
            step[a] = (z[j] + h) - z[j];
            a++;
        }
        Span<double> weights = stackalloc double[weightCount];
        for (int a = 0; a < axes; a++)
            FiniteDifference.CentralWeights(multiIndex[axis[a]], Accuracy, weights.Slice(offset[a], 2 * half[a] + 1));

        Span<int> i = stackalloc int[axes];
        i.Clear();
        double sum = 0;
        while (true)
        {
            double w = 1;
            for (int a = 0; a < axes && w != 0; a++) w *= weights[offset[a] + i[a]];
            if (w != 0)
            {
                for (int a = 0; a < axes; a++) _point[axis[a]] = z[axis[a]] + (i[a] - half[a]) * step[a];
                sum += w * _f(_point.AsSpan(0, _length));
            }
            int t = 0;
            while (t < axes && ++i[t] > 2 * half[t]) i[t++] = 0;
            if (t == axes) break;
        }
        double scale = 1;
        for (int a = 0; a < axes; a++) scale *= Math.Pow(step[a], multiIndex[axis[a]]);
        return sum / scale;
    }
}
