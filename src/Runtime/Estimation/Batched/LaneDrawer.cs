using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using SeriesCompiler.Runtime.Rules;
using SeriesCompiler.Runtime.Sampling;

namespace SeriesCompiler.Runtime.Estimation;

/// <summary>
/// The block-sampling hook of the batched core: for a rule whose sample is made of lane primitives
/// (<see cref="ILaneSampledRule"/>), the draws of a whole block in SIMD lanes, then z per copy in one call.
/// <para>Streams: sample i owns <c>W = min(copies, 8)</c> counter streams <c>(seed, 8 i + L)</c>, L &lt; W; stream L draws
/// the copies <c>c = L, L + 8, L + 16, ...</c> in that order, each copy's draws in the sample statement's order (then, for
/// the resummed rules, its shifts). Which streams share a vector is only a matter of speed: the block's streams, sample
/// by sample, eight to a vector (<see cref="RandomLanes8"/>: one AVX-512 vector, or two halves of four with the same
/// bits), so one sample of 100 copies fills all eight lanes, and one-copy problems put eight samples side by side; without
/// AVX-512, whole fours of samples go side by side in <see cref="RandomLanes"/> (Vector256 only). A
/// lane's numbers depend on its stream alone (rejections advance only the lanes that reject), so the draws are the same
/// for every block size, thread count and vector width.</para>
/// </summary>
internal sealed class LaneDrawer
{
    private readonly ILaneSampledRule _rule;
    private readonly LaneDraw[] _kinds;
    private readonly int _copies, _draws, _width;
    private readonly double[] _arguments;   // [c * draws + i]
    private readonly ulong[] _indices = new ulong[Lanes];
    private readonly int[] _sample = new int[Lanes], _lane = new int[Lanes];

    /// <summary>Streams per sample at most, and lanes per vector: eight (one AVX-512 vector, or two of four elsewhere).</summary>
    public const int Lanes = 8;

    /// <summary>Whether whole eights of samples are drawn four at a time in <see cref="RandomLanes"/> (where AVX-512 is not
    /// accelerated; the same bits either way, which tests check by setting it).</summary>
    internal bool FourLanes { get; set; } = !RandomLanes8.Wide;

    private LaneDrawer(ILaneSampledRule rule, double[][] thetas)
    {
        _rule = rule;
        _kinds = rule.LaneDraws.ToArray();
        _copies = thetas.Length;
        _draws = _kinds.Length;
        _width = Math.Min(_copies, Lanes);
        _arguments = new double[_copies * _draws];
        // Every copy in one call where the rule has the batched members and every copy has the rule's parameter count.
        _perCopy0 = thetas.Length > 0 ? thetas[0].Length : 0;
        // The batched members slice the flat array by the rule's own parameter count, so every copy must have exactly that.
        if (rule is ILaneCopyBatchedRule batched && rule is IDistributionRule { Parameters.Count: var count } && count == _perCopy0
            && thetas.All(t => t.Length == _perCopy0))
        {
            _batchedLanes = batched;
            _flat = new double[_copies * _perCopy0];
        }
        SetParameters(thetas);
    }

    /// <summary>The drawer of <paramref name="rule"/>, or null when its sample is not made of lane draws.</summary>
    public static LaneDrawer? TryCreate(IDistributionRule rule, double[][] thetas) =>
        rule is ILaneSampledRule { HasLaneDraws: true } lane && lane.LaneDraws.Length > 0 && thetas.Length > 0 ? new LaneDrawer(lane, thetas) : null;

    public ILaneSampledRule Rule => _rule;

    /// <summary>Draws per sample and copy.</summary>
    public int Draws => _draws;

    /// <summary>The draws' kinds.</summary>
    public ReadOnlySpan<LaneDraw> Kinds => _kinds;

    /// <summary>Draw i's argument for copy c (a gamma draw's shape).</summary>
    public double Argument(int c, int i) => _arguments[c * _draws + i];

