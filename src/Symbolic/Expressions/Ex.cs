using System.Collections.Immutable;
using System.Numerics;
using System.Runtime.InteropServices;

namespace SeriesCompiler.Symbolic.Expressions;

/// <summary>
/// The one factory of expression nodes. Every constructor below returns the canonical form described on
/// <see cref="Expr"/>: sums and products flattened, sorted and merged, constants folded exactly,
/// products distributed over sums, equal nodes shared.
/// </summary>
public static class Ex
{
    /// <summary>Largest integer power of a sum that is expanded; higher powers stay as atoms.</summary>
    public const int MaxExpandedPower = 64;

    /// <summary>
    /// Most terms an expanded power of a sum may have: (a + b + c + d)^64 would have C(67, 3) = 47905, each built by
    /// 63 rounds of products, so it stays a power (an atom) like the powers above <see cref="MaxExpandedPower"/>.
    /// Binomials expand to every power up to 64, trinomials up to the 43rd (C(45, 2) = 990 terms). An expanded power
    /// also multiplies the work downstream: d/dx S^65 = 65 S^64 S' would otherwise expand S^64 again.
    /// </summary>
    public const int MaxExpandedPowerTerms = 1000;

    /// <summary>Terms of (x_1 + ... + x_m)^n expanded: the monomials of degree n in m variables, C(n + m - 1, m - 1).</summary>
    private static double ExpandedPowerTerms(int m, int n)
    {
        double count = 1;
        for (int k = 1; k < m && count <= MaxExpandedPowerTerms; k++) count = count * (n + k) / k;
        return count;
    }

    /// <summary>Most terms one expansion of a product of sums may create; beyond it the expression is refused.</summary>
    public const int MaxExpandedTerms = 200_000;

    /// <summary>Largest size, in bits, of an exact constant; beyond it the operation is refused.</summary>
    public const long MaxConstantBits = 1 << 20;

    // The table of shared nodes: a hash set under one lock rather than a concurrent dictionary, because almost every
    // node interned by a derivation is new (10^5 terms at order 64), and a set adds one array slot per node where the
    // dictionary allocates an entry object and takes a lock anyway. Presized for a small run (a few thousand nodes for
    // `check --order 2` over the bundled declarations); a derivation at order 64 grows it by doubling. Presizing for
    // order 64 (1 << 16) cost every short run 1.4 MB of large-object arrays, zeroed and faulted in at start.
    private static readonly HashSet<Expr> Interned = new(1 << 12);
    private static readonly Lock InternGate = new();

    public static readonly Number Zero = (Number)Num(GaussianRational.Zero);
    public static readonly Number One = (Number)Num(GaussianRational.One);
    public static readonly Number MinusOne = (Number)Num(new GaussianRational(Rational.MinusOne, Rational.Zero));
    public static readonly Number Half = (Number)Num(new GaussianRational(Rational.Half, Rational.Zero));
    public static readonly Number I = (Number)Num(GaussianRational.I);
    public static readonly Symbol Pi = Sym("pi", SymbolKind.Constant);
    /// <summary>Euler's constant gamma_E = -psi(1).</summary>
    public static readonly Symbol EulerGamma = Sym("euler_gamma", SymbolKind.Constant);

    private static T Intern<T>(T e) where T : Expr
    {
        // Every node built costs its hashing and interning: metered with its number of arguments.
        WorkMeter.Spend(e is NaryExpr n ? 1 + n.Args.Length : 1);
        lock (InternGate)
        {
            if (Interned.TryGetValue(e, out var shared)) return (T)shared;
            Interned.Add(e);
            return e;
        }
    }

    public static Expr Num(GaussianRational value)
    {
        if (value.BitLength > MaxConstantBits) throw new SymbolicException("an exact constant grew beyond " + MaxConstantBits + " bits");
        return Intern(new Number(value));
    }
    public static Expr Num(Rational value) => Num((GaussianRational)value);
    public static Expr Num(int value) => Num((GaussianRational)value);
    public static Expr Num(BigInteger n, BigInteger d) => Num(new Rational(n, d));

