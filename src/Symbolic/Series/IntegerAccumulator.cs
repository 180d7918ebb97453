using System.Numerics;
using System.Runtime.InteropServices;
using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Symbolic.Series;

/// <summary>
/// The integer coefficients of a <see cref="Poly"/> as magnitudes in 64-bit limbs, read once per polynomial: the
/// operands of <see cref="IntegerAccumulator"/>. Exponentially scaled recurrences (n! c_n) keep their coefficients in Z,
/// so the inner sums of a log or power need no rational arithmetic and no allocation per term.
/// </summary>
internal sealed class IntegerTerms
{
    public Monomial[] Monomials { get; }
    /// <summary>Magnitudes, <see cref="Stride"/> limbs per term, least significant first.</summary>
    public ulong[] Limbs { get; }
    public int Stride { get; }
    /// <summary>Limbs in use per term (the rest are zero).</summary>
    public int[] Lengths { get; }
    public bool[] Negative { get; }
    /// <summary>The largest magnitude's bit length.</summary>
    public long MaxBits { get; }

    private IntegerTerms(Monomial[] monomials, ulong[] limbs, int stride, int[] lengths, bool[] negative, long maxBits)
    {
        Monomials = monomials;
        Limbs = limbs;
        Stride = stride;
        Lengths = lengths;
        Negative = negative;
        MaxBits = maxBits;
    }

    public int Count => Monomials.Length;

    public ReadOnlySpan<ulong> Magnitude(int i) => Limbs.AsSpan(i * Stride, Lengths[i]);

    /// <summary>The terms in limbs, or null when some coefficient is not a real integer (the rational path decides then).</summary>
    public static IntegerTerms? Of(Dictionary<Monomial, GaussianRational> terms)
    {
        long maxBits = 0;
        foreach (var c in terms.Values)
        {
            if (!c.Im.IsZero || !c.Re.IsInteger) return null;
            maxBits = Math.Max(maxBits, (long)BigInteger.Abs(c.Re.Numerator).GetBitLength());
        }
        int stride = Math.Max(1, (int)((maxBits + 63) / 64));
        var monomials = new Monomial[terms.Count];
        var limbs = new ulong[terms.Count * stride];
        var lengths = new int[terms.Count];
        var negative = new bool[terms.Count];
        int i = 0;
        foreach (var (m, c) in terms)
        {
            monomials[i] = m;
            negative[i] = c.Re.Sign < 0;
            lengths[i] = Write(c.Re.Numerator, limbs.AsSpan(i * stride, stride));
            i++;
        }
        return new IntegerTerms(monomials, limbs, stride, lengths, negative, maxBits);
    }

    /// <summary>|v| into <paramref name="destination"/> (zeroed, long enough), little-endian limbs; returns the limbs used.</summary>
    public static int Write(BigInteger v, Span<ulong> destination)
    {
        var magnitude = BigInteger.Abs(v);
        magnitude.TryWriteBytes(MemoryMarshal.AsBytes(destination), out int written, isUnsigned: true, isBigEndian: false);
        return (written + 7) / 8;
    }
}

/// <summary>
/// Sums of integer products per monomial, in fixed-width two's-complement integers (one slot of <c>width</c> limbs per
/// monomial, all in one array). The width is chosen by the caller from a bound on the result (the largest product's bits
/// plus the bits of the number of products), so no slot can overflow and the sums are exact.
/// </summary>
internal sealed class IntegerAccumulator
{
    private readonly Dictionary<Monomial, int> _slots = new();
    private readonly List<Monomial> _monomials = new();
    private ulong[] _limbs;
    private readonly int _width;

    public IntegerAccumulator(int width, int capacity)
    {
        _width = width;
        _limbs = new ulong[Math.Max(1, capacity) * width];
    }

    public int Width => _width;
    public int Count => _monomials.Count;
    public Monomial MonomialAt(int slot) => _monomials[slot];

    public int Slot(Monomial m)
    {
        ref int slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_slots, m, out bool exists);
        if (exists) return slot;
        slot = _monomials.Count;
        _monomials.Add(m);
        if ((slot + 1) * _width > _limbs.Length) Array.Resize(ref _limbs, Math.Max(_limbs.Length * 2, (slot + 1) * _width));
        return slot;
    }

    private Span<ulong> At(int slot) => _limbs.AsSpan(slot * _width, _width);

    /// <summary>slot += (-1)^negative * x, x a magnitude of at most <c>width</c> limbs.</summary>
    public void Add(int slot, ReadOnlySpan<ulong> x, bool negative)
    {
        var acc = At(slot);
        if (!negative)
        {
            ulong carry = 0;
            for (int k = 0; k < acc.Length; k++)
            {
                if (k >= x.Length && carry == 0) break;
                var s = (UInt128)acc[k] + (k < x.Length ? x[k] : 0UL) + carry;
                acc[k] = (ulong)s;
                carry = (ulong)(s >> 64);
            }
        }
        else
        {
            ulong borrow = 0;
            for (int k = 0; k < acc.Length; k++)
            {
                if (k >= x.Length && borrow == 0) break;
                var sub = (UInt128)(k < x.Length ? x[k] : 0UL) + borrow;
                borrow = acc[k] < sub ? 1UL : 0UL;
                acc[k] = unchecked(acc[k] - (ulong)sub); // mod 2^64; sub = 2^64 leaves acc[k] and borrows
            }
        }
    }

    /// <summary>slot += (-1)^negative * x * y (magnitudes), the product formed schoolbook on the stack.</summary>
    public void AddProduct(int slot, ReadOnlySpan<ulong> x, ReadOnlySpan<ulong> y, bool negative)
    {
        int n = Math.Min(x.Length + y.Length, _width);
        Span<ulong> product = n <= 64 ? stackalloc ulong[n] : new ulong[n];
        product.Clear();
        for (int i = 0; i < x.Length && i < n; i++)
        {
            ulong carry = 0;
            ulong xi = x[i];
            if (xi == 0) continue;
            for (int j = 0; j < y.Length && i + j < n; j++)
            {
                var t = (UInt128)xi * y[j] + product[i + j] + carry;
                product[i + j] = (ulong)t;
                carry = (ulong)(t >> 64);
            }
            if (i + y.Length < n) product[i + y.Length] = carry;
        }
        Add(slot, product, negative);
    }

    /// <summary>slot += other's slot (both two's complement of the same width).</summary>
    public void AddSlot(int slot, IntegerAccumulator other, int otherSlot)
    {
        var acc = At(slot);
        var x = other.At(otherSlot);
        ulong carry = 0;
        for (int k = 0; k < acc.Length; k++)
        {
            var s = (UInt128)acc[k] + x[k] + carry;
            acc[k] = (ulong)s;
            carry = (ulong)(s >> 64);
        }
    }

    /// <summary>The slot's value (two's complement, little-endian limbs) as an integer.</summary>
    public BigInteger Value(int slot) => new(MemoryMarshal.AsBytes((ReadOnlySpan<ulong>)At(slot)), isUnsigned: false, isBigEndian: false);

    public bool IsZero(int slot)
    {
        foreach (var limb in At(slot)) if (limb != 0) return false;
        return true;
    }
}
