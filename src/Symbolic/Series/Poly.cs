using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.InteropServices;
using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Symbolic.Series;

/// <summary>
/// A product of atoms raised to integer powers, <c>x^2 log(k) (p - 1)^-1</c>: the key of a <see cref="Poly"/>
/// term. Stored as (atom id, exponent) pairs sorted by id, with a cached hash.
/// </summary>
internal readonly struct Monomial : IEquatable<Monomial>
{
    private readonly int[]? _pairs;
    private readonly int _hash;

    public static readonly Monomial One = new([]);

    private Monomial(int[] pairs)
    {
        _pairs = pairs;
        _hash = HashOf(pairs);
    }

    /// <summary>The hash of the monomial with these (atom id, exponent) pairs: a lookup by pairs finds it without forming it.</summary>
    public static int HashOf(ReadOnlySpan<int> pairs)
    {
        var h = new HashCode();
        foreach (var x in pairs) h.Add(x);
        return h.ToHashCode();
    }

    /// <summary>The monomial of these pairs (sorted by id, no zero exponent), copied.</summary>
    public static Monomial FromPairs(ReadOnlySpan<int> pairs) => pairs.Length == 0 ? One : new Monomial(pairs.ToArray());

    /// <summary>Whether this monomial has exactly these pairs.</summary>
    public bool HasPairs(ReadOnlySpan<int> pairs) => ((ReadOnlySpan<int>)_pairs).SequenceEqual(pairs);

    public static Monomial Atom(int id, int exponent) => exponent == 0 ? One : new Monomial([id, exponent]);

    public int Length => (_pairs?.Length ?? 0) / 2;
    public int AtomId(int i) => _pairs![2 * i];
    public int Exponent(int i) => _pairs![2 * i + 1];

    // x^a y^b * x^c z^d = x^(a+c) y^b z^d: a merge of two sorted lists.
    public Monomial Multiply(Monomial other)
    {
        if (Length == 0) return other;
        if (other.Length == 0) return this;
        return Merge(_pairs!, other._pairs!);
    }

    /// <summary>The pairs of <c>Multiply(other)</c> into <paramref name="destination"/> (<see cref="PairsBound"/> long); returns how many.</summary>
    public int WriteTimes(Monomial other, Span<int> destination) => Merge(_pairs ?? [], other._pairs ?? [], destination);

    /// <summary>Pairs needed at most for <see cref="WriteLowerTimes"/> with <paramref name="other"/>.</summary>
    public int PairsBound(Monomial other) => (_pairs?.Length ?? 0) + (other._pairs?.Length ?? 0);

    /// <summary>
    /// The pairs of <c>Lower(i).Multiply(other)</c> written to <paramref name="destination"/> (at least
    /// <see cref="PairsBound"/> long); returns how many. A derivative's term m/a * dm is then looked up by its pairs and
    /// becomes an object only when it is new.
    /// </summary>
    public int WriteLowerTimes(int i, Monomial other, Span<int> destination)
    {
        var pairs = _pairs!;
        Span<int> lowered = pairs.Length <= 64 ? stackalloc int[pairs.Length] : new int[pairs.Length];
        pairs.CopyTo(lowered);
        // a^e -> a^(e-1); an exponent reaching 0 drops its pair, as Lower does.
        if (--lowered[2 * i + 1] == 0)
        {
            lowered[(2 * i + 2)..].CopyTo(lowered[(2 * i)..]);
            lowered = lowered[..^2];
        }
        return Merge(lowered, other._pairs ?? [], destination);
    }

    private static Monomial Merge(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        var result = new int[a.Length + b.Length];
        int k = Merge(a, b, result);
        if (k != result.Length) Array.Resize(ref result, k);
        return new Monomial(result);
    }

    /// <summary>The pairs of the product of two pair lists, into <paramref name="result"/>; returns how many.</summary>
    public static int Merge(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> result)
    {
        int i = 0, j = 0, k = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] < b[j]) { result[k++] = a[i]; result[k++] = a[i + 1]; i += 2; }
            else if (a[i] > b[j]) { result[k++] = b[j]; result[k++] = b[j + 1]; j += 2; }
            else
            {
                int e = a[i + 1] + b[j + 1];
                if (e != 0) { result[k++] = a[i]; result[k++] = e; }
                i += 2; j += 2;
            }
        }
        while (i < a.Length) { result[k++] = a[i]; result[k++] = a[i + 1]; i += 2; }
        while (j < b.Length) { result[k++] = b[j]; result[k++] = b[j + 1]; j += 2; }
        return k;
    }

    /// <summary>The monomial without its i-th atom (that pair dropped).</summary>
    public Monomial Without(int i)
    {
        if (Length == 1) return One;
        var r = new int[_pairs!.Length - 2];
        Array.Copy(_pairs, 0, r, 0, 2 * i);
        Array.Copy(_pairs, 2 * i + 2, r, 2 * i, _pairs.Length - 2 * i - 2);
        return new Monomial(r);
    }

    /// <summary>The monomial with the i-th atom's exponent lowered by one (its derivative's monomial part).</summary>
    public Monomial Lower(int i)
    {
        var r = (int[])_pairs!.Clone();
        if (--r[2 * i + 1] != 0) return new Monomial(r);
        var shorter = new int[r.Length - 2];
        Array.Copy(r, 0, shorter, 0, 2 * i);
        Array.Copy(r, 2 * i + 2, shorter, 2 * i, r.Length - 2 * i - 2);
        return new Monomial(shorter);
    }

    /// <summary>Lex order over atom ids: the first atom where the exponents differ decides (larger exponent first).</summary>
    public int CompareLex(Monomial other)
    {
        int i = 0, j = 0;
        while (i < Length || j < other.Length)
        {
            int ida = i < Length ? AtomId(i) : int.MaxValue;
            int idb = j < other.Length ? other.AtomId(j) : int.MaxValue;
            int id = Math.Min(ida, idb);
            int ea = ida == id ? Exponent(i++) : 0;
            int eb = idb == id ? other.Exponent(j++) : 0;
            if (ea != eb) return ea.CompareTo(eb);
        }
        return 0;
    }

    /// <summary>Whether every exponent is non-negative (a true polynomial monomial).</summary>
    public bool IsPolynomial
    {
        get
        {
            for (int i = 0; i < Length; i++) if (Exponent(i) < 0) return false;
            return true;
        }
    }

    /// <summary>this / divisor if every exponent stays non-negative.</summary>
    public bool TryDivide(Monomial divisor, out Monomial quotient)
    {
        quotient = Multiply(divisor.Inverse());
        return quotient.IsPolynomial;
    }

    public Monomial Inverse()
    {
        if (Length == 0) return this;
        var r = (int[])_pairs!.Clone();
        for (int i = 1; i < r.Length; i += 2) r[i] = -r[i];
        return new Monomial(r);
    }

    public bool Equals(Monomial other)
    {
        if (_hash != other._hash || Length != other.Length) return false;
        if (Length == 0) return true;
        return _pairs.AsSpan().SequenceEqual(other._pairs);
    }

    public override bool Equals(object? obj) => obj is Monomial m && Equals(m);
    public override int GetHashCode() => _hash;
}

/// <summary>
/// The coefficient ring of the series engine: polynomials (with integer, possibly negative, exponents) over
/// atoms with exact Gaussian-rational coefficients. An atom is any expression that is not a sum, product
/// or integer power: a parameter, <c>log(k)</c>, <c>polygamma(1, k)</c>, <c>(p - 1)</c> in a denominator.
/// Products of these are dictionary merges instead of tree rewrites, which keeps the O(N^2) recurrences
/// cheap; the canonical <see cref="Expr"/> is built once per coefficient at the end.
/// </summary>
internal sealed class Poly
{
    private static readonly ConcurrentDictionary<Expr, int> AtomIds = new();
    private static readonly ConcurrentDictionary<int, Expr> Atoms = new();
    private static int _nextAtom;

    // The terms as a dictionary, or (integer coefficients from a limb computation) as a flat store of limbs that
    // becomes the dictionary only when a term is read: a polynomial that is only differentiated, measured or fed to
    // another limb computation never holds an object per term.
    private Dictionary<Monomial, GaussianRational>? _map;
    private readonly IntegerTerms? _flat;
    private Expr? _expr;