    public static Symbol Sym(string name, SymbolKind kind = SymbolKind.Parameter) => Intern(new Symbol(name, kind));

    // ---- sums -------------------------------------------------------------------------------

    public static Expr Add(Expr a, Expr b) => Add([a, b]);
    public static Expr Neg(Expr a) => Mul(MinusOne, a);
    public static Expr Sub(Expr a, Expr b) => Add(a, Neg(b));

    public static Expr Add(params ReadOnlySpan<Expr> terms)
    {
        var constant = GaussianRational.Zero;
        // The distinct non-constant parts in first-seen order with their summed coefficients: found by a linear search
        // while there are few (most sums), through an index (part -> position) once there are many.
        var order = new List<Expr>();
        var coefficients = new List<GaussianRational>();
        Dictionary<Expr, int>? positions = null;

        int Find(Expr rest)
        {
            if (positions is not null) return positions.TryGetValue(rest, out int at) ? at : -1;
            for (int i = 0; i < order.Count; i++) if (order[i].Equals(rest)) return i;
            return -1;
        }

        void Accumulate(Expr term)
        {
            WorkMeter.Spend(1);
            switch (term)
            {
                case Number n: constant += n.Value; return;
                case Sum s: foreach (var t in s.Args) Accumulate(t); return;
            }
            var (coefficient, rest) = SplitCoefficient(term);
            int known = Find(rest);
            if (known >= 0) { coefficients[known] += coefficient; return; }
            order.Add(rest);
            coefficients.Add(coefficient);
            if (positions is not null) positions[rest] = order.Count - 1;
            else if (order.Count > 16)
            {
                positions = new Dictionary<Expr, int>(2 * order.Count);
                for (int i = 0; i < order.Count; i++) positions[order[i]] = i;
            }
        }

        foreach (var t in terms) Accumulate(t);

        var kept = new List<Expr>(order.Count);
        // The parts sorted from their first-seen order, as always; each one's coefficient found where it was summed.
        var sorted = new List<Expr>(order);
        ExprComparer.Sort(sorted);
        foreach (var rest in sorted)
        {
            var c = coefficients[Find(rest)];
            if (!c.IsZero) kept.Add(WithCoefficient(c, rest));
        }
        if (kept.Count == 0) return Num(constant);
        if (kept.Count == 1 && constant.IsZero) return kept[0];
        var args = ImmutableArray.CreateBuilder<Expr>(kept.Count + 1);
        if (!constant.IsZero) args.Add(Num(constant));
        args.AddRange(kept);
        return Intern(new Sum(args.ToImmutable()));
    }

    /// <summary>
    /// <c>c * f1 * f2 ...</c> for factors already canonical, sorted and with distinct bases (the series
    /// engine's monomials): built directly, without re-merging.
    /// </summary>
    internal static Expr CanonicalTerm(GaussianRational c, List<Expr> sortedFactors) => BuildProduct(c, sortedFactors);

    /// <summary>A sum of canonical terms with pairwise distinct non-constant parts: sorted and built directly.</summary>
    internal static Expr CanonicalSum(GaussianRational constant, List<Expr> terms)
    {
        if (terms.Count == 0) return Num(constant);
        if (terms.Count == 1 && constant.IsZero) return terms[0];
        var keyed = terms.Select(t => (Key: SplitCoefficient(t).Term, Term: t)).ToList();
        ExprComparer.Sort(keyed, (a, b) => ExprComparer.Instance.Compare(a.Key, b.Key));
        var args = ImmutableArray.CreateBuilder<Expr>(terms.Count + 1);
        if (!constant.IsZero) args.Add(Num(constant));
        foreach (var k in keyed) args.Add(k.Term);
        return Intern(new Sum(args.ToImmutable()));
    }

