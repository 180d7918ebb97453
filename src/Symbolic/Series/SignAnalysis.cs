using SeriesCompiler.Symbolic.Binding;
using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Symbolic.Series;

/// <summary>
/// A real interval with exact rational ends (null: unbounded) and a flag per end saying whether the end itself is
/// excluded. Every operation over-approximates: an end is marked excluded only when it provably cannot be reached,
/// so a sign read from an interval is a proof, and an undecided sign is simply "unknown".
/// </summary>
internal readonly record struct RealInterval(Rational? Lo, bool LoOpen, Rational? Hi, bool HiOpen)
{
    public static readonly RealInterval All = new(null, true, null, true);
    public static readonly RealInterval Positive = new(Rational.Zero, true, null, true);
    public static RealInterval Point(Rational x) => new(x, false, x, false);

    public bool IsPositive => Lo is { } lo && (lo.Sign > 0 || (lo.IsZero && LoOpen));
    public bool IsNegative => Hi is { } hi && (hi.Sign < 0 || (hi.IsZero && HiOpen));
    public bool IsNonNegative => Lo is { } lo && lo.Sign >= 0;
    public bool IsNonPositive => Hi is { } hi && hi.Sign <= 0;
    public bool IsZero => Lo is { IsZero: true } && Hi is { IsZero: true };

    public RealInterval Negate() => new(Hi is { } h ? -h : null, HiOpen, Lo is { } l ? -l : null, LoOpen);

    public static RealInterval operator +(RealInterval a, RealInterval b) => new(
        a.Lo is { } al && b.Lo is { } bl ? al + bl : null, a.LoOpen || b.LoOpen,
        a.Hi is { } ah && b.Hi is { } bh ? ah + bh : null, a.HiOpen || b.HiOpen);

    public static RealInterval operator *(RealInterval a, RealInterval b)
    {
        // Reduce to two non-negative factors by sign; a factor of unknown sign gives no information.
        if (a.IsNonPositive) return (a.Negate() * b).Negate();
        if (b.IsNonPositive) return (a * b.Negate()).Negate();
        if (!a.IsNonNegative || !b.IsNonNegative) return All;
        var lo = a.Lo!.Value * b.Lo!.Value;
        // The lower end x*y is reached when both ends are, or when one reached end is 0.
        bool loOpen = !((!a.LoOpen && !b.LoOpen) || (a.Lo.Value.IsZero && !a.LoOpen) || (b.Lo.Value.IsZero && !b.LoOpen));
        Rational? hi = a.Hi is { } ah && b.Hi is { } bh ? ah * bh : null;
        bool hiOpen = hi is null || !((!a.HiOpen && !b.HiOpen) || (a.Hi!.Value.IsZero && !a.HiOpen) || (b.Hi!.Value.IsZero && !b.HiOpen));
        return new(lo, loOpen, hi, hiOpen);
    }

    /// <summary>1/x on an interval of one strict sign; anything containing 0 gives no information.</summary>
    public RealInterval Reciprocal()
    {
        if (IsNegative) return Negate().Reciprocal().Negate();
        if (!IsPositive) return All;
        Rational? hi = Lo!.Value.IsZero ? null : Lo.Value.Reciprocal();
        Rational lo = Hi is { } h ? h.Reciprocal() : Rational.Zero;
        return new(lo, Hi is null || HiOpen, hi, hi is null || LoOpen);
    }

    public bool TooLarge => (Lo?.BitLength ?? 0) > 4096 || (Hi?.BitLength ?? 0) > 4096;
}

/// <summary>
/// Bounds real expressions of the parameters by interval arithmetic over the declared constraints (each parameter's
/// own bounds and the declaration's joint constraints), to prove the sign of a quantity such as a singularity of K.
/// </summary>
public sealed class SignAnalysis
{
    private readonly Dictionary<Symbol, RealInterval> _parameters = new();
    private readonly List<(Expr Slack, bool Strict)> _joint = new();
    private readonly Dictionary<Expr, RealInterval> _memo = new();
    private bool _inJoint;

    // pi and Euler's gamma between rational bounds.
    private static readonly RealInterval PiBounds = new(new Rational(314159, 100000), true, new Rational(314160, 100000), true);
    private static readonly RealInterval EulerBounds = new(new Rational(577, 1000), true, new Rational(578, 1000), true);