    private Dictionary<Monomial, GaussianRational> TermMap => _map ??= _flat!.ToDictionary();

    private Poly(Dictionary<Monomial, GaussianRational> terms) => _map = terms;

    private Poly(IntegerTerms flat)
    {
        _flat = flat;
        _integers = flat;
        _integersKnown = true;
    }

    /// <summary>A polynomial over integer terms held in limbs (none zero); the dictionary is built when first read.</summary>
    internal static Poly FromIntegers(IntegerTerms flat) => flat.Count == 0 ? Zero : new Poly(flat);

    public static readonly Poly Zero = new(new Dictionary<Monomial, GaussianRational>());
    public static readonly Poly One = Constant(GaussianRational.One);

    public static Poly Constant(GaussianRational c) =>
        c.IsZero ? Zero : new Poly(new Dictionary<Monomial, GaussianRational> { [Monomial.One] = c });

    public bool IsZero => TermCount == 0;

    /// <summary>The largest coefficient's size in bits (<see cref="GaussianRational.BitLength"/>, as the expression factory measures it).</summary>
    public long MaxConstantBits
    {
        get
        {
            if (_map is null) return _flat!.MaxConstantBits; // measured on the limbs, without building the terms
            long max = 0;
            foreach (var c in TermMap.Values) max = Math.Max(max, c.BitLength);
            return max;
        }
    }

    /// <summary>No imaginary coefficient and no atom that contains i.</summary>
    public bool IsReal
    {
        get
        {
            var atoms = new HashSet<int>();
            if (_map is null)
            {
                // Integer terms in limbs are real: only the atoms can hold an i.
                foreach (var m in _flat!.Monomials)
                    for (int k = 0; k < m.Length; k++) atoms.Add(m.AtomId(k));
            }
            else foreach (var (m, c) in TermMap)
            {
                if (!c.Im.IsZero) return false;
                for (int k = 0; k < m.Length; k++) atoms.Add(m.AtomId(k));
            }
            // Each distinct atom once (a coefficient has thousands of terms over a few atoms).
            foreach (var id in atoms)
                if (RealAtoms.GetOrAdd(id, static id => !Atoms[id].ContainsImaginary()) is false) return false;
            return true;
        }
    }

    private static readonly ConcurrentDictionary<int, bool> RealAtoms = new();

    /// <summary>
    /// Every factor is plain (<see cref="PlainFactor"/>) and no sum is raised to a positive power: the canonical
    /// expression's terms are then exactly this polynomial's, and <see cref="FromExpr"/> reads them back unchanged (a
    /// positive power of a sum would come back as an atom of its own).
    /// </summary>
    public bool IsPlain
    {
        get
        {
            foreach (var m in Monomials)
                for (int k = 0; k < m.Length; k++)
                    if (PlainFactor(m.AtomId(k), m.Exponent(k)) is null || (m.Exponent(k) > 0 && Atoms[m.AtomId(k)] is Sum)) return false;
            return true;
        }
    }
    public int TermCount => _map?.Count ?? _flat!.Count;

    /// <summary>The monomials in term order, read off the limbs' list when there is one (no dictionary is built for them).</summary>
    private IEnumerable<Monomial> Monomials => _map is null ? _flat!.Monomials : TermMap.Keys;

    /// <summary>The terms, read only (a caller that builds a polynomial from its own terms uses <see cref="FromTerms"/>).</summary>
    internal IReadOnlyDictionary<Monomial, GaussianRational> Terms => TermMap;

    /// <summary>A polynomial over these terms (no zero coefficient among them); the dictionary is kept, not copied.</summary>
    internal static Poly FromTerms(Dictionary<Monomial, GaussianRational> terms) => terms.Count == 0 ? Zero : new Poly(terms);

    /// <summary>Whether <see cref="DivideBy"/> would divide exactly (a sum that divides) instead of multiplying by the reciprocal.</summary>
    internal bool DividesExactly(Poly divisor) => divisor.TermCount > 1 && TryDivideExactly(divisor, out _);

    private static int AtomId(Expr atom) => AtomIds.GetOrAdd(atom, a =>
    {
        int id = Interlocked.Increment(ref _nextAtom);
        Atoms[id] = a;
        return id;
    });

    /// <summary>The polynomial form of a canonical expression (which is already expanded over its atoms).</summary>
    public static Poly FromExpr(Expr e)
    {
        switch (e)
        {
            case Number n: return Constant(n.Value);
            case Sum s:
            {
                var b = new Builder();
                foreach (var t in s.Args) b.Add(FromExpr(t));
                return b.Build();
            }
            case Product p:
            {
                var result = One;
                foreach (var f in p.Args) result = result * FromExpr(f);
                return result;
            }
            case Power { Exponent: Number { IsReal: true } n } pw when n.Re.IsInteger && n.Re.Numerator < 1_000_000 && n.Re.Numerator > -1_000_000:
            {
                var exponent = (int)n.Re.Numerator;
                if (pw.Base is Sum && exponent > 0) goto default; // an unexpanded high power of a sum is an atom
                var poly = new Poly(new Dictionary<Monomial, GaussianRational> { [Monomial.Atom(AtomId(pw.Base), exponent)] = GaussianRational.One });
                poly._expr = e;
                return poly;
            }
            default:
            {
                var poly = new Poly(new Dictionary<Monomial, GaussianRational> { [Monomial.Atom(AtomId(e), 1)] = GaussianRational.One });
                poly._expr = e;
                return poly;
            }
        }
    }

    /// <summary>
    /// The canonical expression, built once. Distinct monomials over atoms are distinct canonical terms, so
    /// the sum is assembled directly (sorted, no re-merging); a term whose atoms do not stay atoms when
    /// raised (a normalised sum in a denominator) goes through the general factory instead.
    /// </summary>
    public Expr ToExpr() => _expr ??= CancelDenominators().BuildExpr();

    private Expr BuildExpr()
    {
        if (_expr is not null) return _expr;
        if (TryBuildSorted() is { } sorted) return sorted;
        var constant = GaussianRational.Zero;
        var terms = new List<Expr>(TermCount);
        var general = new List<Expr>();
        foreach (var (m, c) in TermMap)
        {
            if (m.Length == 0) { constant = c; continue; }
            var factors = new List<Expr>(m.Length);
            bool simple = true;
            for (int k = 0; k < m.Length && simple; k++)
            {
                var f = Ex.Pow(Atoms[m.AtomId(k)], m.Exponent(k));
                if (f is Number or Product or Sum) simple = false;
                else factors.Add(f);
            }
            if (!simple)
            {
                var all = new Expr[m.Length + 1];
                all[0] = Ex.Num(c);
                for (int k = 0; k < m.Length; k++) all[k + 1] = Ex.Pow(Atoms[m.AtomId(k)], m.Exponent(k));
                general.Add(Ex.Mul(all));
                continue;
            }
            ExprComparer.Sort(factors);
            if (simple && !MergesUnderMul(factors)) terms.Add(Ex.CanonicalTerm(c, factors));
            else general.Add(Ex.Mul([Ex.Num(c), .. factors]));
        }
        var sum = Ex.CanonicalSum(constant, terms);
        if (general.Count > 0) sum = Ex.Add([sum, .. general]);
        return sum;
    }

    /// <summary>
    /// <c>atom^e</c> as the factory builds it, when that is exactly the node <c>Power(atom, e)</c> (or the atom itself at
    /// e = 1) over a symbol, a call other than exp, or a sum with e != 1; null for every other atom and exponent. Such
    /// factors never merge under a product, and the canonical order compares them by (atom, e), which
    /// <see cref="TryBuildSorted"/> reproduces with integer ranks.
    /// </summary>
    private static Expr? PlainFactor(int id, int exponent) => PlainFactors.GetOrAdd((id, exponent), static key =>
    {
        var atom = Atoms[key.Id];
        if (atom is not (Symbol or Sum or Call { Function: not Function.Exp })) return null;
        if (key.Exponent == 1) return atom is Sum ? null : atom;
        return Ex.Pow(atom, key.Exponent) is Power { Exponent: Number { IsReal: true } n } p && p.Base.Equals(atom) && n.Re == key.Exponent ? p : null;
    });

    private static readonly ConcurrentDictionary<(int Id, int Exponent), Expr?> PlainFactors = new();