    /// <summary>
    /// A sum of canonical terms with pairwise distinct non-constant parts, already in canonical order (the series
    /// engine sorts its monomials by their atoms' ranks, which is this order): built without comparing expressions.
    /// </summary>
    internal static Expr SortedSum(GaussianRational constant, List<Expr> sortedTerms)
    {
        if (sortedTerms.Count == 0) return Num(constant);
        if (sortedTerms.Count == 1 && constant.IsZero) return sortedTerms[0];
        int offset = constant.IsZero ? 0 : 1;
        var args = new Expr[sortedTerms.Count + offset];
        if (offset == 1) args[0] = Num(constant);
        sortedTerms.CopyTo(args, offset);
        return Intern(new Sum(ImmutableCollectionsMarshal.AsImmutableArray(args)));
    }

    /// <summary>Splits <c>3*x*y</c> into <c>(3, x*y)</c>.</summary>
    public static (GaussianRational Coefficient, Expr Term) SplitCoefficient(Expr term)
    {
        if (term is Number n) return (n.Value, One);
        if (term is Product p && p.Args[0] is Number c)
        {
            var rest = p.Args.Length == 2 ? p.Args[1] : Intern(new Product(p.Args.RemoveAt(0)));
            return (c.Value, rest);
        }
        return (GaussianRational.One, term);
    }

    /// <summary><c>c * rest</c> for a canonical non-constant product or atom <paramref name="rest"/>; no re-canonicalisation needed.</summary>
    private static Expr WithCoefficient(GaussianRational c, Expr rest)
    {
        if (c.IsOne) return rest;
        if (rest is Product p) return Intern(new Product(p.Args.Insert(0, Num(c))));
        return Intern(new Product([Num(c), rest]));
    }

    // ---- products ---------------------------------------------------------------------------

    public static Expr Mul(Expr a, Expr b) => Mul([a, b]);
    public static Expr Div(Expr a, Expr b) => Mul(a, Pow(b, MinusOne));

    public static Expr Mul(params ReadOnlySpan<Expr> factors) => Mul(factors, remerge: true);