    /// <summary>Recomputes the draws' arguments (a session's parameters changed).</summary>
    public void SetParameters(double[][] thetas)
    {
        if (_batchedLanes is not null)
        {
            for (int c = 0; c < _copies; c++) thetas[c].CopyTo(_flat, c * _perCopy0);
            _batchedLanes.DrawArgumentsOfCopies(_flat, _copies, _arguments);
        }
        else
            for (int c = 0; c < _copies; c++) _rule.DrawArguments(thetas[c], _arguments.AsSpan(c * _draws, _draws));
        if (_shiftRule is not null) ShiftParameters(thetas);
    }

    // The parameters copy-major for the batched members (null without them), and a copy's count.
    private readonly ILaneCopyBatchedRule? _batchedLanes;
    private readonly double[] _flat = [];
    private readonly int _perCopy0;

    /// <summary>As <see cref="SetParameters(double[][])"/>, with the same parameters copy-major in <paramref name="flat"/>:
    /// the shifts' numbers of every copy in one call where the rule has it.</summary>
    public void SetParameters(double[][] thetas, ReadOnlySpan<double> flat)
    {
        if (_shiftRule is not ICopyBatchedRule batched || !_batchedShifts || flat.Length != _copies * _perCopy)
        {
            SetParameters(thetas);
            return;
        }
        if (_batchedLanes is not null && flat.Length == _flat.Length)
        {
            flat.CopyTo(_flat);
            _batchedLanes.DrawArgumentsOfCopies(flat, _copies, _arguments);
        }
        else if (_batchedLanes is not null)
        {
            // Map reads _flat, so it follows these thetas on every path.
            for (int c = 0; c < _copies; c++) thetas[c].CopyTo(_flat, c * _perCopy0);
            _batchedLanes.DrawArgumentsOfCopies(_flat, _copies, _arguments);
        }
        else
            for (int c = 0; c < _copies; c++) _rule.DrawArguments(thetas[c], _arguments.AsSpan(c * _draws, _draws));
        batched.LaneShiftsOfCopies(flat, _copies, _shiftA, _shiftScale);
        // Term-major copies of the numbers, one term's row at a time (spans: no bounds check per value).
        int terms = _shiftLaw.Length;
        ReadOnlySpan<double> shiftA = _shiftA, shiftScale = _shiftScale;
        for (int t = 0; t < terms; t++)
        {
            var rowA = _termA.AsSpan(t * _copies, _copies);
            var rowScale = _termScale.AsSpan(t * _copies, _copies);
            for (int c = 0, at = t; c < rowA.Length; c++, at += terms)
            {
                rowA[c] = shiftA[at];
                rowScale[c] = shiftScale[at];
            }
        }
    }

    // Whether the rule's batched shift numbers are ours (its terms in our order), checked value by value when enabled.
    private bool _batchedShifts;
    private int _perCopy;

    // The resummed rules' shifts in lanes: per term its law, per copy and term its numbers (a, scale).
    private ILaneShiftedRule? _shiftRule;
    private int[] _termSlot = [], _termIndex = [];
    private LaneShift[] _shiftLaw = [];
    private double[] _shiftA = [], _shiftScale = [];
    private double[] _termA = [], _termScale = [];   // the same numbers term-major, [t * copies + c]: eight copies in a row load as a vector

    /// <summary>Whether the shifts are drawn in lanes (<see cref="TryEnableShifts"/> succeeded).</summary>
    public bool DrawsShifts => _shiftRule is not null;