    public SignAnalysis(BoundDistribution d)
    {
        foreach (var p in d.Parameters)
        {
            var interval = new RealInterval(p.Lower, !p.LowerInclusive, p.Upper, !p.UpperInclusive);
            _parameters[p.Symbol] = interval;
            if (p.VectorSize is not null) _parameters[Ex.Sym(p.Name + "[j]", SymbolKind.Parameter)] = interval;
        }
        foreach (var c in d.JointConstraints) _joint.Add((c.Slack, c.Strict));
    }

    public bool IsPositive(Expr e) => Bound(e).IsPositive;
    public bool IsNegative(Expr e) => Bound(e).IsNegative;

    internal RealInterval Bound(Expr e)
    {
        if (_memo.TryGetValue(e, out var known)) return known;
        var result = Compute(e);
        if (result.TooLarge) result = RealInterval.All;
        _memo[e] = result;
        return result;
    }

    private RealInterval Compute(Expr e)
    {
        switch (e)
        {
            case Number { IsReal: true } n: return RealInterval.Point(n.Re);
            case Number: return RealInterval.All;
            case Symbol s when s == Ex.Pi: return PiBounds;
            case Symbol s when s == Ex.EulerGamma: return EulerBounds;
            case Symbol s: return _parameters.GetValueOrDefault(s, RealInterval.All);
            case Sum sum:
            {
                var total = RealInterval.Point(Rational.Zero);
                foreach (var a in sum.Args) total += Bound(a);
                if (total.IsPositive || total.IsNegative || _inJoint) return total;
                // A joint constraint D > 0 (say 1 - p1 - p2 > 0) proves e > 0 when e - D >= 0, and e < 0 when e + D <= 0.
                _inJoint = true;
                try
                {
                    foreach (var (slack, strict) in _joint)
                    {
                        var above = Bound(Ex.Sub(e, slack));
                        if (above.IsNonNegative && (strict || above.IsPositive)) return new(Rational.Zero, true, total.Hi, total.HiOpen);
                        var below = Bound(Ex.Add(e, slack));
                        if (below.IsNonPositive && (strict || below.IsNegative)) return new(total.Lo, total.LoOpen, Rational.Zero, true);
                    }
                }
                finally { _inJoint = false; }
                return total;
            }
            case Product product:
            {
                var total = RealInterval.Point(Rational.One);
                foreach (var a in product.Args) total *= Bound(a);
                return total;
            }
            case Power p:
            {
                var b = Bound(p.Base);
                if (p.Exponent is Number { IsReal: true } n && n.Re.IsInteger && System.Numerics.BigInteger.Abs(n.Re.Numerator) <= 64)
                {
                    int k = (int)n.Re.Numerator;
                    var magnitude = b.IsNonPositive ? b.Negate() : b;
                    var result = RealInterval.Point(Rational.One);
                    for (int i = 0; i < Math.Abs(k); i++) result *= magnitude;
                    if (b.IsNonPositive && k % 2 != 0) result = result.Negate();
                    else if (!b.IsNonNegative && !b.IsNonPositive)
                        result = k % 2 == 0 ? new RealInterval(Rational.Zero, false, null, true) : RealInterval.All; // an even power of a number of either sign
                    return k < 0 ? result.Reciprocal() : result;
                }
                // A real power of a positive base is positive.
                return b.IsPositive ? RealInterval.Positive : RealInterval.All;
            }
            case Call { Function: Function.Exp } exp:
            {
                var x = Bound(exp.Arg);
                // exp is increasing with exp(0) = 1.
                return new RealInterval(x.IsNonNegative ? Rational.One : Rational.Zero, !x.IsNonNegative || x.LoOpen,
                    x.IsNonPositive ? Rational.One : null, !x.IsNonPositive || x.HiOpen);
            }
            case Call { Function: Function.Log } log:
            {
                var x = Bound(log.Arg);
                // log is increasing with log(1) = 0.
                if (x.Lo is { } lo && lo >= Rational.One) return new RealInterval(Rational.Zero, lo > Rational.One || x.LoOpen, null, true);
                if (x.IsPositive && x.Hi is { } hi && hi <= Rational.One) return new RealInterval(null, true, Rational.Zero, hi < Rational.One || x.HiOpen);
                return RealInterval.All;
            }
            case Call { Function: Function.Cosh }: return new RealInterval(Rational.One, false, null, true);
            default: return RealInterval.All;
        }
    }
}
