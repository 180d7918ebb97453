namespace SeriesCompiler.Runtime.Differentiation;

/// <summary>
/// Derivatives of user functions written once over <see cref="Jet"/>s: scalar derivatives,
/// directional derivatives, pure and mixed partials (by univariate Taylor propagation along
/// chosen directions), a ridge-function fast path, and a finite-difference fallback
/// (<see cref="FromStencil"/>) for functions that cannot take jets.
/// </summary>
/// <remarks>
/// The helpers use one thread-local <see cref="JetArena"/> per order, released after each call:
/// after the first call on a thread (which sizes the arena) nothing is allocated. Results are
/// derivatives <c>f^(k)</c>, not normalized coefficients, unless the name says Taylor.
/// </remarks>
public static partial class Derivatives
{
    [ThreadStatic] private static JetArena?[]? t_arenas;

    /// <summary>The calling thread's arena of the given order (created on first use).</summary>
    public static JetArena ArenaFor(int order)
    {
        if ((uint)order > TaylorSeries.MaxOrder)
            throw new ArgumentOutOfRangeException(nameof(order), order, $"Order must be in 0..{TaylorSeries.MaxOrder}.");
        var arenas = t_arenas ??= new JetArena?[TaylorSeries.MaxOrder + 1];
        return arenas[order] ??= new JetArena(order);
    }

    // ------------------------------------------------------------------ one variable

    /// <summary><c>result[k] = f^(k)(z)</c> for <c>k = 0..n</c> (one jet of order n).</summary>
    /// <example><c>Derivatives.OfScalar(x =&gt; Jet.Exp(2 * x), 0.5, 4, buffer)</c> gives <c>2^k e</c>.</example>
    public static void OfScalar(Func<Jet, Jet> f, double z, int n, Span<double> result)
    {
        TaylorOfScalar(f, z, n, result);
        TaylorSeries.ToDerivatives(result[..(n + 1)], result[..(n + 1)]);
    }

    /// <summary><c>coefficients[k] = f^(k)(z) / k!</c> for <c>k = 0..n</c>.</summary>
    public static void TaylorOfScalar(Func<Jet, Jet> f, double z, int n, Span<double> coefficients)
    {
        ArgumentNullException.ThrowIfNull(f);
        CheckOrder(n);
        CheckLength(coefficients, n + 1, nameof(coefficients));
        var arena = ArenaFor(n);
        var mark = arena.Mark();
        try
        {
            var y = f(arena.Variable(z));
            CheckOwned(y, arena);
            y.Coefficients.CopyTo(coefficients);
        }
        finally
        {
            arena.Release(mark);
        }
    }

    // ------------------------------------------------------------------ several variables

    /// <summary>
    /// Directional derivatives <c>result[k] = D_v^k f(z) = d^k/dt^k f(z + t v)</c> at t = 0, for
    /// <c>k = 0..n</c>: one jet evaluation with inputs <c>z_i + v_i t</c>.
    /// </summary>
    public static void Directional<TF>(TF f, ReadOnlySpan<double> z, ReadOnlySpan<double> direction, int n, Span<double> result)
        where TF : IJetFunction
    {
        CheckOrder(n);
        CheckLength(result, n + 1, nameof(result));
        DirectionalTaylor(ref f, ArenaFor(n), z, direction, result[..(n + 1)]);
        TaylorSeries.ToDerivatives(result[..(n + 1)], result[..(n + 1)]);
    }

    /// <inheritdoc cref="Directional{TF}"/>
    public static void Directional(JetFunction f, ReadOnlySpan<double> z, ReadOnlySpan<double> direction, int n, Span<double> result) =>
        Directional(new DelegateJetFunction(f), z, direction, n, result);

    /// <summary>
    /// Pure partials along every coordinate: <c>result[j*(n+1) + k] = d^k f / dz_j^k</c> for
    /// <c>j = 0..d-1</c>, <c>k = 0..n</c>, by one jet per coordinate seeded along <c>e_j</c>.
    /// Cost: d evaluations of f at O(N^2) per operation.
    /// </summary>
    public static void PurePartials<TF>(TF f, ReadOnlySpan<double> z, int n, Span<double> result)
        where TF : IJetFunction
    {
        CheckOrder(n);
        int dim = z.Length, stride = n + 1;
        CheckLength(result, dim * stride, nameof(result));
        CheckStack(dim);
        var arena = ArenaFor(n);
        Span<double> e = stackalloc double[dim];
        e.Clear();
        for (int j = 0; j < dim; j++)
        {
            e[j] = 1;
            var r = result.Slice(j * stride, stride);
            DirectionalTaylor(ref f, arena, z, e, r);
            TaylorSeries.ToDerivatives(r, r);
            e[j] = 0;
        }
    }

    /// <inheritdoc cref="PurePartials{TF}"/>
    public static void PurePartials(JetFunction f, ReadOnlySpan<double> z, int n, Span<double> result) =>
        PurePartials(new DelegateJetFunction(f), z, n, result);