    /// <summary>
    /// The canonical sum built from the monomials without comparing expressions, when every factor is plain
    /// (<see cref="PlainFactor"/>): the atoms are ranked once in the canonical order, and then (the order of
    /// <see cref="ExprComparer"/> restated on ranks) factors sort by atom rank; one-factor terms compare by (rank, exponent);
    /// a one-factor term precedes a product when its atom is a symbol or a call and follows it when it is a sum (kinds
    /// rank symbol, call, product, sum); products compare factor by factor, a prefix first. Null when some factor is not
    /// plain (the general path below decides then).
    /// </summary>
    private Expr? TryBuildSorted()
    {
        var ids = new List<int>();
        var seen = new HashSet<int>();
        foreach (var m in TermMap.Keys)
            for (int k = 0; k < m.Length; k++)
            {
                if (PlainFactor(m.AtomId(k), m.Exponent(k)) is null) return null;
                if (seen.Add(m.AtomId(k))) ids.Add(m.AtomId(k));
            }
        ExprComparer.Sort(ids, (a, b) => ExprComparer.Instance.Compare(Atoms[a], Atoms[b]));
        var rank = new Dictionary<int, int>(ids.Count);
        for (int i = 0; i < ids.Count; i++) rank[ids[i]] = i;

        var constant = GaussianRational.Zero;
        var keyed = new List<(long[] Key, Expr Term)>(TermCount);
        var factors = new List<Expr>();
        foreach (var (m, c) in TermMap)
        {
            if (m.Length == 0) { constant = c; continue; }
            // (rank, exponent) in one long that orders as the pair: rank high, exponent offset to unsigned low.
            var key = new long[m.Length];
            for (int k = 0; k < m.Length; k++)
                key[k] = ((long)rank[m.AtomId(k)] << 32) | (uint)(m.Exponent(k) ^ int.MinValue);
            Array.Sort(key);
            factors.Clear();
            foreach (var f in key) factors.Add(PlainFactor(ids[(int)(f >> 32)], (int)((uint)f ^ 0x80000000u))!);
            keyed.Add((key, Ex.CanonicalTerm(c, factors)));
        }
        keyed.Sort((a, b) => CompareRanked(a.Key, b.Key, ids));
        var terms = new List<Expr>(keyed.Count);
        foreach (var (_, term) in keyed) terms.Add(term);
        return Ex.SortedSum(constant, terms);
    }

    private static int CompareRanked(long[] a, long[] b, List<int> ids)
    {
        if (a.Length == 1 && b.Length > 1) return Atoms[ids[(int)(a[0] >> 32)]].KindRank.CompareTo(ProductKindRank);
        if (b.Length == 1 && a.Length > 1) return ProductKindRank.CompareTo(Atoms[ids[(int)(b[0] >> 32)]].KindRank);
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
            if (a[i] != b[i]) return a[i].CompareTo(b[i]);
        return a.Length.CompareTo(b.Length);
    }

    /// <summary>The canonical order's rank of a product (<see cref="Product"/>): between calls and sums.</summary>
    private const int ProductKindRank = 4;

    /// <summary>
    /// Whether the factory would merge some of these factors (k with k^(1/2), exp(a) with exp(b)), so the
    /// product must be built by the general path to stay canonical.
    /// </summary>
    private static bool MergesUnderMul(List<Expr> sortedFactors)
    {
        int exps = 0;
        for (int i = 0; i < sortedFactors.Count; i++)
        {
            if (sortedFactors[i] is Call { Function: Function.Exp } && ++exps > 1) return true;
            if (i > 0 && ExprComparer.SplitPower(sortedFactors[i]).Base.Equals(ExprComparer.SplitPower(sortedFactors[i - 1]).Base)) return true;
        }
        return false;
    }

    /// <summary>
    /// d/dx: for each atom, exponent * atom^(e-1) * d atom/dx (derivatives of atoms cached). <paramref name="lowerings"/>, when
    /// given, keeps each lowered monomial (m with its i-th exponent less one) for the next coefficient of the same series,
    /// whose monomials recur: the derivative then allocates no monomial it has formed before. <paramref name="pool"/> does the
    /// same for the monomials of the limb path's result.
    /// </summary>
    public Poly Derivative(Symbol x, Dictionary<int, Poly> atomDerivatives, Dictionary<(Monomial, int), Monomial>? lowerings = null, MonomialPool? pool = null)
    {
        if (Integers is { } integers && AccumulateDerivative(integers, x, atomDerivatives, pool) is { } acc)
        {
            try { return FromIntegers(acc.ToIntegerTerms()); }
            finally { acc.Release(); }
        }
        Builder? builder = null;
        foreach (var (m, c) in TermMap)
            for (int k = 0; k < m.Length; k++)
            {
                int id = m.AtomId(k);
                if (!atomDerivatives.TryGetValue(id, out var d))
                    atomDerivatives[id] = d = FromExpr(Calculus.Derivative.Of(Atoms[id], x));
                if (d.IsZero) continue;
                builder ??= new Builder(TermCount);
                Monomial lowered;
                if (lowerings is null) lowered = m.Lower(k);
                else
                {
                    ref var known = ref CollectionsMarshal.GetValueRefOrAddDefault(lowerings, (m, k), out bool exists);
                    if (!exists) known = m.Lower(k);
                    lowered = known;
                }
                var scale = m.Exponent(k) == 1 ? c : c * m.Exponent(k);
                foreach (var (dm, dc) in d.TermMap) builder.Add(lowered.Multiply(dm), dc.IsOne ? scale : scale * dc);
            }
        return builder is null ? Zero : builder.Build();
    }

    /// <summary>
    /// The largest constant's bits (<see cref="MaxConstantBits"/>) of <see cref="Derivative"/>, with the same caches: from
    /// the limbs, when the derivative accumulates there, without packing terms that are only measured.
    /// </summary>
    public long DerivativeMaxConstantBits(Symbol x, Dictionary<int, Poly> atomDerivatives, Dictionary<(Monomial, int), Monomial> lowerings, MonomialPool? pool = null)
    {
        if (Integers is { } integers && AccumulateDerivative(integers, x, atomDerivatives, pool) is { } acc)
        {
            try { return acc.MaxConstantBits(); }
            finally { acc.Release(); }
        }
        return Derivative(x, atomDerivatives, lowerings).MaxConstantBits;
    }

    /// <summary>
    /// <see cref="Derivative"/> of a polynomial with integer coefficients (in limbs), when every atom's derivative has
    /// integer coefficients of at most 31 bits: sum over terms v m and atoms a^e of m of v e (da/dx) m/a, accumulated per
    /// monomial in fixed-width integers wide enough for the bound (terms x atoms x terms of da/dx products, each below
    /// 2^(bits of v + 62)). The same polynomial as the rational path, in a rented accumulator (the caller releases it;
    /// no slot when nothing contributes); null when an atom's derivative does not qualify.
    /// </summary>
    private static IntegerAccumulator? AccumulateDerivative(IntegerTerms flat, Symbol x, Dictionary<int, Poly> atomDerivatives, MonomialPool? pool)
    {
        // The atoms' derivatives, looked up (and cached) in the rational path's order, and their sizes.
        long contributions = 0;
        for (int i = 0; i < flat.Count; i++)
        {
            var m = flat.Monomials[i];
            for (int k = 0; k < m.Length; k++)
            {
                int id = m.AtomId(k);
                if (!atomDerivatives.TryGetValue(id, out var d))
                    atomDerivatives[id] = d = FromExpr(Calculus.Derivative.Of(Atoms[id], x));
                if (d.IsZero) continue;
                if (d.Integers is not { } di || di.MaxBits > 31 || Math.Abs((long)m.Exponent(k)) > int.MaxValue) return null;
                contributions += di.Count;
            }
        }
        // |e dc| < 2^62 fits one limb; each slot sums at most 'contributions' values below 2^(maxBits + 62).
        long bits = flat.MaxBits + 62 + (long)Math.Ceiling(Math.Log2(contributions + 1.0)) + 2;
        var acc = IntegerAccumulator.Rent((int)((bits + 63) / 64), flat.Count + 16);
        try
        {
            Fill(acc);
            return acc;
        }
        catch
        {
            acc.Release();
            throw;
        }

        void Fill(IntegerAccumulator acc)
        {
            Span<ulong> factor = stackalloc ulong[1];
            Span<int> pairs = stackalloc int[64];
            for (int i = 0; i < flat.Count; i++)
            {
                var m = flat.Monomials[i];
                var magnitude = flat.Magnitude(i);
                for (int k = 0; k < m.Length; k++)
                {
                    var d = atomDerivatives[m.AtomId(k)];
                    if (d.IsZero) continue;
                    var di = d.Integers!;
                    for (int j = 0; j < di.Count; j++)
                    {
                        // v e dc: |e| |dc| in one limb, the sign from all three.
                        long e = m.Exponent(k);
                        long dc = (long)di.Magnitude(j)[0];
                        factor[0] = (ulong)(Math.Abs(e) * dc);
                        bool negative = flat.Negative[i] ^ (e < 0) ^ di.Negative[j];
                        var dm = di.Monomials[j];
                        if (m.PairsBound(dm) > pairs.Length) pairs = new int[m.PairsBound(dm)];
                        int length = m.WriteLowerTimes(k, dm, pairs);
                        acc.AddProduct(acc.Slot(pairs[..length], pool), factor, magnitude, negative);
                    }
                }
            }
        }
    }

