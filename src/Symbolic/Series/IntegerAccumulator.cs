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
    // The magnitudes packed one after another, least significant limb first: term i is _limbs[_offsets[i] ..
    // _offsets[i + 1]], exactly as long as it needs (no top zero limb). A series' coefficients range from one limb to
    // many, and a common stride kept the largest one's length for every term (most of the store was zeros).
    private readonly ulong[] _limbs;
    private readonly int[] _offsets;
    public bool[] Negative { get; }
    /// <summary>The largest magnitude's bit length.</summary>
    public long MaxBits { get; }

    private IntegerTerms(Monomial[] monomials, ulong[] limbs, int[] offsets, bool[] negative, long maxBits)
    {
        Monomials = monomials;
        _limbs = limbs;
        _offsets = offsets;
        Negative = negative;
        MaxBits = maxBits;
    }

    public int Count => Monomials.Length;

    public ReadOnlySpan<ulong> Magnitude(int i) => _limbs.AsSpan(_offsets[i], _offsets[i + 1] - _offsets[i]);

    /// <summary>The terms in limbs, or null when some coefficient is not a real integer (the rational path decides then).</summary>
    public static IntegerTerms? Of(Dictionary<Monomial, GaussianRational> terms)
    {
        long maxBits = 0;
        var offsets = new int[terms.Count + 1];
        int i = 0;
        foreach (var c in terms.Values)
        {
            if (!c.Im.IsZero || !c.Re.IsInteger) return null;
            long bits = (long)BigInteger.Abs(c.Re.Numerator).GetBitLength();
            maxBits = Math.Max(maxBits, bits);
            offsets[i + 1] = offsets[i] + Math.Max(1, (int)((bits + 63) / 64));
            i++;
        }
        var monomials = new Monomial[terms.Count];
        var limbs = new ulong[offsets[^1]];
        var negative = new bool[terms.Count];
        i = 0;
        foreach (var (m, c) in terms)
        {
            monomials[i] = m;
            negative[i] = c.Re.Sign < 0;
            Write(c.Re.Numerator, limbs.AsSpan(offsets[i], offsets[i + 1] - offsets[i]));
            i++;
        }
        return new IntegerTerms(monomials, limbs, offsets, negative, maxBits);
    }

    /// <summary>Integers (none zero) under these monomials, in order.</summary>
    public static IntegerTerms FromValues(Monomial[] monomials, BigInteger[] values)
    {
        long maxBits = 0;
        var offsets = new int[values.Length + 1];
        for (int i = 0; i < values.Length; i++)
        {
            long bits = (long)BigInteger.Abs(values[i]).GetBitLength();
            maxBits = Math.Max(maxBits, bits);
            offsets[i + 1] = offsets[i] + Math.Max(1, (int)((bits + 63) / 64));
        }
        var limbs = new ulong[offsets[^1]];
        var negative = new bool[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            negative[i] = values[i].Sign < 0;
            Write(values[i], limbs.AsSpan(offsets[i], offsets[i + 1] - offsets[i]));
        }
        return new IntegerTerms(monomials, limbs, offsets, negative, maxBits);
    }

    /// <summary>
    /// The non-zero entries of a table of two's-complement integers (<paramref name="width"/> limbs each, least significant
    /// first) with their monomials, in table order: the compact form of a limb computation's result (a sum of products,
    /// a closed form), with no <see cref="BigInteger"/> or dictionary entry per term.
    /// </summary>
    public static IntegerTerms FromTwosComplement(ReadOnlySpan<Monomial> monomials, ReadOnlySpan<ulong> table, int width, ReadOnlySpan<bool> negate = default)
    {
        // negate[i] (when given) takes the i-th entry with the opposite sign: only its sign flag changes.
        // First pass: which entries are non-zero and how many limbs each magnitude needs (exactly: no top zero limb).
        int count = 0, total = 0;
        for (int i = 0; i < monomials.Length; i++)
        {
            var v = table.Slice(i * width, width);
            if (v.IndexOfAnyExcept(0UL) < 0) continue;
            count++;
            total += MagnitudeLength(v);
        }
        var result = new Monomial[count];
        var limbs = new ulong[total];
        var offsets = new int[count + 1];
        var negative = new bool[count];
        long maxBits = 0;
        int j = 0;
        for (int i = 0; i < monomials.Length; i++)
        {
            var v = table.Slice(i * width, width);
            if (v.IndexOfAnyExcept(0UL) < 0) continue;
            int length = MagnitudeLength(v);
            offsets[j + 1] = offsets[j] + length;
            var magnitude = limbs.AsSpan(offsets[j], length);
            bool isNegative = (long)v[^1] < 0;
            // |v| = v for v >= 0, ~v + 1 for v < 0 (its top limbs are the sign's extension and vanish).
            ulong carry = isNegative ? 1UL : 0UL;
            for (int k = 0; k < length; k++)
            {
                ulong x = isNegative ? ~v[k] : v[k];
                ulong s = x + carry;
                carry = s < carry ? 1UL : 0UL;
                magnitude[k] = s;
            }
            result[j] = monomials[i];
            negative[j] = isNegative ^ (negate.Length > 0 && negate[i]);
            maxBits = Math.Max(maxBits, BitLength(magnitude));
            j++;
        }
        return new IntegerTerms(result, limbs, offsets, negative, maxBits);
    }

    /// <summary>The same coefficients under other monomials (one per term, in order; the limbs are shared, not copied).</summary>
    public IntegerTerms WithMonomials(Monomial[] monomials) =>
        monomials.Length == Count ? new IntegerTerms(monomials, _limbs, _offsets, Negative, MaxBits)
            : throw new ArgumentException("one monomial per term", nameof(monomials));

    /// <summary>Limbs needed for the magnitude of a two's-complement integer (|-2^64k| needs one more than its pattern).</summary>
    private static int MagnitudeLength(ReadOnlySpan<ulong> v)
    {
        bool isNegative = (long)v[^1] < 0;
        ulong extension = isNegative ? ulong.MaxValue : 0UL;
        int top = v.Length - 1;
        while (top > 0 && v[top] == extension) top--;
        // For v < 0, |v| = ~v + 1 fits top + 1 limbs unless ~v is all ones there (v = -2^(64(top+1))): one more then.
        if (isNegative && top + 1 < v.Length && v[..(top + 1)].IndexOfAnyExcept(0UL) < 0) return top + 2;
        return top + 1;
    }

    private static long BitLength(ReadOnlySpan<ulong> magnitude)
    {
        int top = magnitude.Length - 1;
        while (top > 0 && magnitude[top] == 0) top--;
        return magnitude[top] == 0 ? 0 : 64L * top + (64 - BitOperations.LeadingZeroCount(magnitude[top]));
    }

    /// <summary>The i-th coefficient as an integer.</summary>
    public BigInteger Value(int i)
    {
        var magnitude = new BigInteger(MemoryMarshal.AsBytes(Magnitude(i)), isUnsigned: true, isBigEndian: false);
        return Negative[i] ? -magnitude : magnitude;
    }

    /// <summary>The terms as the ring's dictionary, in order (what building it term by term from the limbs gives).</summary>
    public Dictionary<Monomial, GaussianRational> ToDictionary()
    {
        var terms = new Dictionary<Monomial, GaussianRational>(Count);
        for (int i = 0; i < Count; i++) terms.Add(Monomials[i], new GaussianRational(Value(i), Rational.Zero));
        return terms;
    }

    /// <summary>
    /// The largest <see cref="GaussianRational.BitLength"/> of the coefficients, from the limbs: for an integer v that is
    /// v's two's-complement bit length (<see cref="BigInteger.GetBitLength"/>: |v| - 1's for v &lt; 0) plus one for the
    /// denominator 1 and one for the imaginary part 0/1.
    /// </summary>
    public long MaxConstantBits
    {
        get
        {
            long max = 0;
            for (int i = 0; i < Count; i++) max = Math.Max(max, ConstantBits(i));
            return max;
        }
    }

    /// <summary>
    /// The sum of <see cref="GaussianRational.BitLength"/> over the coefficients, from the limbs (each term measured as
    /// in <see cref="MaxConstantBits"/>): what summing over the dictionary gives, without building it.
    /// </summary>
    public long SumConstantBits
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < Count; i++) sum += ConstantBits(i);
            return sum;
        }
    }

    // Term i's GaussianRational.BitLength: the integer's two's-complement bit length (|v| - 1 has one bit fewer than |v|
    // exactly when |v| is a power of two), plus one for the denominator 1 and one for the imaginary part 0/1.
    private long ConstantBits(int i)
    {
        var magnitude = Magnitude(i);
        long bits = BitLength(magnitude);
        if (Negative[i] && IsPowerOfTwo(magnitude)) bits--;
        return bits + 2;
    }

    private static bool IsPowerOfTwo(ReadOnlySpan<ulong> magnitude)
    {
        int top = magnitude.Length - 1;
        while (top > 0 && magnitude[top] == 0) top--;
        return BitOperations.IsPow2(magnitude[top]) && magnitude[..top].IndexOfAnyExcept(0UL) < 0;
    }

    /// <summary>|v| into <paramref name="destination"/> (zeroed, long enough), little-endian limbs; returns the limbs used.</summary>
    public static int Write(BigInteger v, Span<ulong> destination)
    {
        var magnitude = BigInteger.Abs(v);
        if (!magnitude.TryWriteBytes(MemoryMarshal.AsBytes(destination), out int written, isUnsigned: true, isBigEndian: false))
            throw new InvalidOperationException("an integer's magnitude does not fit the limbs given for it");
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
    private readonly Dictionary<Monomial, int> _slots;
    private readonly Dictionary<Monomial, int>.AlternateLookup<ReadOnlySpan<int>> _byPairs;
    private readonly List<Monomial> _monomials;
    private ulong[] _limbs;
    private int _width;
    private bool _rented;

    public IntegerAccumulator(int width, int capacity)
    {
        _width = width;
        _limbs = new ulong[Math.Max(1, capacity) * width];
        _slots = new Dictionary<Monomial, int>(MonomialPairsComparer.Instance);
        _byPairs = _slots.GetAlternateLookup<ReadOnlySpan<int>>();
        _monomials = new List<Monomial>();
    }

    // Accumulators per thread, reused: a derivative or a recurrence step then allocates only its compact result, not
    // a table, a dictionary and a list that the collector has to clear and move. A stack, since a product's grouped
    // partial sums are rented while the step's own accumulator is out.
    [ThreadStatic] private static Stack<IntegerAccumulator>? t_free;

    // Enough for the deepest nesting seen (a step and its grouped partials); more are dropped on release.
    private const int MaxFree = 64;

    /// <summary>
    /// An empty accumulator of this width: one of the thread's released ones when there is one (hand it back with
    /// <see cref="Release"/>), a new one otherwise.
    /// </summary>
    public static IntegerAccumulator Rent(int width, int capacity)
    {
        var free = t_free ??= new Stack<IntegerAccumulator>();
        if (!free.TryPop(out var shared))
            return new IntegerAccumulator(width, capacity) { _rented = true };
        shared._rented = true;
        shared._width = width;
        if (shared._limbs.Length < capacity * width) shared._limbs = new ulong[Math.Max(capacity * width, 2 * shared._limbs.Length)];
        return shared;
    }

    /// <summary>Empties a rented accumulator (its slots zeroed for the next use) and frees it for the next <see cref="Rent"/>.</summary>
    public void Release()
    {
        if (!_rented) return;
        _limbs.AsSpan(0, Math.Min(_limbs.Length, _monomials.Count * _width)).Clear();
        _slots.Clear();
        _monomials.Clear();
        _rented = false;
        var free = t_free ??= new Stack<IntegerAccumulator>();
        if (free.Count < MaxFree) free.Push(this);
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

    /// <summary>
    /// <see cref="Slot(Monomial)"/> of the monomial with these pairs, found without forming it: only a new slot's
    /// monomial becomes an object (a product's terms mostly land on monomials already there).
    /// </summary>
    public int Slot(ReadOnlySpan<int> pairs)
    {
        if (_byPairs.TryGetValue(pairs, out int found)) return found;
        return Slot(Monomial.FromPairs(pairs));
    }

    /// <summary>
    /// <see cref="Slot(ReadOnlySpan{int})"/> with a new slot's monomial taken from <paramref name="pool"/>: the coefficients
    /// of one series share most monomials, so a pass over all of them forms each distinct one once, not once per coefficient.
    /// </summary>
    public int Slot(ReadOnlySpan<int> pairs, MonomialPool? pool)
    {
        if (pool is null) return Slot(pairs);
        if (_byPairs.TryGetValue(pairs, out int found)) return found;
        return Slot(pool.Get(pairs));
    }

    private Span<ulong> At(int slot) => _limbs.AsSpan(slot * _width, _width);

    /// <summary>slot += (-1)^negative * x, x a magnitude of at most <c>width</c> limbs.</summary>
    public void Add(int slot, ReadOnlySpan<ulong> x, bool negative) => Add(At(slot), x, negative);

    private static void Add(Span<ulong> acc, ReadOnlySpan<ulong> x, bool negative)
    {
        if (!negative)
        {
            ulong carry = 0;
            for (int k = 0; k < acc.Length; k++)
            {
                ulong v = k < x.Length ? x[k] : 0UL;
                if (k >= x.Length && carry == 0) break;
                ulong a = acc[k], s = a + v, s2 = s + carry;
                carry = (s < a ? 1UL : 0UL) | (s2 < s ? 1UL : 0UL);
                acc[k] = s2;
            }
        }
        else
        {
            ulong borrow = 0;
            for (int k = 0; k < acc.Length; k++)
            {
                ulong v = k < x.Length ? x[k] : 0UL;
                if (k >= x.Length && borrow == 0) break;
                ulong a = acc[k], d = a - v, d2 = d - borrow;
                borrow = (a < v ? 1UL : 0UL) | (d < borrow ? 1UL : 0UL);
                acc[k] = d2;
            }
        }
    }

    private ulong[] _scratch = new ulong[8];

    /// <summary>slot += (-1)^negative * x * y (magnitudes), the product formed schoolbook in a scratch buffer.</summary>
    public void AddProduct(int slot, ReadOnlySpan<ulong> x, ReadOnlySpan<ulong> y, bool negative)
    {
        if (x.Length == 1)
        {
            AddProduct(At(slot), x[0], y, negative);
            return;
        }
        int n = Math.Min(x.Length + y.Length, _width);
        if (_scratch.Length < x.Length + y.Length) _scratch = new ulong[x.Length + y.Length];
        var product = _scratch.AsSpan(0, x.Length + y.Length);
        product.Clear();
        for (int i = 0; i < x.Length; i++)
        {
            ulong carry = 0, xi = x[i];
            for (int j = 0; j < y.Length; j++)
            {
                ulong hi = Math.BigMul(xi, y[j], out ulong lo);
                ulong s = lo + product[i + j];
                hi += s < lo ? 1UL : 0UL;
                ulong s2 = s + carry;
                hi += s2 < s ? 1UL : 0UL;
                product[i + j] = s2;
                carry = hi; // x_i y_j + p + c < 2^128: no overflow of hi
            }
            product[i + y.Length] = carry;
        }
        // The bound on the sum keeps the product within the width: the limbs above it are zero.
        Add(At(slot), product[..n], negative);
    }

    /// <summary>
    /// acc += (-1)^negative * x * y for a one-limb x (the usual weight C(n-1,k-1) times a small coefficient), in one
    /// pass: each limb of x y is formed and added (or subtracted) with its carry (borrow) at once.
    /// </summary>
    private static void AddProduct(Span<ulong> acc, ulong x, ReadOnlySpan<ulong> y, bool negative)
    {
        ulong carry = 0; // the high part of the product so far plus the addition's carry (or borrow)
        int k = 0;
        for (; k < y.Length && k < acc.Length; k++)
        {
            ulong hi = Math.BigMul(x, y[k], out ulong lo);
            ulong v = lo + carry;
            hi += v < lo ? 1UL : 0UL; // x y_k + carry < 2^128
            ulong a = acc[k];
            if (!negative)
            {
                ulong s = a + v;
                acc[k] = s;
                carry = hi + (s < a ? 1UL : 0UL);
            }
            else
            {
                acc[k] = a - v;
                carry = hi + (a < v ? 1UL : 0UL);
            }
        }
        // The rest of the product is 'carry' (at most one limb): propagate it through the higher limbs.
        for (; carry != 0 && k < acc.Length; k++)
        {
            ulong a = acc[k];
            if (!negative)
            {
                ulong s = a + carry;
                acc[k] = s;
                carry = s < a ? 1UL : 0UL;
            }
            else
            {
                acc[k] = a - carry;
                carry = a < carry ? 1UL : 0UL;
            }
        }
    }

    /// <summary>slot += other's slot (both two's complement of the same width).</summary>
    public void AddSlot(int slot, IntegerAccumulator other, int otherSlot)
    {
        var acc = At(slot);
        var x = other.At(otherSlot);
        ulong carry = 0;
        for (int k = 0; k < acc.Length; k++)
        {
            ulong a = acc[k], s = a + x[k], s2 = s + carry;
            carry = (s < a ? 1UL : 0UL) | (s2 < s ? 1UL : 0UL);
            acc[k] = s2;
        }
    }

    /// <summary>
    /// The largest <see cref="GaussianRational.BitLength"/> among the non-zero slots (0 when all are zero), read off the
    /// limbs as <see cref="IntegerTerms.MaxConstantBits"/> reads its terms: v's two's-complement bit length (that of ~v
    /// for v &lt; 0) plus two.
    /// </summary>
    public long MaxConstantBits()
    {
        long max = 0;
        for (int slot = 0; slot < Count; slot++)
        {
            var v = At(slot);
            if (v.IndexOfAnyExcept(0UL) < 0) continue;
            ulong extension = (long)v[^1] < 0 ? ulong.MaxValue : 0UL;
            int top = v.Length - 1;
            while (top >= 0 && v[top] == extension) top--;
            long bits = top < 0 ? 0 : 64L * top + (64 - BitOperations.LeadingZeroCount(v[top] ^ extension));
            max = Math.Max(max, bits + 2);
        }
        return max;
    }

    /// <summary>The non-zero slots in slot order, compact (<see cref="IntegerTerms.FromTwosComplement"/>).</summary>
    public IntegerTerms ToIntegerTerms() =>
        IntegerTerms.FromTwosComplement(CollectionsMarshal.AsSpan(_monomials), _limbs.AsSpan(0, Count * _width), _width);

    /// <summary>The slot's value (two's complement, little-endian limbs) as an integer.</summary>
    public BigInteger Value(int slot) => new(MemoryMarshal.AsBytes((ReadOnlySpan<ulong>)At(slot)), isUnsigned: false, isBigEndian: false);

    public bool IsZero(int slot)
    {
        foreach (var limb in At(slot)) if (limb != 0) return false;
        return true;
    }
}

/// <summary>Fixed-width two's-complement integers in 64-bit limbs, least significant first, all arithmetic mod 2^(64 width).</summary>
internal static class Limbs
{
    /// <summary>x = x m: the pattern times |m| (mod 2^(64 width) that is the signed product), negated for m &lt; 0.</summary>
    public static void Scale(Span<ulong> x, long m)
    {
        ulong factor = (ulong)Math.Abs(m), carry = 0;
        for (int i = 0; i < x.Length; i++)
        {
            ulong hi = Math.BigMul(x[i], factor, out ulong lo);
            lo += carry;
            carry = hi + (lo < carry ? 1UL : 0UL);
            x[i] = lo;
        }
        if (m < 0) Negate(x);
    }

    /// <summary>acc += x m, with x m formed limb by limb and added (m &gt;= 0) or subtracted (m &lt; 0) with its carry.</summary>
    public static void AddScaled(Span<ulong> acc, ReadOnlySpan<ulong> x, long m)
    {
        ulong factor = (ulong)Math.Abs(m), carry = 0, flow = 0; // product carry, addition carry (or borrow)
        for (int i = 0; i < acc.Length; i++)
        {
            ulong hi = Math.BigMul(x[i], factor, out ulong lo);
            lo += carry;
            carry = hi + (lo < carry ? 1UL : 0UL);
            ulong a = acc[i];
            if (m >= 0)
            {
                ulong s = a + lo, s2 = s + flow;
                flow = (s < a ? 1UL : 0UL) | (s2 < s ? 1UL : 0UL);
                acc[i] = s2;
            }
            else
            {
                ulong d = a - lo, d2 = d - flow;
                flow = (a < lo ? 1UL : 0UL) | (d < flow ? 1UL : 0UL);
                acc[i] = d2;
            }
        }
    }

    /// <summary>x = -x (two's complement, mod 2^(64 width)).</summary>
    public static void Negate(Span<ulong> x)
    {
        ulong carry = 1;
        for (int i = 0; i < x.Length; i++)
        {
            ulong v = ~x[i] + carry;
            carry = v < carry ? 1UL : 0UL;
            x[i] = v;
        }
    }

    public static bool IsZero(ReadOnlySpan<ulong> x)
    {
        foreach (var limb in x) if (limb != 0) return false;
        return true;
    }

    public static BigInteger Value(ReadOnlySpan<ulong> x) => new(MemoryMarshal.AsBytes(x), isUnsigned: false, isBigEndian: false);
}

/// <summary>
/// Monomials met so far, found by their pairs: a caller that forms the same monomials again and again (the derivative of
/// each coefficient of a series) keeps one object per distinct monomial. Not thread-safe: one per pass.
/// </summary>
internal sealed class MonomialPool
{
    private readonly HashSet<Monomial> _set = new(MonomialPairsComparer.Instance);
    private readonly HashSet<Monomial>.AlternateLookup<ReadOnlySpan<int>> _byPairs;

    public MonomialPool() => _byPairs = _set.GetAlternateLookup<ReadOnlySpan<int>>();

    /// <summary>The monomial with these pairs (sorted by id, no zero exponent): the one met before, or a new one kept.</summary>
    public Monomial Get(ReadOnlySpan<int> pairs)
    {
        if (_byPairs.TryGetValue(pairs, out var known)) return known;
        var m = Monomial.FromPairs(pairs);
        _set.Add(m);
        return m;
    }
}

/// <summary>
/// Monomials compared as <see cref="Monomial.Equals(Monomial)"/> does, and looked up by their pairs alone
/// (<see cref="Monomial.HashOf"/> is the monomial's own hash).
/// </summary>
internal sealed class MonomialPairsComparer : IEqualityComparer<Monomial>, IAlternateEqualityComparer<ReadOnlySpan<int>, Monomial>
{
    public static readonly MonomialPairsComparer Instance = new();

    public bool Equals(Monomial x, Monomial y) => x.Equals(y);
    public int GetHashCode(Monomial m) => m.GetHashCode();
    public bool Equals(ReadOnlySpan<int> pairs, Monomial m) => m.HasPairs(pairs);
    public int GetHashCode(ReadOnlySpan<int> pairs) => Monomial.HashOf(pairs);
    public Monomial Create(ReadOnlySpan<int> pairs) => Monomial.FromPairs(pairs);
}