    /// <summary>
    /// Mixed second partial <c>d^2 f / dz_i dz_j</c> by polarisation of directional second
    /// derivatives: <c>D^2_{e_i+e_j} f - D^2_{e_i-e_j} f = 4 f_ij</c> (the <c>f_ii</c>, <c>f_jj</c>
    /// terms cancel), so two order-2 jets suffice. For <c>i = j</c>, the pure second partial.
    /// </summary>
    public static double MixedSecond<TF>(TF f, ReadOnlySpan<double> z, int i, int j)
        where TF : IJetFunction
    {
        int dim = z.Length;
        if ((uint)i >= (uint)dim) throw new ArgumentOutOfRangeException(nameof(i));
        if ((uint)j >= (uint)dim) throw new ArgumentOutOfRangeException(nameof(j));
        CheckStack(dim);
        var arena = ArenaFor(2);
        Span<double> v = stackalloc double[dim];
        Span<double> c = stackalloc double[3];
        v.Clear();
        if (i == j)
        {
            v[i] = 1;
            DirectionalTaylor(ref f, arena, z, v, c);
            return 2 * c[2]; // f_ii = 2! c_2
        }
        v[i] = 1;
        v[j] = 1;
        DirectionalTaylor(ref f, arena, z, v, c);
        double plus = c[2];
        v[j] = -1;
        DirectionalTaylor(ref f, arena, z, v, c);
        // (2 c_2(+) - 2 c_2(-)) / 4
        return 0.5 * (plus - c[2]);
    }

    /// <inheritdoc cref="MixedSecond{TF}"/>
    public static double MixedSecond(JetFunction f, ReadOnlySpan<double> z, int i, int j) =>
        MixedSecond(new DelegateJetFunction(f), z, i, j);

    /// <summary>
    /// Full Hessian, row-major <c>hessian[i*d + j]</c>: d jets along <c>e_i</c> for the diagonal,
    /// then one jet along <c>e_i + e_j</c> per pair, with
    /// <c>f_ij = (D^2_{e_i+e_j} f - f_ii - f_jj) / 2</c>: d(d+1)/2 order-2 jets in all.
    /// </summary>
    public static void Hessian<TF>(TF f, ReadOnlySpan<double> z, Span<double> hessian)
        where TF : IJetFunction
    {
        int dim = z.Length;
        CheckLength(hessian, dim * dim, nameof(hessian));
        CheckStack(dim);
        var arena = ArenaFor(2);
        Span<double> v = stackalloc double[dim];
        Span<double> c = stackalloc double[3];
        v.Clear();
        for (int i = 0; i < dim; i++)
        {
            v[i] = 1;
            DirectionalTaylor(ref f, arena, z, v, c);
            hessian[i * dim + i] = 2 * c[2];
            v[i] = 0;
        }
        for (int i = 0; i < dim; i++)
        {
            for (int j = i + 1; j < dim; j++)
            {
                v[i] = 1;
                v[j] = 1;
                DirectionalTaylor(ref f, arena, z, v, c);
                double fij = 0.5 * (2 * c[2] - hessian[i * dim + i] - hessian[j * dim + j]);
                hessian[i * dim + j] = fij;
                hessian[j * dim + i] = fij;
                v[i] = 0;
                v[j] = 0;
            }
        }
    }

    /// <inheritdoc cref="Hessian{TF}"/>
    public static void Hessian(JetFunction f, ReadOnlySpan<double> z, Span<double> hessian) =>
        Hessian(new DelegateJetFunction(f), z, hessian);

    /// <summary>
    /// Ridge-function fast path for <c>f(z) = g(a . z)</c>: one jet of g at <c>s = a . z</c> gives
    /// every pure partial, <c>d^k f / dz_j^k = a_j^k g^(k)(s)</c> (chain rule with a linear inner
    /// map). <c>result[j*(n+1) + k]</c>, as in <see cref="PurePartials{TF}"/>, at the cost of one
    /// evaluation of g instead of d.
    /// </summary>
    public static void Ridge(Func<Jet, Jet> g, ReadOnlySpan<double> a, ReadOnlySpan<double> z, int n, Span<double> result)
    {
        if (a.Length != z.Length) throw new ArgumentException("Weights and point differ in length.", nameof(a));
        CheckOrder(n);
        int dim = z.Length, stride = n + 1;
        CheckLength(result, dim * stride, nameof(result));
        double s = 0;
        for (int j = 0; j < dim; j++) s += a[j] * z[j];
        Span<double> gk = stackalloc double[stride];
        OfScalar(g, s, n, gk);
        for (int j = 0; j < dim; j++)
        {
            double power = 1; // a_j^k
            for (int k = 0; k <= n; k++)
            {
                result[j * stride + k] = power * gk[k];
                power *= a[j];
            }
        }
    }

    // ------------------------------------------------------------------ plumbing

    // coefficients[k] = D_v^k f(z) / k!, one evaluation of f in the given arena.
    internal static void DirectionalTaylor<TF>(ref TF f, JetArena arena, ReadOnlySpan<double> z, ReadOnlySpan<double> direction, Span<double> coefficients)
        where TF : IJetFunction
    {
        var mark = arena.Mark();
        try
        {
            var y = f.Evaluate(arena.Variables(z, direction));
            CheckOwned(y, arena);
            y.Coefficients[..coefficients.Length].CopyTo(coefficients);
        }
        finally
        {
            arena.Release(mark);
        }
    }

    private static void CheckOwned(Jet y, JetArena arena)
    {
        if (!ReferenceEquals(y.Arena, arena))
            throw new InvalidOperationException("The function returned a jet that is not built from its inputs (create constants with x.Const(c)).");
    }

    private static void CheckOrder(int n)
    {
        if ((uint)n > TaylorSeries.MaxOrder)
            throw new ArgumentOutOfRangeException(nameof(n), n, $"Derivative order must be in 0..{TaylorSeries.MaxOrder}.");
    }

    private static void CheckLength(Span<double> span, int needed, string name)
    {
        if (span.Length < needed) throw new ArgumentException($"Needs at least {needed} elements, got {span.Length}.", name);
    }

    // Direction vectors live on the stack; keep them small.
    private static void CheckStack(int dim)
    {
        if (dim > 4096) throw new ArgumentOutOfRangeException(nameof(dim), dim, "At most 4096 variables.");
    }
}
