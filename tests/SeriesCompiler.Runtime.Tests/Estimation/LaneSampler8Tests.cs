using System.Runtime.Intrinsics;
using SeriesCompiler.Runtime.Estimation;
using SeriesCompiler.Runtime.Rules;
using SeriesCompiler.Runtime.Sampling;
using Xunit;

namespace SeriesCompiler.Runtime.Tests.Estimation;

/// <summary>
/// The eight-lane samplers of the batched core (<see cref="RandomLanes8"/>): the AVX-512 form and the two-halves-of-four
/// form give the same bits lane for lane (so an estimate does not depend on the machine's vector width), and the eight
/// lanes' gamma draws, with the Box-Muller spare carried from draw to draw as the drawer does, have Gamma(k, 1)'s first
/// four moments at eight shapes side by side (fixed seed, 10^6 draws a lane, within 5 standard errors).
/// </summary>
public sealed class LaneSampler8Tests
{
    private static readonly double[] Shapes = [0.3, 0.8, 1.0, 1.7, 2.5, 4.0, 7.0, 30.0];

    private static RandomLanes8 Streams(ulong seed, ulong first)
    {
        var lanes = default(RandomLanes8);
        ulong[] indices = [.. Enumerable.Range(0, 8).Select(i => first + (ulong)i)];
        lanes.SetStreams(seed, indices);
        return lanes;
    }

    [Fact]
    public void The_wide_form_gives_the_bits_of_two_halves_of_four()
    {
        // The same run of calls (every law, shapes below and above 1, lanes masked off now and then) on the same streams,
        // once through each form; every value and, at the end, every lane's state must agree bit for bit.
        var wide = Streams(5, 40);
        var halves = Streams(5, 40);
        var shape = Vector512.Create<double>(Shapes);
        var scale = Vector512.Create(0.5, 1, 2, 3, 0.25, 7, 1, 1.5);
        Vector512<double> wideSpare = default, halfSpare = default;
        Vector512<ulong> wideHas = default, halfHas = default;
        var random = new RandomSource(99);
        Span<ulong> bits = stackalloc ulong[8];
        for (int call = 0; call < 20_000; call++)
        {
            for (int l = 0; l < 8; l++) bits[l] = call % 5 == 4 && random.NextDouble() < 0.4 ? 0 : ~0UL;
            var mask = Vector512.Create<ulong>(bits);
            Vector512<double> a, b;
            switch (call % 6)
            {
                case 0: (a, b) = (wide.NextDoubleWide(mask), halves.NextDoubleHalves(mask)); break;
                case 1: (a, b) = (wide.ExponentialWide(mask), halves.ExponentialHalves(mask)); break;
                case 2: (a, b) = (wide.NormalWide(mask), halves.NormalHalves(mask)); break;
                case 3: (a, b) = (wide.LaplaceWide(scale, mask), halves.LaplaceHalves(scale, mask)); break;
                default:
                    a = wide.GammaWide(shape, mask, ref wideSpare, ref wideHas);
                    b = halves.GammaHalves(shape, mask, ref halfSpare, ref halfHas);
                    break;
            }
            for (int l = 0; l < 8; l++)
                if (mask[l] != 0) Assert.Equal(BitConverter.DoubleToInt64Bits(b[l]), BitConverter.DoubleToInt64Bits(a[l]));
            Assert.Equal(halfHas, wideHas);
        }
        for (int l = 0; l < 8; l++)
        {
            wide.GetLaneState(l, out ulong w0, out ulong w1, out ulong w2, out ulong w3);
            halves.GetLaneState(l, out ulong h0, out ulong h1, out ulong h2, out ulong h3);
            Assert.Equal((h0, h1, h2, h3), (w0, w1, w2, w3));
        }
    }