    /// <summary>Nodes of the canonical expression, a size measure for resource limits.</summary>
    public int Size => TermCount == 0 ? 1 : TermMap.Sum(t => 1 + 2 * t.Key.Length);

    public static Poly operator +(Poly a, Poly b)
    {
        if (a.IsZero) return b;
        if (b.IsZero) return a;
        WorkMeter.Spend(a.TermCount + b.TermCount);
        // Room for both from the start: the sum's dictionary grows at most once (a copy, then every resize on the way).
        var builder = new Builder(a, b.TermCount);
        builder.Add(b);
        return builder.Build();
    }

    public static Poly operator -(Poly a) => a.Scale(-GaussianRational.One);
    public static Poly operator -(Poly a, Poly b) => a + (-b);

    public Poly Scale(GaussianRational c)
    {
        if (c.IsZero || IsZero) return Zero;
        if (c.IsOne) return this;
        var r = new Dictionary<Monomial, GaussianRational>(TermCount);
        if (_map is null)
        {
            // Straight from the limbs, in their order (that of the dictionary they would build): a polynomial scaled once
            // (a coefficient times its 1/n!) neither builds nor keeps a dictionary of its own.
            var flat = _flat!;
            for (int i = 0; i < flat.Count; i++) r[flat.Monomials[i]] = new GaussianRational(flat.Value(i), Rational.Zero) * c;
        }
        else foreach (var (m, v) in TermMap) r[m] = v * c;
        return new Poly(r);
    }

    /// <summary>
    /// The mean cost of one term in a product, beyond the first unit: its exact coefficient in 64-bit words (big
    /// rationals multiply and normalise slowly) and its monomial's length in atoms over 8 (monomials are merged and
    /// hashed atom by atom).
    /// </summary>
    private double TermWeight()
    {
        // Computed once: a polynomial is immutable, and a recurrence meets the same b_k in O(n) products.
        if (_termWeight >= 0) return _termWeight;
        if (TermCount == 0) return _termWeight = 0;
        long bits = 0, atoms = 0;
        if (_map is null && _flat is { } flat)
        {
            // Read off the limbs: a polynomial only multiplied in limbs never becomes a dictionary (same sums).
            bits = flat.SumConstantBits;
            foreach (var m in flat.Monomials) atoms += m.Length;
        }
        else
            foreach (var (m, v) in TermMap) { bits += v.BitLength; atoms += m.Length; }
        return _termWeight = (bits / 64.0 + atoms / 8.0) / TermCount;
    }

    private double _termWeight = -1;

    public static Poly operator *(Poly a, Poly b)
    {
        if (a.IsZero || b.IsZero) return Zero;
        // Each term product multiplies two exact rationals and merges two monomials: its cost grows with their sizes.
        WorkMeter.Spend((long)Math.Ceiling(a.TermCount * (double)b.TermCount * (1 + a.TermWeight() + b.TermWeight())));
        if (a.TermCount == 1 && a.TermMap.TryGetValue(Monomial.One, out var ca)) return b.Scale(ca);
        if (b.TermCount == 1 && b.TermMap.TryGetValue(Monomial.One, out var cb)) return a.Scale(cb);
        // A small product is sized for every term product (few merge; the dictionary then never grows); a large one grows.
        long products = (long)a.TermCount * b.TermCount;
        var builder = new Builder(products <= 256 ? (int)products : 0);
        foreach (var (ma, va) in a.TermMap)
            foreach (var (mb, vb) in b.TermMap)
                builder.Add(ma.Multiply(mb), va * vb);
        return builder.Build();
    }

    /// <summary>
    /// start + sum_i w_i a_i b_i, accumulated in one dictionary: the inner sums of the series recurrences, without
    /// an intermediate polynomial per product or a copy of the running sum per addition. Charges the work of the
    /// products as <c>*</c> does.
    /// </summary>
    public static Poly SumOfProducts(Poly start, List<(GaussianRational Weight, Poly A, Poly B)> products)
    {
        if (IntegerSumOfProducts(start, products) is { } integral) return integral;
        var builder = new Builder(start);
        // sum_i w_i a_i b_i with b_i of few terms m (a_k (p1 + 2^k p2) in a log): = sum_m m * (sum_i w_i b_i[m] a_i), so
        // each large factor is scaled into one partial sum per monomial and the monomials are merged once at the end.
        var partials = new Dictionary<Monomial, Builder>();
        foreach (var (w, a, b) in products)
        {
            if (w.IsZero || a.IsZero || b.IsZero) continue;
            WorkMeter.Spend((long)Math.Ceiling(a.TermCount * (double)b.TermCount * (1 + a.TermWeight() + b.TermWeight())));
            var (small, large) = a.TermCount <= b.TermCount ? (a, b) : (b, a);
            bool grouped = small.TermCount <= 4;
            foreach (var (ms, vs) in small.TermMap)
            {
                var scale = w * vs;
                if (ms.Length == 0)
                    foreach (var (ml, vl) in large.TermMap) builder.Add(ml, scale * vl);
                else if (grouped)
                {
                    if (!partials.TryGetValue(ms, out var partial)) partials[ms] = partial = new Builder();
                    foreach (var (ml, vl) in large.TermMap) partial.Add(ml, scale * vl);
                }
                else
                    foreach (var (ml, vl) in large.TermMap) builder.Add(ms.Multiply(ml), scale * vl);
            }
        }
        foreach (var (ms, partial) in partials)
            foreach (var (ml, c) in partial.Terms) builder.Add(ms.Multiply(ml), c);
        return builder.Build();
    }

    /// <summary>The coefficients as limbs when all are real integers (cached: a recurrence reads each b_k O(n) times).</summary>
    internal IntegerTerms? Integers
    {
        get
        {
            // Published in order (check derives on several threads, and Poly.One and Poly.Zero are shared): a thread that
            // sees the flag set sees the limbs written before it, on weakly ordered processors too.
            if (!Volatile.Read(ref _integersKnown)) { _integers = IntegerTerms.Of(TermMap); Volatile.Write(ref _integersKnown, true); }
            return _integers;
        }
    }

    private IntegerTerms? _integers;
    private bool _integersKnown;