    private static Expr Mul(ReadOnlySpan<Expr> factors, bool remerge)
    {
        var coefficient = GaussianRational.One;
        // The distinct bases in first-seen order with their summed exponents. Most products have a handful of factors:
        // a base is found by a linear search then, and through an index (base -> position) only once there are many.
        var bases = new List<Expr>();
        var exponents = new List<Expr>();
        Dictionary<Expr, int>? positions = null;
        Expr? expArgument = null; // exp(a)*exp(b) = exp(a + b)

        int Find(Expr b)
        {
            if (positions is not null) return positions.TryGetValue(b, out int at) ? at : -1;
            for (int i = 0; i < bases.Count; i++) if (bases[i].Equals(b)) return i;
            return -1;
        }

        void Accumulate(Expr factor)
        {
            WorkMeter.Spend(1);
            switch (factor)
            {
                case Number n: coefficient *= n.Value; return;
                case Product p: foreach (var f in p.Args) Accumulate(f); return;
                case Call { Function: Function.Exp } ex: expArgument = expArgument is null ? ex.Arg : Add(expArgument, ex.Arg); return;
            }
            var (b, e) = ExprComparer.SplitPower(factor);
            if (b is Sum sum && e is Number { IsReal: true } ie && ie.Re.IsInteger)
            {
                // (2a - 2b) next to (a - b)^-1: write the sum as 2*(a - b) so the two bases meet.
                var (content, primitive) = Primitive(sum);
                if (!content.IsOne && TryPowConstant(content, ie.Re.Numerator, out var power))
                {
                    coefficient *= power;
                    b = primitive;
                }
            }
            int known = Find(b);
            if (known >= 0) { exponents[known] = Add(exponents[known], e); return; }
            bases.Add(b);
            exponents.Add(e);
            if (positions is not null) positions[b] = bases.Count - 1;
            else if (bases.Count > 16)
            {
                positions = new Dictionary<Expr, int>(2 * bases.Count);
                for (int i = 0; i < bases.Count; i++) positions[bases[i]] = i;
            }
        }

        foreach (var f in factors) Accumulate(f);
        if (coefficient.IsZero) return Zero;

        // Raise each base to its merged exponent; the results may be constants, products or sums.
        var plain = new List<Expr>();
        var sums = new List<Sum>();
        void Place(Expr powered)
        {
            switch (powered)
            {
                case Number n: coefficient *= n.Value; break;
                case Product p:
                    foreach (var f in p.Args)
                        if (f is Number c) coefficient *= c.Value; else plain.Add(f);
                    break;
                case Sum s: sums.Add(s); break;
                default: plain.Add(powered); break;
            }
        }
        for (int i = 0; i < bases.Count; i++)
        {
            var e = exponents[i];
            if (e.IsZero) continue;
            Place(Pow(bases[i], e));
        }
        if (expArgument is not null) Place(Exp(expArgument));
        if (coefficient.IsZero) return Zero;

        // Pow may have produced repeated bases again (e.g. (2*x)^-1 next to x): merge once more if so.
        // Once only: a second pass that still finds repeated bases would find them forever (a canonical-form gap,
        // not a reason to overflow the stack); the product is then built as it stands.
        if (remerge && HasRepeatedBases(plain))
        {
            var again = new Expr[plain.Count + 1 + sums.Count];
            again[0] = Num(coefficient);
            plain.CopyTo(again, 1);
            for (int i = 0; i < sums.Count; i++) again[plain.Count + 1 + i] = sums[i];
            return Mul(again, remerge: false);
        }

        ExprComparer.Sort(plain);
        Expr product = BuildProduct(coefficient, plain);
        if (sums.Count == 0) return product;

        // Distribute over the sums: the expanded form is what makes polynomial identities visible.
        var terms = new List<Expr> { product };
        long expected = 1;
        foreach (var s in sums) expected *= s.Args.Length;
        if (expected > MaxExpandedTerms)
            throw new SymbolicException($"expanding a product of sums would create more than {MaxExpandedTerms} terms");
        foreach (var s in sums)
        {
            var next = new List<Expr>(terms.Count * s.Args.Length);
            foreach (var t in terms)
                foreach (var u in s.Args)
                    next.Add(Mul(t, u));
            terms = next;
        }
        return Add(terms.ToArray());
    }

    /// <summary>A sum as <c>content * primitive</c>, the primitive's first non-constant term having coefficient 1.</summary>
    internal static (GaussianRational Content, Expr Primitive) Primitive(Sum s)
    {
        var first = s.Args[0] is Number ? s.Args[1] : s.Args[0];
        var (c, _) = SplitCoefficient(first);
        if (c.IsOne) return (c, s);
        // Scale term by term (not through Mul, which would normalise this very sum again).
        var inverse = c.Reciprocal();
        var terms = new Expr[s.Args.Length];
        for (int i = 0; i < terms.Length; i++)
        {
            var (k, rest) = SplitCoefficient(s.Args[i]);
            terms[i] = rest.IsOne ? Num(k * inverse) : WithCoefficient(k * inverse, rest);
        }
        return (c, Add(terms));
    }

    /// <summary>(a1 + a2 + ...) * (b1 + b2 + ...) expanded term by term.</summary>
    private static Expr Distribute(Expr a, Sum b)
    {
        var aTerms = a is Sum sa ? sa.Args : [a];
        if ((long)aTerms.Length * b.Args.Length > MaxExpandedTerms)
            throw new SymbolicException($"expanding a product of sums would create more than {MaxExpandedTerms} terms");
        var products = new Expr[aTerms.Length * b.Args.Length];
        int i = 0;
        foreach (var x in aTerms)
            foreach (var y in b.Args)
                products[i++] = Mul(x, y);
        return Add(products);
    }

    private static bool HasRepeatedBases(List<Expr> factors)
    {
        if (factors.Count < 2) return false;
        var seen = new HashSet<Expr>();
        foreach (var f in factors)
            if (!seen.Add(ExprComparer.SplitPower(f).Base)) return true;
        return false;
    }