    [Fact]
    public void A_lane_is_the_four_lane_samplers_lane_of_the_same_stream()
    {
        // Lanes 4..7 of streams (3, 100..107) are lanes 0..3 of four-lane streams (3, 104..107): the same gamma draws.
        var eight = Streams(3, 100);
        var four = default(RandomLanes);
        four.SetStreams(3, 104);
        var shape = Vector512.Create<double>(Shapes);
        Vector512<double> spare = default;
        Vector512<ulong> has = default;
        Vector256<double> spare4 = default;
        Vector256<ulong> has4 = default;
        for (int i = 0; i < 5000; i++)
        {
            // The wide form itself (not the dispatch, which is the four-lane halves on a machine without AVX-512).
            var a = eight.GammaWide(shape, Vector512<ulong>.AllBitsSet, ref spare, ref has).GetUpper();
            var b = four.GammaMasked(shape.GetUpper(), Vector256<ulong>.AllBitsSet, ref spare4, ref has4);
            Assert.Equal(b.AsUInt64(), a.AsUInt64());
        }
    }

    [Fact]
    public void Eight_lane_gamma_has_the_first_four_moments()
    {
        // E(X-k)^2 = k, E(X-k)^3 = 2k, E(X-k)^4 = 3k^2 + 6k; every ninth call masks lanes 1 and 6 off (a masked lane
        // must not move: its draws are then its stream's drawn without those calls).
        const int n = 1_000_000;
        var lanes = Streams(77, 0);
        var shape = Vector512.Create<double>(Shapes);
        var partial = Vector512.Create(~0UL, 0, ~0UL, ~0UL, ~0UL, ~0UL, 0, ~0UL);
        Vector512<double> spare = default;
        Vector512<ulong> has = default;
        var x = new double[8][];
        for (int l = 0; l < 8; l++) x[l] = new double[n];
        var laneSix = new List<double>();
        int[] filled = new int[8];
        for (int call = 0; filled.Min() < n; call++)
        {
            var mask = call % 9 == 8 ? partial : Vector512<ulong>.AllBitsSet;
            var g = lanes.GammaMasked(shape, mask, ref spare, ref has);
            for (int l = 0; l < 8; l++)
            {
                if (mask[l] == 0) continue;
                if (filled[l] < n) x[l][filled[l]++] = g[l];
                if (l == 6 && laneSix.Count < 1000) laneSix.Add(g[l]);
            }
        }
        for (int l = 0; l < 8; l++)
        {
            double k = Shapes[l];
            double[] exact = [0, k, 2 * k, 3 * k * k + 6 * k];
            for (int m = 1; m <= 4; m++)
            {
                double sum = 0, squares = 0;
                foreach (double v in x[l])
                {
                    double u = v - k, p = u;
                    for (int j = 1; j < m; j++) p *= u;
                    sum += p;
                    squares += p * p;
                }
                double average = sum / n, se = Math.Sqrt((squares / n - average * average) / (n - 1));
                Assert.True(Math.Abs(average - exact[m - 1]) < 5 * se, $"lane {l}, gamma({k}): E(X-k)^{m} = {average} vs {exact[m - 1]} (se {se})");
            }
            Assert.All(x[l], v => Assert.True(v > 0));
        }
        var alone = Streams(77, 0);
        Vector512<double> aloneSpare = default;
        Vector512<ulong> aloneHas = default;
        for (int i = 0; i < 1000; i++) Assert.Equal(laneSix[i], alone.GammaMasked(shape, Vector512<ulong>.AllBitsSet, ref aloneSpare, ref aloneHas)[6]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(100)]
    public void A_samples_draws_do_not_depend_on_the_samples_drawn_beside_it(int copies)
    {
        // The drawer puts eight samples' streams side by side (a block of 19: two groups of eight, then three samples'
        // streams packed eight to a vector) or one sample's streams (a block of one, as a training step draws): every
        // draw of every sample must be the same bits either way, the shapes differing from copy to copy (some below 1).
        var thetas = Enumerable.Range(0, copies).Select(c => new[] { 0.4 + 0.37 * c, 1.0 }).ToArray();
        var drawer = LaneDrawer.TryCreate(HandGamma.Instance, thetas)!;
        const int count = 19;
        const long first = 1000;
        var block = new double[copies * count];
        drawer.Draw(42, first, count, block, count);
        var one = new double[copies];
        for (int s = 0; s < count; s++)
        {
            drawer.Draw(42, first + s, 1, one, 1);
            for (int c = 0; c < copies; c++)
                Assert.Equal(BitConverter.DoubleToInt64Bits(one[c]), BitConverter.DoubleToInt64Bits(block[c * count + s]));
        }
        Assert.All(block, v => Assert.True(v > 0));
    }
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(100)]
    public void The_four_lane_drawer_gives_the_bits_of_the_eight_lane_one(int copies)
    {
        // Where AVX-512 is not accelerated the drawer takes whole eights of samples four at a time in RandomLanes; every
        // draw kind, every shift law and each stream's continuation must be the same bits as the eight-lane form's (a block
        // of 23: two whole eights and seven samples packed eight streams to a vector, against five whole fours and three).
        var thetas = Enumerable.Range(0, copies).Select(c => new[] { 0.4 + 0.37 * c, 1.0 + 0.1 * c }).ToArray();
        int[] slot = [0, 1, 1, 0, 0, 1, 0];
        int[] index = [0, 0, 1, 1, 2, 2, 3];
        const int count = 23;
        const long first = 300;
        (double[] Draws, double[] Shifts, ulong[] After) Run(bool four)
        {
            var drawer = LaneDrawer.TryCreate(AllLaneKinds.Instance, thetas)!;
            Assert.True(drawer.TryEnableShifts(AllLaneKinds.Instance, slot, index, thetas));
            drawer.FourLanes = four;
            var draws = new double[copies * drawer.Draws * count];
            var shifts = new double[slot.Length * copies * count];
            var after = new Continuations(count, Math.Min(copies, LaneDrawer.Lanes));
            drawer.Draw(42, first, count, draws, count, shifts, after, new RandomSource(1));
            return (draws, shifts, after.Next);
        }
        var (eightDraws, eightShifts, eightAfter) = Run(false);
        var (fourDraws, fourShifts, fourAfter) = Run(true);
        Assert.Equal(eightDraws.Select(BitConverter.DoubleToInt64Bits), fourDraws.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(eightShifts.Select(BitConverter.DoubleToInt64Bits), fourShifts.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(eightAfter, fourAfter);
        // Not vacuous: every draw and every drawn shift was written (a Zero shift law's row stays 0).
        Assert.All(eightDraws, v => Assert.True(v != 0 && double.IsFinite(v)));
        Assert.All(eightAfter, v => Assert.NotEqual(0UL, v));
    }

    // Each stream's next number after its draws and shifts, by (sample, lane).
    private sealed class Continuations(int count, int width) : LaneDrawer.IAfter
    {
        public ulong[] Next { get; } = new ulong[count * width];

        public void Continue(int s, int lane, int w, RandomSource random)
        {
            Assert.Equal(width, w);
            Next[s * width + lane] = random.NextUInt64() | 1;
        }
    }

    // HandGamma's parameters with all four lane draw kinds per copy and every lane shift law, a gamma shift both with
    // a = 1 (drawn as an exponential) and with a = k.
    private sealed class AllLaneKinds : HandGamma, ILaneSampledRule, ILaneShiftedRule
    {
        private static readonly LaneDraw[] s_kinds = [LaneDraw.Uniform, LaneDraw.Gamma, LaneDraw.Normal, LaneDraw.Exponential];

        public static new readonly AllLaneKinds Instance = new();

        bool ILaneSampledRule.HasLaneDraws => true;
        ReadOnlySpan<LaneDraw> ILaneSampledRule.LaneDraws => s_kinds;
        void ILaneSampledRule.DrawArguments(ReadOnlySpan<double> theta, Span<double> arguments) => (arguments[0], arguments[1], arguments[2], arguments[3]) = (0, theta[0], 0, 0);

        public bool TryLaneShift(ReadOnlySpan<double> theta, int p, int term, out LaneShift law, out double a, out double scale)
        {
            (law, a, scale) = (p, term) switch
            {
                (0, 0) => (LaneShift.UniformTimesExponential, 0.0, theta[1]),
                (1, 0) => (LaneShift.Gamma, 1.0, theta[1]),
                (1, 1) => (LaneShift.Laplace, 0.0, theta[1]),
                (0, 1) => (LaneShift.Gamma, theta[0], theta[1]),
                (0, 2) => (LaneShift.Constant, theta[0], 0.0),
                (1, 2) => (LaneShift.Zero, 0.0, 0.0),
                _ => (LaneShift.Gamma, theta[0] + 0.5, 2.0),
            };
            return true;
        }
    }
}