    /// <summary>
    /// <see cref="SumOfProducts"/> when every weight and coefficient is a real integer (the exponentially scaled
    /// recurrences): the same sum, in fixed-width integers wide enough for any slot (each slot is a sum of at most
    /// <c>1 + sum_i min(|a_i|, |b_i|)</c> values below <c>2^maxBits</c>), with no rational arithmetic or allocation per
    /// term. Null when some operand is not integral.
    /// </summary>
    internal static Poly? IntegerSumOfProducts(Poly start, List<(GaussianRational Weight, Poly A, Poly B)> products)
    {
        if (!BitConverter.IsLittleEndian || start.Integers is not { } startTerms) return null;
        long maxBits = startTerms.MaxBits, count = startTerms.Count;
        foreach (var (w, a, b) in products)
        {
            if (w.IsZero || a.IsZero || b.IsZero) continue;
            if (!w.Im.IsZero || !w.Re.IsInteger || a.Integers is not { } ai || b.Integers is not { } bi) return null;
            maxBits = Math.Max(maxBits, (long)BigInteger.Abs(w.Re.Numerator).GetBitLength() + ai.MaxBits + bi.MaxBits);
            count += Math.Min(ai.Count, bi.Count);
        }
        // |slot| < count * 2^maxBits, plus a sign bit.
        long bits = maxBits + (long)BigInteger.Log(count + 1, 2) + 3;
        int width = (int)((bits + 63) / 64);
        var main = IntegerAccumulator.Rent(width, startTerms.Count + 16);
        Dictionary<Monomial, IntegerAccumulator>? partials = null; // made when a product first groups
        try
        {
            // Products' monomials are merged here and looked up by their pairs (an object only for a new one). The pairs,
            // a weight's limbs and its products with a small factor's terms are written to buffers on the stack while they
            // fit: a step allocates only its result.
            Span<int> pairs = stackalloc int[64];
            Span<ulong> weightBuffer = stackalloc ulong[8];
            Span<ulong> productBuffer = stackalloc ulong[32];
            for (int i = 0; i < startTerms.Count; i++) main.Add(main.Slot(startTerms.Monomials[i]), startTerms.Magnitude(i), startTerms.Negative[i]);
            // As in the rational path: a factor of few terms (p1 + 2^k p2) groups the large factor per monomial, so each
            // monomial product is formed once per distinct term, not once per product.
            foreach (var (w, a, b) in products)
            {
                if (w.IsZero || a.IsZero || b.IsZero) continue;
                WorkMeter.Spend((long)Math.Ceiling(a.TermCount * (double)b.TermCount * (1 + a.TermWeight() + b.TermWeight())));
                var (small, large) = a.TermCount <= b.TermCount ? (a.Integers!, b.Integers!) : (b.Integers!, a.Integers!);
                bool grouped = small.Count <= 4;
                // |w| in limbs, once per product.
                int weightSize = (int)(w.Re.Numerator.GetBitLength() / 64) + 2;
                if (weightSize > weightBuffer.Length) weightBuffer = new ulong[weightSize];
                var x = WriteMagnitude(w.Re.Numerator, weightBuffer[..weightSize]);
                for (int s = 0; s < small.Count; s++)
                {
                    var ms = small.Monomials[s];
                    // The factor w * v_s times each term of the large factor: |w v_s| |v_l| with the product's sign.
                    var magnitude = small.Magnitude(s);
                    if (x.Length + magnitude.Length > productBuffer.Length) productBuffer = new ulong[x.Length + magnitude.Length];
                    var combined = MultiplyMagnitudes(x, magnitude, productBuffer);
                    bool negative = (w.Re.Sign < 0) ^ small.Negative[s];
                    IntegerAccumulator target = main;
                    if (ms.Length != 0 && grouped && !(partials ??= new Dictionary<Monomial, IntegerAccumulator>()).TryGetValue(ms, out target!))
                        partials[ms] = target = IntegerAccumulator.Rent(width, large.Count + 16);
                    bool shift = ms.Length != 0 && !grouped;
                    for (int l = 0; l < large.Count; l++)
                    {
                        int slot;
                        if (shift)
                        {
                            var ml = large.Monomials[l];
                            if (ms.PairsBound(ml) > pairs.Length) pairs = new int[ms.PairsBound(ml)];
                            slot = target.Slot(pairs[..ms.WriteTimes(ml, pairs)]);
                        }
                        else slot = target.Slot(large.Monomials[l]);
                        target.AddProduct(slot, combined, large.Magnitude(l), negative ^ large.Negative[l]);
                    }
                }
            }
            if (partials is not null)
                foreach (var (ms, partial) in partials)
                    for (int s = 0; s < partial.Count; s++)
                    {
                        var mp = partial.MonomialAt(s);
                        if (ms.PairsBound(mp) > pairs.Length) pairs = new int[ms.PairsBound(mp)];
                        main.AddSlot(main.Slot(pairs[..ms.WriteTimes(mp, pairs)]), partial, s);
                    }
            // Kept in limbs (slot order, zeros dropped): the next recurrence step reads them as limbs again.
            return FromIntegers(main.ToIntegerTerms());
        }
        finally
        {
            // Also after an exhausted work budget: the next step reuses them.
            main.Release();
            if (partials is not null)
                foreach (var partial in partials.Values) partial.Release();
        }
    }

    /// <summary>
    /// |v| in <paramref name="destination"/> (long enough for |v| and a sign bit), trimmed to its used limbs: written as two's
    /// complement and negated in place when v &lt; 0, so no BigInteger is formed for the magnitude.
    /// </summary>
    private static ReadOnlySpan<ulong> WriteMagnitude(BigInteger v, Span<ulong> destination)
    {
        destination.Fill(v.Sign < 0 ? ulong.MaxValue : 0UL);
        if (!v.TryWriteBytes(MemoryMarshal.AsBytes(destination), out _, isUnsigned: false, isBigEndian: false))
            throw new InvalidOperationException("an integer does not fit the limbs given for it");
        if (v.Sign < 0) Limbs.Negate(destination);
        int n = destination.Length;
        while (n > 1 && destination[n - 1] == 0) n--;
        return destination[..n];
    }

    /// <summary>The product of two magnitudes (limbs, least significant first) into <paramref name="r"/>, trimmed.</summary>
    private static ReadOnlySpan<ulong> MultiplyMagnitudes(ReadOnlySpan<ulong> x, ReadOnlySpan<ulong> y, Span<ulong> r)
    {
        r = r[..(x.Length + y.Length)];
        r.Clear();
        for (int i = 0; i < x.Length; i++)
        {
            ulong carry = 0;
            for (int j = 0; j < y.Length; j++)
            {
                var t = (UInt128)x[i] * y[j] + r[i + j] + carry;
                r[i + j] = (ulong)t;
                carry = (ulong)(t >> 64);
            }
            r[i + y.Length] = carry;
        }
        int n = r.Length;
        while (n > 1 && r[n - 1] == 0) n--;
        return r[..n];
    }

    /// <summary>
    /// this / divisor: exact polynomial division when the divisor divides (so (b^2 - a^2)/(b - a) = a + b and a
    /// removable singularity scaled by a sum cancels), otherwise the product with the atom <c>divisor^-1</c>.
    /// </summary>
    public Poly DivideBy(Poly divisor)
    {
        if (divisor.TermCount > 1 && TryDivideExactly(divisor, out var quotient)) return quotient;
        return this * divisor.Reciprocal();
    }