    private static Expr BuildProduct(GaussianRational coefficient, List<Expr> factors)
    {
        if (factors.Count == 0) return Num(coefficient);
        if (factors.Count == 1 && coefficient.IsOne) return factors[0];
        // One exact array, wrapped without a copy (a builder would allocate and then copy).
        int offset = coefficient.IsOne ? 0 : 1;
        var args = new Expr[factors.Count + offset];
        if (offset == 1) args[0] = Num(coefficient);
        factors.CopyTo(args, offset);
        return Intern(new Product(ImmutableCollectionsMarshal.AsImmutableArray(args)));
    }

    // ---- powers -----------------------------------------------------------------------------

    public static Expr Pow(Expr b, Expr e)
    {
        if (e.IsZero) return One;
        if (e.IsOne) return b;
        if (b.IsOne) return One;
        if (b is Number nb && e is Number ne && ne.IsReal)
            return PowNumber(nb.Value, ne.Re);
        if (b.IsZero)
            return e is Number { IsReal: true } z && z.Re.Sign > 0 ? Zero : throw new SymbolicException("0 raised to a non-positive or symbolic power");

        // exp(x)^a = exp(a x) for real x and a, and near t = 0 for the series (the principal branch of the power is
        // the analytic continuation from real arguments). One form for every power of exp lets products merge
        // exponents in one place (exp(x)^(1/2) * exp(x) = exp(3x/2)) instead of meeting exp(x) as two kinds of base.
        if (b is Call { Function: Function.Exp } exponential && (e is not Number number || number.IsReal))
            return Exp(Mul(e, exponential.Arg));

        if (e is Number { IsReal: true } exponent && exponent.Re.IsInteger)
        {
            var n = exponent.Re.Numerator;
            switch (b)
            {
                // (x^a)^n = x^(a n) for integer n.
                case Power p: return Pow(p.Base, Mul(p.Exponent, e));
                // (x y)^n = x^n y^n for integer n.
                case Product p:
                {
                    var parts = new Expr[p.Args.Length];
                    for (int i = 0; i < parts.Length; i++) parts[i] = Pow(p.Args[i], e);
                    return Mul(parts);
                }
                case Sum s when n.Sign > 0 && n <= MaxExpandedPower && ExpandedPowerTerms(s.Args.Length, (int)n) <= MaxExpandedPowerTerms:
                {
                    // Multiply term by term: going through Mul would merge s*s back into s^2.
                    Expr result = s;
                    for (int k = 1; k < (int)n; k++) result = Distribute(result, s);
                    return result;
                }
                case Sum s when n.Sign < 0:
                {
                    // Normalise the base so that its first non-constant term has coefficient 1:
                    // (2a - 2b)^-1 = 2^-1 (a - b)^-1, so equal denominators are recognised.
                    var (c, primitive) = Primitive(s);
                    if (!c.IsOne && TryPowConstant(c, n, out var power)) return Mul(Num(power), Pow(primitive, e));
                    break;
                }
            }
        }
        return Intern(new Power(b, e));
    }

    private static Expr PowNumber(GaussianRational b, Rational e)
    {
        if (e.IsInteger)
        {
            if (BigInteger.Abs(e.Numerator) > int.MaxValue) throw new SymbolicException("exponent too large");
            int n = (int)e.Numerator;
            if (b.IsZero) return n > 0 ? Zero : throw new SymbolicException("division by zero");
            if ((double)b.BitLength * Math.Abs(n) > MaxConstantBits) throw new SymbolicException("an exact power grew beyond " + MaxConstantBits + " bits");
            return Num(b.Pow(n));
        }
        // Exact roots of rational constants where they exist (4^(1/2) = 2); otherwise keep the power.
        if (b.IsReal && b.Re.Sign > 0 && e.Denominator <= 64)
        {
            int q = (int)e.Denominator;
            if (TryRoot(b.Re.Numerator, q, out var rn) && TryRoot(b.Re.Denominator, q, out var rd))
                return PowNumber(new Rational(rn, rd), e.Numerator);
        }
        if (b.IsZero) return e.Sign > 0 ? Zero : throw new SymbolicException("division by zero");
        return Intern(new Power(Num(b), Num(e)));
    }