    /// <summary>
    /// Draws the resummed terms' shifts in lanes too, when every term's law is a lane law with the same kind for every copy;
    /// stream L draws them after its z, copy by copy, term by term. False (nothing changed) otherwise.
    /// </summary>
    public bool TryEnableShifts(IDistributionRule rule, int[] termSlot, int[] termIndex, double[][] thetas)
    {
        if (rule is not ILaneShiftedRule shifted) return false;
        int terms = termSlot.Length;
        var law = new LaneShift[terms];
        for (int t = 0; t < terms; t++)
            for (int c = 0; c < _copies; c++)
            {
                if (!shifted.TryLaneShift(thetas[c], termSlot[t], termIndex[t], out var kind, out _, out _)) return false;
                if (c == 0) law[t] = kind;
                else if (kind != law[t]) return false;
            }
        (_termSlot, _termIndex, _shiftLaw) = (termSlot, termIndex, law);
        _shiftA = new double[_copies * terms];
        _shiftScale = new double[_copies * terms];
        _termA = new double[_copies * terms];
        _termScale = new double[_copies * terms];
        _shiftRule = shifted;
        ShiftParameters(thetas);
        _perCopy = rule.Parameters.Count;
        if (shifted is ICopyBatchedRule batched && thetas.All(t => t.Length == _perCopy))
        {
            var flat = thetas.SelectMany(t => t).ToArray();
            var a = new double[_copies * terms];
            var scale = new double[_copies * terms];
            batched.LaneShiftsOfCopies(flat, _copies, a, scale);
            _batchedShifts = true;
            for (int i = 0; i < a.Length; i++)
                if (BitConverter.DoubleToInt64Bits(a[i]) != BitConverter.DoubleToInt64Bits(_shiftA[i])
                    || BitConverter.DoubleToInt64Bits(scale[i]) != BitConverter.DoubleToInt64Bits(_shiftScale[i])) _batchedShifts = false;
        }
        return true;
    }

    private void ShiftParameters(double[][] thetas)
    {
        int terms = _shiftLaw.Length;
        for (int c = 0; c < _copies; c++)
            for (int t = 0; t < terms; t++)
            {
                // The law's kind is structural (the same at every theta); its numbers follow theta.
                _shiftRule!.TryLaneShift(thetas[c], _termSlot[t], _termIndex[t], out _, out _shiftA[c * terms + t], out _shiftScale[c * terms + t]);
                (_termA[t * _copies + c], _termScale[t * _copies + c]) = (_shiftA[c * terms + t], _shiftScale[c * terms + t]);
            }
    }

    /// <summary>A stream's continuation after its draws, for what a rule draws next (the resummed rules' shifts).</summary>
    public interface IAfter
    {
        /// <summary>Stream L of block sample s (its copies L, L + 8, ...) continues on <paramref name="random"/>.</summary>
        void Continue(int s, int lane, int width, RandomSource random);
    }

    /// <summary>
    /// Draws for samples <c>[first, first + count)</c>: draw i of copy c of block sample s at
    /// <c>draws[(c * Draws + i) * stride + s]</c>; then, if given, <paramref name="after"/> continues each stream.
    /// </summary>
    public void Draw(ulong seed, long first, int count, Span<double> draws, int stride, IAfter? after = null, RandomSource? random = null) =>
        Draw(seed, first, count, draws, stride, default, after, random);

    /// <summary>As <see cref="Draw(ulong, long, int, Span{double}, int, IAfter?, RandomSource?)"/>, and with shifts in lanes
    /// (<see cref="TryEnableShifts"/>) term t's shift of copy c at <c>shifts[(t * copies + c) * stride + s]</c>.</summary>
    // Optimised from its first call: see RandomLanes8 (Vector512 code in the unoptimised tier is slow for as long as
    // the background compiler takes).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Draw(ulong seed, long first, int count, Span<double> draws, int stride, Span<double> shifts, IAfter? after = null, RandomSource? random = null)
    {
        // Eight samples at a time, stream L of each side by side: every lane draws the same copy with the same arguments,
        // and a draw's eight values are eight samples in a row of the block (one vector store). The samples past the last
        // whole eight take their streams eight at a time (DrawRest). Which streams share a vector changes no number.
        int grouped = count - count % Lanes;
        if (!FourLanes)
        {
            var lanes = default(RandomLanes8);
            for (int s0 = 0; s0 < grouped; s0 += Lanes)
                for (int lane = 0; lane < _width; lane++)
                    DrawEightSamples(ref lanes, seed, first, s0, lane, draws, stride, shifts, after, random);
            if (grouped < count) DrawRest(ref lanes, seed, first, count, grouped, draws, stride, shifts, after, random);
            return;
        }
        // No AVX-512: Vector512 values would run as software (two 256-bit halves split and joined at every call), so the
        // same streams go four samples at a time through RandomLanes, Vector256 only, with the same bits (a lane's numbers
        // are its stream's alone). The last count % 4 samples (a training step's one) keep DrawRest's packing, a sample's
        // eight streams in one group, rather than fill four lanes with one sample.
        var four = default(RandomLanes);
        int fours = count - count % FourSamples;
        for (int s0 = 0; s0 < fours; s0 += FourSamples)
            for (int lane = 0; lane < _width; lane++)
                DrawFourSamples(ref four, seed, first, s0, lane, draws, stride, shifts, after, random);
        if (fours < count)
        {
            var rest = default(RandomLanes8);
            DrawRest(ref rest, seed, first, count, fours, draws, stride, shifts, after, random);
        }
    }