    /// <summary>
    /// Brings the terms over one common denominator of sum atoms and cancels the sums that divide the
    /// numerator: p/(p-1)^2 - 1/(p-1) becomes 1/(p-1)^2 and b/(b-a) - a/(b-a) becomes 1. Each sum atom S
    /// appearing as S^-e is raised to the largest such power; the numerator is divided exactly by S as
    /// often as it goes. Polynomials are untouched.
    /// </summary>
    public Poly CancelDenominators()
    {
        var maxPower = new Dictionary<int, int>();
        // The monomials alone decide whether there is anything to cancel: read off the limbs' list when there is one.
        foreach (var m in Monomials)
            for (int i = 0; i < m.Length; i++)
                if (m.Exponent(i) < 0 && Atoms[m.AtomId(i)] is Sum)
                    maxPower[m.AtomId(i)] = Math.Max(maxPower.GetValueOrDefault(m.AtomId(i)), -m.Exponent(i));
        if (maxPower.Count == 0 || maxPower.Values.Sum() > 64) return this;
        if (maxPower.Count == 1 && !DenseOff)
        {
            var (id, kmax) = maxPower.First();
            if (Integers is { } integral)
            {
                if (CancelOneSumIntegral(integral, id, kmax, BigInteger.One) is { } cancelled) return cancelled;
            }
            else if (ClearedOfDenominators(out var lcm) is { } cleared && CancelOneSumIntegral(cleared, id, kmax, lcm) is { } cancelled)
                return cancelled;
        }

        var sums = maxPower.Keys.ToDictionary(id => id, id => FromExpr(Atoms[id]));
        // m = rest * prod S^-e  ->  rest * prod S^(kmax - e) over prod S^-kmax. Terms with the same powers e of the
        // sums share the lift, so each group's rests are added first and lifted once: the cost is that of one
        // polynomial per distinct denominator, not one per term (Eulerian-type numerators have O(n^2) terms).
        var ids = maxPower.Keys.ToArray();
        // Cleared of denominators (times their lcm D, divided out at the end) the lift multiplies integers, without
        // a gcd per term: the coefficients of a series share factorial denominators.
        var common = BigInteger.One;
        foreach (var c in TermMap.Values)
        {
            common = WithDenominator(common, c.Re.Denominator);
            if (!c.Im.IsZero) common = WithDenominator(common, c.Im.Denominator);
        }
        var clear = new GaussianRational(common, Rational.Zero);
        var groups = new Dictionary<EquatableArray, Builder>();
        foreach (var (m, c) in TermMap)
        {
            var (_, rest) = SplitSumDenominator(m);
            var e = new int[ids.Length];
            for (int i = 0; i < m.Length; i++)
            {
                int slot = Array.IndexOf(ids, m.AtomId(i));
                if (slot >= 0) e[slot] = -m.Exponent(i);
            }
            var key = new EquatableArray(e);
            if (!groups.TryGetValue(key, out var group)) groups[key] = group = new Builder();
            group.Add(rest, c * clear);
        }
        Poly n;
        if (ids.Length == 1)
        {
            // One sum S: numerator = sum_e rest_e S^(kmax - e), by Horner's rule from the smallest e (highest power).
            var s = sums[ids[0]];
            var byPower = groups.Select(g => (E: g.Key.Values[0], Part: g.Value.Build())).OrderBy(g => g.E).ToArray();
            var dense = DenseOff || HornerParts(byPower) is not { } parts ? null : DenseHorner(parts, s, maxPower[ids[0]]);
            if (dense is not null) DenseUses++;
            n = dense ?? SparseHorner(byPower, s, maxPower[ids[0]]);
        }
        else
        {
            // Several sums: each group times its product of cached powers of the sums.
            var powers = ids.ToDictionary(id => id, _ => new List<Poly> { One });
            Poly Power(int id, int k)
            {
                var list = powers[id];
                while (list.Count <= k) list.Add(list[^1] * sums[id]);
                return list[k];
            }
            var numerator = new Builder();
            foreach (var (key, group) in groups)
            {
                var lifted = group.Build();
                for (int slot = 0; slot < ids.Length; slot++) lifted *= Power(ids[slot], maxPower[ids[slot]] - key.Values[slot]);
                numerator.Add(lifted);
            }
            n = numerator.Build();
        }
        var denominator = Monomial.One;
        foreach (var (id, kmax) in maxPower)
        {
            int remaining = kmax;
            while (remaining > 0 && n.TryDivideExactly(sums[id], out var q)) { n = q; remaining--; }
            denominator = denominator.Multiply(Monomial.Atom(id, -remaining));
        }
        var result = new Builder(n.TermCount); // one term per term of n (the denominator multiplies each monomial apart)
        var restore = new GaussianRational(new Rational(BigInteger.One, common), Rational.Zero);
        foreach (var (m, c) in n.TermMap) result.Add(m.Multiply(denominator), c * restore);
        return result.Build();
    }

    /// <summary>
    /// <see cref="CancelDenominators"/> for integer coefficients (in limbs) over one sum S, when the dense lift applies: the
    /// same steps on the same terms in the same order (groups by the power e of S^-e, ascending; each group's rests in term
    /// order; the dense Horner lift; S divided out while it divides; the terms over S^-remaining), with the groups, the
    /// numerator and the result kept in limbs instead of a dictionary per group and per step. The lcm of the denominators
    /// is <paramref name="common"/>: the terms come cleared of it (times it, <see cref="ClearedOfDenominators"/>), and the
    /// result's coefficients are divided by it at the end, as the general path restores them. Null when a term holds S at
    /// a positive power or the dense lift does not apply (the general path decides then).
    /// </summary>
    private static Poly? CancelOneSumIntegral(IntegerTerms flat, int id, int kmax, BigInteger common)
    {
        int count = flat.Count;
        var powers = new int[count];
        var rests = new Monomial[count];
        int distinct = 0;
        var seen = new HashSet<int>();
        for (int i = 0; i < count; i++)
        {
            var m = flat.Monomials[i];
            rests[i] = m;
            for (int k = 0; k < m.Length; k++)
                if (m.AtomId(k) == id)
                {
                    if (m.Exponent(k) > 0) return null;
                    powers[i] = -m.Exponent(k);
                    rests[i] = m.Without(k);
                }
            if (seen.Add(powers[i])) distinct++;
        }
        // Ascending e (the general path orders its groups so; the keys are distinct), each group's terms in term order.
        var keys = new int[distinct];
        seen.CopyTo(keys);
        Array.Sort(keys);
        // Each group is a list of term indices into the limbs (no copy), read under the terms' rests.
        var sizes = new int[distinct];
        for (int i = 0; i < count; i++) sizes[Array.BinarySearch(keys, powers[i])]++;
        var parts = new HornerPart[distinct];
        var members = new int[distinct][];
        for (int g = 0; g < distinct; g++) members[g] = new int[sizes[g]];
        Array.Clear(sizes);
        for (int i = 0; i < count; i++)
        {
            int g = Array.BinarySearch(keys, powers[i]);
            members[g][sizes[g]++] = i;
        }
        for (int g = 0; g < distinct; g++) parts[g] = new HornerPart(keys[g], flat, members[g], rests);
        var s = FromExpr(Atoms[id]);
        if (DenseHorner(parts, s, kmax) is not { } n) return null;
        DenseUses++;
        int remaining = kmax;
        while (remaining > 0 && n.TryDivideExactly(s, out var q)) { n = q; remaining--; }
        var denominator = Monomial.Atom(id, -remaining);
        if (n._flat is not { } numerator || !common.IsOne)
        {
            // A quotient from the long division is a dictionary, and a restored coefficient a rational: the terms over the
            // denominator, divided by the lcm, as the general path forms them.
            var result = new Builder(n.TermCount);
            var restore = new GaussianRational(new Rational(BigInteger.One, common), Rational.Zero);
            foreach (var (m, c) in n.TermMap) result.Add(m.Multiply(denominator), c * restore);
            return result.Build();
        }
        var over = new Monomial[numerator.Count];
        for (int i = 0; i < over.Length; i++) over[i] = numerator.Monomials[i].Multiply(denominator);
        return FromIntegers(numerator.WithMonomials(over));
    }

    /// <summary>
    /// The terms times the lcm of their denominators (<paramref name="common"/>), as integers in limbs in term order: what
    /// <see cref="CancelDenominators"/> clears before its lift. Null when a coefficient has an imaginary part.
    /// </summary>
    private IntegerTerms? ClearedOfDenominators(out BigInteger common)
    {
        common = BigInteger.One;
        foreach (var c in TermMap.Values)
        {
            if (!c.Im.IsZero) return null;
            common = WithDenominator(common, c.Re.Denominator);
        }
        var monomials = new Monomial[TermCount];
        var values = new BigInteger[TermCount];
        int i = 0;
        foreach (var (m, c) in TermMap)
        {
            monomials[i] = m;
            values[i++] = c.Re.Denominator.IsOne ? c.Re.Numerator * common : c.Re.Numerator * (common / c.Re.Denominator);
        }
        return IntegerTerms.FromValues(monomials, values);
    }

    /// <summary>Off on this thread: the lift takes <see cref="SparseHorner"/> (tests compare the two).</summary>
    [ThreadStatic] internal static bool DenseOff;

    /// <summary>How often this thread's cancellations took the dense path (tests assert that it was taken).</summary>
    [ThreadStatic] internal static int DenseUses;

    /// <summary>sum_e part_e S^(kmax - e) by Horner's rule from the smallest e, in the ring.</summary>
    private static Poly SparseHorner((int E, Poly Part)[] byPower, Poly s, int kmax)
    {
        var acc = byPower[0].Part;
        for (int i = 1; i < byPower.Length; i++)
        {
            for (int k = byPower[i - 1].E; k < byPower[i].E; k++) acc = TimesInteger(acc, s);
            acc += byPower[i].Part;
        }
        for (int k = byPower[^1].E; k < kmax; k++) acc = TimesInteger(acc, s);
        return acc;
    }