    /// <summary>c^n exactly, unless the result would pass <see cref="MaxConstantBits"/> (then false: the caller keeps the power symbolic).</summary>
    private static bool TryPowConstant(GaussianRational c, BigInteger n, out GaussianRational power)
    {
        power = GaussianRational.One;
        if (c.IsOne) return true;
        if (c.IsReal && c.Re == Rational.MinusOne) { power = n.IsEven ? GaussianRational.One : c; return true; }
        if (BigInteger.Abs(n) > int.MaxValue || (double)c.BitLength * (double)BigInteger.Abs(n) > MaxConstantBits) return false;
        power = c.Pow((int)n);
        return true;
    }

    private static bool TryRoot(BigInteger x, int q, out BigInteger root)
    {
        root = BigInteger.Zero;
        if (x.Sign < 0) return false;
        if (x.IsZero || x.IsOne) { root = x; return true; }
        var guess = new BigInteger(Math.Round(Math.Exp(BigInteger.Log(x) / q)));
        for (var r = guess - 1; r <= guess + 1; r++)
            if (r.Sign > 0 && BigInteger.Pow(r, q) == x) { root = r; return true; }
        return false;
    }

    public static Expr Pow(Expr b, int e) => Pow(b, Num(e));
    public static Expr Sqrt(Expr x) => Pow(x, Half);

    // ---- functions --------------------------------------------------------------------------

    public static Expr Exp(Expr x)
    {
        if (x.IsZero) return One;
        if (x is Call { Function: Function.Log } l) return l.Arg;   // exp(log y) = y
        return Intern(new Call(Function.Exp, [x]));
    }

    public static Expr Log(Expr x)
    {
        if (x.IsOne) return Zero;
        if (x.IsZero) throw new SymbolicException("log(0)");
        if (x is Call { Function: Function.Exp } e) return e.Arg;  // log(exp y) = y for real y
        return Intern(new Call(Function.Log, [x]));
    }

    // Purely imaginary arguments (after w = -i t): sin(i y) = i sinh(y), cos(i y) = cosh(y),
    // tan(i y) = i tanh(y), and the same with the roles of the circular and hyperbolic functions swapped.
    private static bool TryImaginary(Expr x, out Expr y)
    {
        y = x;
        if (x is Number { IsReal: false } n && n.Value.Re.IsZero) { y = Num(n.Value.Im); return true; }
        if (x is Product { Args: [Number { IsReal: false } c, ..] } p && c.Value.Re.IsZero)
        {
            y = Mul([Num(c.Value.Im), .. p.Args.RemoveAt(0)]);
            return true;
        }
        return false;
    }

    public static Expr Sin(Expr x) => x.IsZero ? Zero : TryImaginary(x, out var y) ? Mul(I, Sinh(y)) : Intern(new Call(Function.Sin, [x]));
    public static Expr Cos(Expr x) => x.IsZero ? One : TryImaginary(x, out var y) ? Cosh(y) : Intern(new Call(Function.Cos, [x]));
    public static Expr Tan(Expr x) => x.IsZero ? Zero : TryImaginary(x, out var y) ? Mul(I, Tanh(y)) : Intern(new Call(Function.Tan, [x]));
    public static Expr Sinh(Expr x) => x.IsZero ? Zero : TryImaginary(x, out var y) ? Mul(I, Sin(y)) : Intern(new Call(Function.Sinh, [x]));
    public static Expr Cosh(Expr x) => x.IsZero ? One : TryImaginary(x, out var y) ? Cos(y) : Intern(new Call(Function.Cosh, [x]));
    public static Expr Tanh(Expr x) => x.IsZero ? Zero : TryImaginary(x, out var y) ? Mul(I, Tan(y)) : Intern(new Call(Function.Tanh, [x]));
    public static Expr Atan(Expr x) => x.IsZero ? Zero : Intern(new Call(Function.Atan, [x]));
    public static Expr Sign(Expr x) => x is Number { IsReal: true } n ? Num(n.Re.Sign) : Intern(new Call(Function.Sign, [x]));
    public static Expr Abs(Expr x) => x is Number { IsReal: true } n ? Num(n.Re.Sign < 0 ? -n.Re : n.Re) : Intern(new Call(Function.Abs, [x]));