    private const int FourSamples = Lanes / 2;

    // The samples from `grouped` on (past the last whole eight, or four): their streams eight at a time, in lanes of
    // RandomLanes8 (a method of its own so that blocks without such samples never compile it).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DrawRest(ref RandomLanes8 lanes, ulong seed, long first, int count, int grouped, Span<double> draws, int stride, Span<double> shifts, IAfter? after, RandomSource? random)
    {
        int streams = count * _width;
        Span<int> steps = stackalloc int[Lanes], at = stackalloc int[Lanes];
        Span<double> argument = stackalloc double[Lanes];
        Span<ulong> live = stackalloc ulong[Lanes];
        for (int q0 = grouped * _width; q0 < streams; q0 += Lanes)
        {
            int used = Math.Min(Lanes, streams - q0), maxSteps = 0;
            for (int l = 0; l < Lanes; l++)
            {
                // Unused lanes repeat the group's first stream and are masked off: they never advance or store.
                int q = q0 + (l < used ? l : 0);
                _sample[l] = q / _width;
                _lane[l] = q % _width;
                _indices[l] = Lanes * (ulong)(first + _sample[l]) + (ulong)_lane[l];
                steps[l] = l < used ? (_copies - _lane[l] + Lanes - 1) / Lanes : 0;
                maxSteps = Math.Max(maxSteps, steps[l]);
            }
            lanes.SetStreams(seed, _indices);
            // Each stream's gamma draws (its copies, then its shifts) share Box-Muller pairs: a pair's sine half is the
            // next draw's normal (GammaMasked with a carried spare). Cleared with the streams.
            var spare = Vector512<double>.Zero;
            var hasSpare = Vector512<ulong>.Zero;
            int allSteps = int.MaxValue;
            for (int l = 0; l < Lanes; l++) allSteps = Math.Min(allSteps, steps[l]);
            // Where lane l's copy L + 8t puts draw i: base[l] + (8t Draws + i) stride.
            for (int l = 0; l < Lanes; l++) at[l] = _lane[l] * _draws * stride + _sample[l];
            // One sample's eight streams, one gamma draw per copy, one sample per row (a training step): copy 8t + l's shape
            // and draw sit at [8t + l], so a step's eight load and store as a vector (the same numbers, fewer moves).
            bool contiguous = _draws == 1 && stride == 1 && _kinds[0] == LaneDraw.Gamma && used == Lanes
                && _lane[0] == 0 && _lane[Lanes - 1] == Lanes - 1 && _sample[0] == _sample[Lanes - 1];
            var all = Vector512<ulong>.AllBitsSet;
            if (contiguous)
                for (int t = 0; t < allSteps; t++)
                    lanes.GammaMasked(Vector512.Create<double>(_arguments.AsSpan(Lanes * t, Lanes)), all, ref spare, ref hasSpare).CopyTo(draws[(Lanes * t + _sample[0])..]);
            for (int t = contiguous ? allSteps : 0; t < maxSteps; t++)
            {
                // Every lane draws (the common case: a sample's copies eight at a time) or the lanes with a copy left.
                bool full = t < allSteps;
                for (int l = 0; l < Lanes; l++) live[l] = steps[l] > t ? ~0UL : 0;
                var mask = full ? all : Vector512.Create<ulong>(live);
                int step = Lanes * t * _draws;
                for (int i = 0; i < _draws; i++)
                {
                    Vector512<double> x;
                    switch (_kinds[i])
                    {
                        case LaneDraw.Uniform: x = lanes.NextDoubleMasked(mask); break;
                        case LaneDraw.Normal: x = lanes.NormalMasked(mask); break;
                        case LaneDraw.Exponential: x = lanes.ExponentialMasked(mask); break;
                        default:
                            // A lane with no copy left draws nothing; its shape is any valid one.
                            for (int l = 0; l < Lanes; l++) argument[l] = steps[l] > t ? _arguments[_lane[l] * _draws + step + i] : 1.0;
                            x = lanes.GammaMasked(Vector512.Create<double>(argument), mask, ref spare, ref hasSpare);
                            break;
                    }
                    int offset = (step + i) * stride;
                    for (int l = 0; l < Lanes; l++)
                        if (steps[l] > t) draws[at[l] + offset] = x.GetElement(l);
                }
            }
            if (_shiftRule is not null && !shifts.IsEmpty) Shifts(ref lanes, ref spare, ref hasSpare, steps, maxSteps, shifts, stride);
            if (after is not null)
                for (int l = 0; l < used; l++)
                {
                    lanes.GetLaneState(l, out ulong s0, out ulong s1, out ulong s2, out ulong s3);
                    random!.SetState(s0, s1, s2, s3);
                    after.Continue(_sample[l], _lane[l], _width, random);
                }
        }
    }