    /// <summary>
    /// A part of the lift (<see cref="DenseHorner"/>): the terms of S^-E, integers in limbs. Either a whole polynomial's
    /// terms, or (one-sum cancellation) some terms of a larger one picked by index and read under their rests, with no copy.
    /// </summary>
    private readonly struct HornerPart(int e, IntegerTerms terms, int[]? members = null, Monomial[]? rests = null)
    {
        public int E => e;
        public int Count => members?.Length ?? terms.Count;
        public Monomial MonomialAt(int t) => members is null ? terms.Monomials[t] : rests![members[t]];
        public ReadOnlySpan<ulong> Magnitude(int t) => terms.Magnitude(members is null ? t : members[t]);
        public bool IsNegative(int t) => terms.Negative[members is null ? t : members[t]];

        /// <summary>At least every magnitude's bit length (the whole polynomial's largest: the lift's width bound).</summary>
        public long MaxBits => terms.MaxBits;
    }

    /// <summary>The parts of the general path's lift in limbs, or null when one has a coefficient that is not an integer.</summary>
    private static HornerPart[]? HornerParts((int E, Poly Part)[] byPower)
    {
        var parts = new HornerPart[byPower.Length];
        for (int g = 0; g < byPower.Length; g++)
        {
            if (byPower[g].Part.Integers is not { } flat) return null;
            parts[g] = new HornerPart(byPower[g].E, flat);
        }
        return parts;
    }

    /// <summary>
    /// <see cref="SparseHorner"/> when S is a polynomial in one atom a with integer coefficients and every part has integer
    /// coefficients and no negative power of a (the negative binomial's Eulerian numerators over (1 - p)^n): each part is
    /// split by the rest of its monomial into dense coefficient rows in powers of a, and multiplying by S is a short
    /// convolution of each row. The same polynomial, without a dictionary or monomial per term and step. Null otherwise.
    /// </summary>
    private static Poly? DenseHorner(HornerPart[] parts, Poly s, int kmax)
    {
        int atom = -1;
        var sRow = new List<(int Degree, BigInteger C)>();
        foreach (var (m, c) in s.TermMap)
        {
            if (m.Length > 1 || !c.Im.IsZero || !c.Re.IsInteger) return null;
            if (m.Length == 1)
            {
                if (m.Exponent(0) < 0 || (atom >= 0 && m.AtomId(0) != atom)) return null;
                atom = m.AtomId(0);
            }
            sRow.Add((m.Length == 0 ? 0 : m.Exponent(0), c.Re.Numerator));
        }
        if (atom < 0) return null;
        // Every part's terms in limbs (integer coefficients, term order): read without a BigInteger per term.
        foreach (var part in parts)
            for (int t = 0; t < part.Count; t++)
            {
                var m = part.MonomialAt(t);
                for (int i = 0; i < m.Length; i++) if (m.AtomId(i) == atom && m.Exponent(i) < 0) return null;
            }
        // Rows by the rest of the monomial (a removed); row[j] is the coefficient of a^j, a two's-complement integer of
        // 'width' limbs. Each step times S is a short convolution in place; a part adds its terms to the rows.
        // Bound: every part's coefficients are below 2^B, a step multiplies the largest magnitude by at most
        // L = sum |s_d|, so after all of them |row[j]| < (parts + 1) 2^B L^steps.
        long magnitudeSum = 0;
        foreach (var (_, c) in sRow)
        {
            if (BigInteger.Abs(c) > int.MaxValue) return null;
            magnitudeSum += (long)BigInteger.Abs(c);
        }
        int degree = sRow.Max(t => t.Degree);
        long partBits = 0;
        int maxExponent = 0;
        foreach (var part in parts)
        {
            partBits = Math.Max(partBits, part.MaxBits);
            for (int t = 0; t < part.Count; t++)
            {
                var m = part.MonomialAt(t);
                for (int i = 0; i < m.Length; i++) if (m.AtomId(i) == atom) maxExponent = Math.Max(maxExponent, m.Exponent(i));
            }
        }
        int steps = kmax - parts[0].E;
        double bits = partBits + Math.Ceiling(Math.Log2(parts.Length + 1.0)) + steps * Math.Ceiling(Math.Log2(Math.Max(1, magnitudeSum))) + 2;
        int width = (int)(bits / 64) + 1;
        int rowLength = maxExponent + steps * degree + 1; // the longest a row can grow
        var rowOf = new Dictionary<Monomial, int>();
        var rests = new List<Monomial>();
        var rows = new List<ulong[]>();
        var lengths = new List<int>(); // entries in use per row
        var scratch = new ulong[width];
        var term = new ulong[width];
        void Add(HornerPart part)
        {
            for (int t = 0; t < part.Count; t++)
            {
                var m = part.MonomialAt(t);
                int e = 0, at = -1;
                for (int i = 0; i < m.Length; i++) if (m.AtomId(i) == atom) { e = m.Exponent(i); at = i; }
                var rest = e == 0 ? m : m.Without(at);
                ref int index = ref CollectionsMarshal.GetValueRefOrAddDefault(rowOf, rest, out bool exists);
                if (!exists)
                {
                    index = rows.Count;
                    rests.Add(rest);
                    rows.Add(new ulong[rowLength * width]);
                    lengths.Add(0);
                }
                int r = index;
                lengths[r] = Math.Max(lengths[r], e + 1);
                // The coefficient in two's complement (its magnitude, negated to the width when negative), added to the entry.
                term.AsSpan().Clear();
                part.Magnitude(t).CopyTo(term);
                if (part.IsNegative(t)) Limbs.Negate(term);
                Limbs.AddScaled(rows[r].AsSpan(e * width, width), term, 1);
            }
        }
        void TimesS()
        {
            for (int r = 0; r < rows.Count; r++)
            {
                var row = rows[r];
                int length = lengths[r];
                WorkMeter.Spend(length * sRow.Count);
                // new[j] = sum_d s_d old[j - d], from the top down so that every old entry is read before it is replaced.
                for (int j = length - 1 + degree; j >= 0; j--)
                {
                    var acc = scratch.AsSpan();
                    acc.Clear();
                    foreach (var (d, c) in sRow)
                        if (j - d >= 0 && j - d < length) Limbs.AddScaled(acc, row.AsSpan((j - d) * width, width), (long)c);
                    acc.CopyTo(row.AsSpan(j * width, width));
                }
                lengths[r] = length + degree;
            }
        }
        Add(parts[0]);
        for (int i = 1; i < parts.Length; i++)
        {
            for (int k = parts[i - 1].E; k < parts[i].E; k++) TimesS();
            Add(parts[i]);
        }
        for (int k = parts[^1].E; k < kmax; k++) TimesS();
        // The non-zero entries, row by row and by ascending power of a (the order the terms were listed in before).
        var monomials = new List<Monomial>();
        var packed = new List<ulong>();
        for (int r = 0; r < rows.Count; r++)
            for (int j = 0; j < lengths[r]; j++)
            {
                var entry = rows[r].AsSpan(j * width, width);
                if (entry.IndexOfAnyExcept(0UL) < 0) continue;
                monomials.Add(j == 0 ? rests[r] : rests[r].Multiply(Monomial.Atom(atom, j)));
                foreach (var limb in entry) packed.Add(limb);
            }
        return FromIntegers(IntegerTerms.FromTwosComplement(CollectionsMarshal.AsSpan(monomials), CollectionsMarshal.AsSpan(packed), width));
    }

    /// <summary>a * b, in limbs when both have integer coefficients (the lift's operands, cleared of denominators).</summary>
    internal static Poly TimesInteger(Poly a, Poly b) => IntegerSumOfProducts(Zero, [(GaussianRational.One, a, b)]) ?? a * b;

    /// <summary>lcm(common, d), with the usual case (d already divides) settled by one remainder.</summary>
    private static BigInteger WithDenominator(BigInteger common, BigInteger d) =>
        d.IsOne || (common % d).IsZero ? common : common / BigInteger.GreatestCommonDivisor(common, d) * d;