    /// <summary>log Gamma(x); exact at positive integers: lgamma(n) = log((n-1)!).</summary>
    public static Expr LogGamma(Expr x)
    {
        if (x is Number { IsReal: true } n && n.Re.IsInteger && n.Re.Sign > 0 && n.Re.Numerator <= 1000)
            return Log(Num(Rational.Factorial((int)n.Re.Numerator - 1)));
        if (x is Number { IsReal: true } z && z.Re.IsInteger && z.Re.Sign <= 0)
            throw new SymbolicException("lgamma has a pole at a non-positive integer");
        return Intern(new Call(Function.LogGamma, [x]));
    }

    public static Expr Digamma(Expr x) => Polygamma(0, x);

    /// <summary>
    /// psi^(m)(x). Exact at 1: psi(1) = -gamma_E, psi^(m)(1) = (-1)^(m+1) m! zeta(m+1). At larger integers the
    /// exact form psi^(m)(n+1) = psi^(m)(n) + (-1)^m m!/n^(m+1) cancels catastrophically in doubles, so the
    /// call is kept and evaluated numerically.
    /// </summary>
    public static Expr Polygamma(int m, Expr x)
    {
        if (x.IsOne)
        {
            var factorial = Rational.Factorial(m);
            return m == 0 ? Neg(EulerGamma) : Mul(Num((m % 2 == 1 ? Rational.One : Rational.MinusOne) * factorial), Zeta(m + 1));
        }
        if (x is Number { IsReal: true } z && z.Re.IsInteger && z.Re.Sign <= 0)
            throw new SymbolicException("polygamma has a pole at a non-positive integer");
        return Intern(new Call(Function.Polygamma, [Num(m), x]));
    }

    /// <summary>zeta(n) for an integer n >= 2; exact for even n: zeta(2k) = (-1)^(k+1) B_2k (2 pi)^2k / (2 (2k)!).</summary>
    public static Expr Zeta(int n)
    {
        if (n < 2) throw new SymbolicException("zeta is only defined here at integers >= 2");
        if (n % 2 == 0)
        {
            int k = n / 2;
            var sign = k % 2 == 1 ? Rational.One : Rational.MinusOne;
            var c = sign * Bernoulli.Number(n) * ((Rational)2).Pow(n) / (2 * Rational.Factorial(n));
            return Mul(Num(c), Pow(Pi, n));
        }
        return Intern(new Call(Function.Zeta, [Num(n)]));
    }

    /// <summary>Applies a unary function by its tag (the binder's and the substitution's entry point), as its registry entry builds it.</summary>
    public static Expr Apply(Function function, Expr x) =>
        function is Function.Polygamma or Function.Zeta
            ? throw new ArgumentException($"{function} is not unary", nameof(function))
            : Rebuild(function, [x]);

    /// <summary>Rebuilds a call with new arguments through the factory (so it is canonical again).</summary>
    public static Expr Rebuild(Call call, IReadOnlyList<Expr> args) => Rebuild(call.Function, args);

    private static Expr Rebuild(Function function, IReadOnlyList<Expr> args) =>
        Functions.FunctionRegistry.Owner(function).Build([.. args]);

    public static int IntegerValue(Expr e) =>
        e is Number { IsReal: true } n && n.Re.IsInteger && BigInteger.Abs(n.Re.Numerator) < 100_000
            ? (int)n.Re.Numerator
            : throw new SymbolicException($"expected a small integer, found {e}");
}