    // Stream `lane` of block samples s0 .. s0 + 7 in the eight lanes: copies lane, lane + 8, ..., their draws in order, then
    // their shifts (each stream's sequence as in Draw's other grouping, so the same numbers).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DrawEightSamples(ref RandomLanes8 lanes, ulong seed, long first, int s0, int lane, Span<double> draws, int stride, Span<double> shifts, IAfter? after, RandomSource? random)
    {
        for (int j = 0; j < Lanes; j++) _indices[j] = Lanes * (ulong)(first + s0 + j) + (ulong)lane;
        lanes.SetStreams(seed, _indices);
        var spare = Vector512<double>.Zero;
        var hasSpare = Vector512<ulong>.Zero;
        var all = Vector512<ulong>.AllBitsSet;
        for (int c = lane; c < _copies; c += Lanes)
            for (int i = 0; i < _draws; i++)
            {
                var x = _kinds[i] switch
                {
                    LaneDraw.Uniform => lanes.NextDoubleMasked(all),
                    LaneDraw.Normal => lanes.NormalMasked(all),
                    LaneDraw.Exponential => lanes.ExponentialMasked(all),
                    _ => lanes.GammaMasked(Vector512.Create(_arguments[c * _draws + i]), all, ref spare, ref hasSpare),
                };
                x.CopyTo(draws.Slice((c * _draws + i) * stride + s0, Lanes));
            }
        if (_shiftRule is not null && !shifts.IsEmpty)
        {
            int terms = _shiftLaw.Length;
            for (int c = lane; c < _copies; c += Lanes)
                for (int term = 0; term < terms; term++)
                {
                    var av = Vector512.Create(_shiftA[c * terms + term]);
                    var sv = Vector512.Create(_shiftScale[c * terms + term]);
                    Vector512<double> u;
                    switch (_shiftLaw[term])
                    {
                        case LaneShift.Zero: u = Vector512<double>.Zero; break;
                        case LaneShift.Constant: u = av; break;
                        case LaneShift.UniformTimesExponential:
                            var uniform = lanes.NextDoubleMasked(all);
                            u = sv * uniform * lanes.ExponentialMasked(all);
                            break;
                        case LaneShift.Laplace: u = lanes.LaplaceMasked(sv, all); break;
                        default:
                            // One copy in every lane: a = 1 draws an exponential in all of them, else a gamma.
                            u = sv * (av[0] == 1.0 ? lanes.ExponentialMasked(all) : lanes.GammaMasked(av, all, ref spare, ref hasSpare));
                            break;
                    }
                    u.CopyTo(shifts.Slice((term * _copies + c) * stride + s0, Lanes));
                }
        }
        if (after is not null)
            for (int j = 0; j < Lanes; j++)
            {
                lanes.GetLaneState(j, out ulong a0, out ulong a1, out ulong a2, out ulong a3);
                random!.SetState(a0, a1, a2, a3);
                after.Continue(s0 + j, lane, _width, random);
            }
    }