    /// <summary>An int array compared by value, the key of a group of terms with equal powers of the sums.</summary>
    private readonly struct EquatableArray(int[] values) : IEquatable<EquatableArray>
    {
        public int[] Values { get; } = values;
        public bool Equals(EquatableArray other) => Values.AsSpan().SequenceEqual(other.Values);
        public override bool Equals(object? obj) => obj is EquatableArray a && Equals(a);
        public override int GetHashCode()
        {
            var h = new HashCode();
            foreach (var v in Values) h.Add(v);
            return h.ToHashCode();
        }
    }

    private static (Monomial Denominator, Monomial Remainder) SplitSumDenominator(Monomial m)
    {
        var denominator = Monomial.One;
        var rest = Monomial.One;
        for (int i = 0; i < m.Length; i++)
        {
            var part = Monomial.Atom(m.AtomId(i), m.Exponent(i));
            if (m.Exponent(i) < 0 && Atoms[m.AtomId(i)] is Sum) denominator = denominator.Multiply(part);
            else rest = rest.Multiply(part);
        }
        return (denominator, rest);
    }

    private bool TryDivideExactly(Poly divisor, out Poly quotient)
    {
        quotient = Zero;
        if (IsZero) return true;
        if (!AllPolynomial() || !divisor.AllPolynomial()) return false;
        // A divisor s0 + s1 a, linear in one atom, divides exactly iff this vanishes at a = -s0/s1 (the factor theorem over
        // the other atoms). Most tries fail (the negative binomial's Eulerian numerators are n! at p = 1), and this says so
        // in one pass instead of a long division; a "yes" still divides below.
        if (LinearRoot(divisor) is { } root && !VanishesAt(root.Atom, root.Value)) return false;
        var (leadDivisor, leadCoefficient) = Leading(divisor.TermMap);
        var remainder = new Builder(this);
        var q = new Builder();
        // Each step removes the remainder's leading term, so the loop ends (lex is a well-order on polynomials).
        for (int guard = 0; guard < 100_000; guard++)
        {
            var rest = remainder.Terms;
            if (rest.Count == 0) { quotient = q.Build(); return true; }
            WorkMeter.Spend(rest.Count + divisor.TermCount);
            var (lead, c) = Leading(rest);
            if (!lead.TryDivide(leadDivisor, out var m)) return false;
            var factor = c / leadCoefficient;
            q.Add(m, factor);
            foreach (var (dm, dc) in divisor.TermMap) remainder.Add(dm.Multiply(m), -(dc * factor));
        }
        return false;
    }

    /// <summary>(a, -s0/s1) for a divisor s0 + s1 a with real s0, s1 and one atom a at exponent 1; null otherwise.</summary>
    private static (int Atom, Rational Value)? LinearRoot(Poly divisor)
    {
        if (divisor.TermCount != 2) return null;
        Rational s0 = Rational.Zero, s1 = Rational.Zero;
        int atom = -1;
        foreach (var (m, c) in divisor.TermMap)
        {
            if (!c.IsReal) return null;
            if (m.Length == 0) s0 = c.Re;
            else if (m.Length == 1 && m.Exponent(0) == 1) { atom = m.AtomId(0); s1 = c.Re; }
            else return null;
        }
        if (atom < 0 || s0.IsZero || s1.IsZero) return null;
        return (atom, -s0 / s1);
    }

    /// <summary>Whether every monomial is a true polynomial monomial (read off the limbs' list when there is one).</summary>
    private bool AllPolynomial()
    {
        foreach (var m in Monomials)
            if (!m.IsPolynomial) return false;
        return true;
    }

    /// <summary>Whether the polynomial is zero with <paramref name="atom"/> replaced by <paramref name="value"/> (every other atom kept).</summary>
    private bool VanishesAt(int atom, Rational value)
    {
        if (_map is null && (value.IsOne || value == Rational.MinusOne)) return VanishesAtUnit(_flat!, atom, value.Sign < 0);
        var sums = new Dictionary<Monomial, GaussianRational>();
        var powers = new List<Rational> { Rational.One };
        foreach (var (m, c) in TermMap)
        {
            int e = 0;
            for (int i = 0; i < m.Length; i++) if (m.AtomId(i) == atom) e = m.Exponent(i);
            while (powers.Count <= e) powers.Add(powers[^1] * value);
            var rest = e == 0 ? m : m.Multiply(Monomial.Atom(atom, -e));
            ref var sum = ref CollectionsMarshal.GetValueRefOrAddDefault(sums, rest, out _);
            sum += e == 0 ? c : c * powers[e];
        }
        foreach (var sum in sums.Values) if (!sum.IsZero) return false;
        return true;
    }

    /// <summary>
    /// <see cref="VanishesAt"/> at a = +-1 for integer terms in limbs: the terms are summed per rest of their monomial (a
    /// removed) with the sign (-1)^e at a = -1, in fixed-width integers wide enough for the sum of all of them.
    /// </summary>
    private static bool VanishesAtUnit(IntegerTerms flat, int atom, bool minusOne)
    {
        int width = (int)((flat.MaxBits + (long)Math.Ceiling(Math.Log2(flat.Count + 1.0)) + 2) / 64) + 1;
        var acc = IntegerAccumulator.Rent(width, flat.Count + 16);
        try
        {
            Span<int> pairs = stackalloc int[64];
            for (int i = 0; i < flat.Count; i++)
            {
                var m = flat.Monomials[i];
                if (2 * m.Length > pairs.Length) pairs = new int[2 * m.Length];
                int length = 0, e = 0;
                for (int k = 0; k < m.Length; k++)
                {
                    if (m.AtomId(k) == atom) { e = m.Exponent(k); continue; }
                    pairs[length++] = m.AtomId(k);
                    pairs[length++] = m.Exponent(k);
                }
                acc.Add(acc.Slot(pairs[..length]), flat.Magnitude(i), flat.Negative[i] ^ (minusOne && (e & 1) != 0));
            }
            for (int slot = 0; slot < acc.Count; slot++)
                if (!acc.IsZero(slot)) return false;
            return true;
        }
        finally { acc.Release(); }
    }

    private static (Monomial, GaussianRational) Leading(Dictionary<Monomial, GaussianRational> terms)
    {
        var best = default(KeyValuePair<Monomial, GaussianRational>);
        bool first = true;
        foreach (var kv in terms)
            if (first || kv.Key.CompareLex(best.Key) > 0) { best = kv; first = false; }
        return (best.Key, best.Value);
    }

    /// <summary>1/a: a monomial inverts exactly; anything else becomes the atom <c>a^-1</c>.</summary>
    public Poly Reciprocal()
    {
        if (IsZero) throw new SymbolicException("division by zero");
        // Kept: a recurrence divides by the same a_0 at every step (a polynomial is immutable, so its reciprocal is too).
        return _reciprocal ??= Compute();

        Poly Compute()
        {
            if (TermCount == 1)
            {
                var (m, c) = TermMap.First();
                return new Poly(new Dictionary<Monomial, GaussianRational> { [m.Inverse()] = c.Reciprocal() });
            }
            return FromExpr(Ex.Pow(ToExpr(), Ex.MinusOne));
        }
    }

    private Poly? _reciprocal;

    private sealed class Builder
    {
        private readonly Dictionary<Monomial, GaussianRational> _map;

        public Builder() => _map = new Dictionary<Monomial, GaussianRational>();
        public Builder(int capacity) => _map = new Dictionary<Monomial, GaussianRational>(capacity);
        public Builder(Poly start) => _map = new Dictionary<Monomial, GaussianRational>(start.TermMap);

        /// <summary>Starts from <paramref name="start"/>'s terms (in its order) with room for <paramref name="more"/> further ones.</summary>
        public Builder(Poly start, int more)
        {
            _map = new Dictionary<Monomial, GaussianRational>(start.TermCount + more);
            foreach (var (m, c) in start.TermMap) _map.Add(m, c);
        }

        public void Add(Monomial m, GaussianRational c)
        {
            if (c.IsZero) return;
            // One hash lookup: the slot is found (or made) once and updated in place.
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_map, m, out bool exists);
            if (!exists) { slot = c; return; }
            slot += c;
            if (slot.IsZero) _map.Remove(m);
        }

        public void Add(Poly p)
        {
            foreach (var (m, c) in p.TermMap) Add(m, c);
        }

        public Dictionary<Monomial, GaussianRational> Terms => _map;

        public Poly Build() => _map.Count == 0 ? Zero : new Poly(_map);
    }
}