    // DrawEightSamples on four samples (s0 .. s0 + 3) in RandomLanes' Vector256 lanes, op for op: each stream's sequence
    // and so its numbers are the same (test: LaneSampler8Tests, the four-lane drawer against the eight-lane one).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DrawFourSamples(ref RandomLanes lanes, ulong seed, long first, int s0, int lane, Span<double> draws, int stride, Span<double> shifts, IAfter? after, RandomSource? random)
    {
        const int Four = FourSamples;
        Span<ulong> indices = stackalloc ulong[Four];
        for (int j = 0; j < Four; j++) indices[j] = Lanes * (ulong)(first + s0 + j) + (ulong)lane;
        lanes.SetStreams(seed, indices);
        var spare = Vector256<double>.Zero;
        var hasSpare = Vector256<ulong>.Zero;
        var all = Vector256<ulong>.AllBitsSet;
        for (int c = lane; c < _copies; c += Lanes)
            for (int i = 0; i < _draws; i++)
            {
                var x = _kinds[i] switch
                {
                    LaneDraw.Uniform => lanes.NextDoubleMasked(all),
                    LaneDraw.Normal => lanes.NormalLanes(all),
                    LaneDraw.Exponential => lanes.ExponentialMasked(all),
                    _ => lanes.GammaMasked(Vector256.Create(_arguments[c * _draws + i]), all, ref spare, ref hasSpare),
                };
                x.CopyTo(draws.Slice((c * _draws + i) * stride + s0, Four));
            }
        if (_shiftRule is not null && !shifts.IsEmpty)
        {
            int terms = _shiftLaw.Length;
            for (int c = lane; c < _copies; c += Lanes)
                for (int term = 0; term < terms; term++)
                {
                    var av = Vector256.Create(_shiftA[c * terms + term]);
                    var sv = Vector256.Create(_shiftScale[c * terms + term]);
                    Vector256<double> u;
                    switch (_shiftLaw[term])
                    {
                        case LaneShift.Zero: u = Vector256<double>.Zero; break;
                        case LaneShift.Constant: u = av; break;
                        case LaneShift.UniformTimesExponential:
                            var uniform = lanes.NextDoubleMasked(all);
                            u = sv * uniform * lanes.ExponentialMasked(all);
                            break;
                        case LaneShift.Laplace: u = ShiftLanes.LaplaceMasked(ref lanes, sv, all); break;
                        default:
                            u = sv * (av[0] == 1.0 ? lanes.ExponentialMasked(all) : lanes.GammaMasked(av, all, ref spare, ref hasSpare));
                            break;
                    }
                    u.CopyTo(shifts.Slice((term * _copies + c) * stride + s0, Four));
                }
        }
        if (after is not null)
            for (int j = 0; j < Four; j++)
            {
                lanes.GetLaneState(j, out ulong a0, out ulong a1, out ulong a2, out ulong a3);
                random!.SetState(a0, a1, a2, a3);
                after.Continue(s0 + j, lane, _width, random);
            }
    }

    // Each lane's copies (L + 8t), then each term: U = scale * (its law's draw); a lane with shape 1 draws an exponential
    // (the same law), decided by its own shape, so its stream does not depend on its neighbours.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Shifts(ref RandomLanes8 lanes, ref Vector512<double> spare, ref Vector512<ulong> hasSpare, ReadOnlySpan<int> steps, int maxSteps, Span<double> shifts, int stride)
    {
        int terms = _shiftLaw.Length;
        Span<double> a = stackalloc double[Lanes], scale = stackalloc double[Lanes];
        Span<ulong> live = stackalloc ulong[Lanes];
        for (int t = 0; t < maxSteps; t++)
        {
            bool all = true;
            for (int l = 0; l < Lanes; l++)
            {
                live[l] = steps[l] > t ? ~0UL : 0;
                all &= steps[l] > t;
            }
            var mask = all ? Vector512<ulong>.AllBitsSet : Vector512.Create<ulong>(live);
            // Lanes 0..7 of one sample at copies 8t .. 8t + 7 (many copies): their numbers are eight in a row.
            bool row = all && _lane[0] == 0 && _lane[Lanes - 1] == Lanes - 1 && _sample[0] == _sample[Lanes - 1];
            for (int term = 0; term < terms; term++)
            {
                Vector512<double> av, sv;
                if (row)
                {
                    av = Vector512.Create<double>(_termA.AsSpan(term * _copies + Lanes * t, Lanes));
                    sv = Vector512.Create<double>(_termScale.AsSpan(term * _copies + Lanes * t, Lanes));
                }
                else
                {
                    for (int l = 0; l < Lanes; l++)
                    {
                        int at = steps[l] > t ? (_lane[l] + Lanes * t) * terms + term : -1;
                        a[l] = at >= 0 ? _shiftA[at] : 1.0;
                        scale[l] = at >= 0 ? _shiftScale[at] : 0.0;
                    }
                    av = Vector512.Create<double>(a);
                    sv = Vector512.Create<double>(scale);
                }
                Vector512<double> u;
                switch (_shiftLaw[term])
                {
                    case LaneShift.Zero: u = Vector512<double>.Zero; break;
                    case LaneShift.Constant: u = av; break;
                    case LaneShift.UniformTimesExponential:
                        var uniform = lanes.NextDoubleMasked(mask);
                        u = sv * uniform * lanes.ExponentialMasked(mask);
                        break;
                    case LaneShift.Laplace: u = lanes.LaplaceMasked(sv, mask); break;
                    default:
                        // Lanes with a = 1 draw an exponential, the others a gamma; a draw with no lane in it is skipped
                        // (it would advance no stream).
                        var one = Vector512.Equals(av, Vector512<double>.One).AsUInt64() & mask;
                        var rest = mask & ~one;
                        var exponential = Vector512.EqualsAll(one, Vector512<ulong>.Zero) ? Vector512<double>.Zero : lanes.ExponentialMasked(one);
                        var gamma = Vector512.EqualsAll(rest, Vector512<ulong>.Zero) ? Vector512<double>.Zero : lanes.GammaMasked(av, rest, ref spare, ref hasSpare);
                        u = sv * Vector512.ConditionalSelect(one.AsDouble(), exponential, gamma);
                        break;
                }
                if (row)
                {
                    int at = (term * _copies + Lanes * t) * stride + _sample[0];
                    if (stride == 1) u.CopyTo(shifts[at..]);
                    else
                        for (int l = 0; l < Lanes; l++) shifts[at + l * stride] = u.GetElement(l);
                }
                else
                    for (int l = 0; l < Lanes; l++)
                        if (steps[l] > t) shifts[(term * _copies + _lane[l] + Lanes * t) * stride + _sample[l]] = u.GetElement(l);
            }
        }
    }

    /// <summary>z for a block from its draws: copy c's coordinates at rows <c>c * dimension ..</c> of <paramref name="z"/>.</summary>
    public void Map(double[][] thetas, ReadOnlySpan<double> draws, int count, int stride, Span<double> z, int dimension)
    {
        // Every copy in one call: _flat holds these thetas (SetParameters copies them in whenever they change).
        if (_batchedLanes is not null)
        {
            _batchedLanes.SampleFromDrawsOfCopies(_flat, _copies, draws, count, stride, z);
            return;
        }
        for (int c = 0; c < _copies; c++)
            _rule.SampleFromDraws(thetas[c], draws.Slice(c * _draws * stride), count, stride, z.Slice(c * dimension * stride));
    }
}
