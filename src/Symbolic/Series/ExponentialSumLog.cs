using System.Numerics;
using System.Runtime.InteropServices;
using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Symbolic.Series;

/// <summary>
/// The log of a short exponential sum in closed form, instead of the O(N^4) log recurrence. When the argument's
/// exponentially scaled coefficients are <c>alpha_n = sum_j c_j lambda_j^n m_j</c> for n &gt;= 1 (one or two terms, each an
/// integer c_j times a monomial m_j, with integer rates lambda_j), the argument is
/// <c>a_0 + x</c>, <c>x = sum_j c_j m_j (e^(lambda_j t) - 1)</c>: Bernoulli, Binomial, Categorical, 1 - p e^t.
/// The recurrence computes, in the ring, <c>log(1 + R x)</c> with R the ring's 1/a_0 (a monomial's inverse, or the atom
/// <c>a_0^-1</c>), and so does this:
/// <c>log(1 + y) = sum_m (-1)^(m+1) y^m / m</c>, <c>y^m = R^m m! sum_{|k| = m} prod_j (c_j m_j)^(k_j) G_k</c>,
/// <c>G_k = prod_j (e^(lambda_j t) - 1)^(k_j) / k_j!</c>, whose scaled coefficients <c>U(n, k) = n! [t^n] G_k</c> are
/// integers with a three-term recurrence (generalised Stirling numbers). Each coefficient then costs O(its terms).
/// </summary>
internal static class ExponentialSumLog
{
    /// <summary>Off on this thread: the log takes the recurrence (tests compare the two).</summary>
    [ThreadStatic] internal static bool Off;

    /// <summary>How often this thread's logs took the closed form (tests check that it was taken).</summary>
    [ThreadStatic] internal static int Uses;

    /// <summary>
    /// beta_n = n! [t^n] log(a) for n = 1..N (beta[0] left null), the very polynomials the log recurrence of
    /// <see cref="TruncatedSeries"/> gives; null when the argument is not such a sum (the recurrence decides then).
    /// </summary>
    public static Poly[]? TryNumerators(Poly[] alpha, Poly a0)
    {
        int order = alpha.Length - 1;
        if (Off || order < 2 || a0.IsZero) return null;
        var first = alpha[1].Terms;
        int count = first.Count;
        if (count is < 1 or > 2 || alpha[2].TermCount != count) return null;

        // c_j lambda_j = alpha_1[m_j], c_j lambda_j^2 = alpha_2[m_j]: lambda_j = alpha_2 / alpha_1 and c_j, both integers.
        var monomials = new Monomial[count];
        var c = new BigInteger[count];
        var lambda = new int[count];
        int j = 0;
        foreach (var (m, v1) in first)
        {
            if (!alpha[2].Terms.TryGetValue(m, out var v2) || !IsInteger(v1) || !IsInteger(v2)) return null;
            var (q, rest) = BigInteger.DivRem(v2.Re.Numerator, v1.Re.Numerator);
            if (!rest.IsZero || q.IsZero || BigInteger.Abs(q) > 1 << 20) return null;
            var (cj, rest2) = BigInteger.DivRem(v1.Re.Numerator, q);
            if (!rest2.IsZero) return null;
            monomials[j] = m;
            lambda[j] = (int)q;
            c[j] = cj;
            j++;
        }
        // alpha_n = sum_j c_j lambda_j^n m_j for every n, exactly.
        var power = (BigInteger[])c.Clone();
        for (int n = 1; n <= order; n++)
        {
            if (alpha[n].TermCount != count) return null;
            for (j = 0; j < count; j++)
            {
                power[j] *= lambda[j];
                if (!alpha[n].Terms.TryGetValue(monomials[j], out var v) || !IsInteger(v) || v.Re.Numerator != power[j]) return null;
            }
        }

        // R = 1/a_0 as the recurrence's division forms it. A sum a_0 is first tried as an exact divisor: alpha_1 / a_0
        // must not divide (then beta_1 = alpha_1 R); for n >= 2 the recurrence's numerator holds
        // (-1)^(n+1) (n-1)! R^(n-1) alpha_1^n, whose atom of R at a negative power (absent from the m_j) no other part
        // reaches, so it never divides and every step multiplies by R, as here.
        var reciprocal = a0.Reciprocal();
        if (reciprocal.TermCount != 1) return null;
        var (rMonomial, rCoefficient) = reciprocal.Terms.First();
        if (!rCoefficient.IsReal) return null;
        if (a0.TermCount > 1)
        {
            if (alpha[1].DividesExactly(a0)) return null;
            bool separate = false;
            for (int i = 0; i < rMonomial.Length && !separate; i++)
                separate = rMonomial.Exponent(i) < 0 && monomials.All(m => !Contains(m, rMonomial.AtomId(i)));
            if (!separate) return null;
        }

        // Term k (|k| = s) of beta_n: V(n, k) r^s M_R^s prod_j m_j^(k_j), V(n, k) = (-1)^(s+1) (s-1)! prod_j c_j^(k_j) U(n, k).
        if (count == 2 && BigInteger.Abs(c[1]) > 1 << 20 || BigInteger.Abs(c[0]) > 1 << 20) return null;
        int k2Max = count == 2 ? order : 0;
        var r = rCoefficient.Re;
        var rPower = new Rational[order + 1];
        var rKey = new Monomial[order + 1];
        var mKey = new Monomial[count, order + 1];
        rPower[0] = Rational.One;
        rKey[0] = Monomial.One;
        for (j = 0; j < count; j++) mKey[j, 0] = Monomial.One;
        for (int s = 1; s <= order; s++)
        {
            rPower[s] = rPower[s - 1] * r;
            rKey[s] = rKey[s - 1].Multiply(rMonomial);
            for (j = 0; j < count; j++) mKey[j, s] = mKey[j, s - 1].Multiply(monomials[j]);
        }
        var keys = new Monomial[order + 1, k2Max + 1];
        var distinct = new HashSet<Monomial>();
        bool injective = true;
        for (int k1 = 0; k1 <= order; k1++)
            for (int k2 = 0; k2 <= k2Max && k1 + k2 <= order; k2++)
            {
                if (k1 + k2 == 0) continue;
                var key = rKey[k1 + k2].Multiply(mKey[0, k1]);
                if (count == 2) key = key.Multiply(mKey[1, k2]);
                keys[k1, k2] = key;
                injective &= distinct.Add(key);
            }

        // U(n, k) = n! [t^n] G_k: G_k' = sum_j lambda_j e^(lambda_j t) G_(k - e_j), e^(lambda t) = 1 + (e^(lambda t) - 1) and
        // (e^(lambda_j t) - 1) G_(k - e_j) = k_j G_k, so U(n+1, k) = (sum_j lambda_j k_j) U(n, k) + sum_j lambda_j U(n, k - e_j).
        // With the weights (V(n, 0) = U(n, 0); the weight of k over that of k - e_j is c_j at s = 1 and -(s-1) c_j above):
        // V(n+1, k) = (sum_j lambda_j k_j) V(n, k) + sum_j lambda_j c_j w_s V(n, k - e_j), w_1 = 1, w_s = -(s-1).
        // Updated in place from n - 1 (k descending: each entry reads its own and lower neighbours' old values), in
        // fixed-width two's complement (mod 2^(64 width)); exact, since by induction |V(n, .)| <= prod_(i<=n) i (L + L_c)
        // with L = sum_j |lambda_j|, L_c = sum_j |lambda_j c_j| (|k| <= n - 1 on the right).
        double rates = 0, weighted = 0;
        for (j = 0; j < count; j++) { rates += Math.Abs(lambda[j]); weighted += Math.Abs(lambda[j]) * Math.Abs((double)c[j]); }
        double bound = 0;
        for (int i = 1; i <= order; i++) bound += Math.Log2(i * (rates + weighted));
        int width = (int)((bound + 2) / 64) + 1;
        int columns = k2Max + 1;
        var table = new ulong[(order + 1) * columns * width];
        Span<ulong> Slot(int k1, int k2) => table.AsSpan((k1 * columns + k2) * width, width);
        table[0] = 1; // V(0, 0) = U(0, 0) = 1
        long step0 = (long)lambda[0] * (long)c[0], step1 = count == 2 ? (long)lambda[1] * (long)c[1] : 0;
        var beta = new Poly[order + 1];
        // r = -1 (R = -(1 - p)^-1 for 1 - p e^t) multiplies the term of |k| = s by (-1)^s: a sign, kept in limbs too.
        bool compact = injective && (r.IsOne || r == Rational.MinusOne);
        var flatKeys = new Monomial[(order + 1) * columns];
        var flip = new bool[(order + 1) * columns];
        for (int k1 = 0; k1 <= order; k1++)
            for (int k2 = 0; k2 <= k2Max; k2++)
            {
                flatKeys[k1 * columns + k2] = keys[k1, k2];
                flip[k1 * columns + k2] = !r.IsOne && (k1 + k2) % 2 == 1;
            }
        for (int n = 1; n <= order; n++)
        {
            for (int k1 = n; k1 >= 0; k1--)
                for (int k2 = Math.Min(k2Max, n - k1); k2 >= 0; k2--)
                {
                    var slot = Slot(k1, k2);
                    int s = k1 + k2;
                    long w = s <= 1 ? 1 : -(s - 1);
                    Limbs.Scale(slot, (long)lambda[0] * k1 + (long)(count == 2 ? lambda[1] : 0) * k2);
                    if (k1 > 0) Limbs.AddScaled(slot, Slot(k1 - 1, k2), step0 * w);
                    if (k2 > 0) Limbs.AddScaled(slot, Slot(k1, k2 - 1), step1 * w);
                }
            WorkMeter.Spend((long)(n + 1) * (k2Max == 0 ? 1 : n + 1) * width);
            if (compact)
            {
                // Distinct keys and r = +-1: beta_n's terms are the table's non-zero entries as they stand (the entries
                // above |k| = n are still zero), kept in limbs in the order the loop below would add them.
                beta[n] = Poly.FromIntegers(IntegerTerms.FromTwosComplement(
                    flatKeys.AsSpan(0, (n + 1) * columns), table.AsSpan(0, (n + 1) * columns * width), width, flip.AsSpan(0, (n + 1) * columns)));
                continue;
            }
            int nonzero = 0;
            for (int k1 = 0; k1 <= n; k1++)
                for (int k2 = 0; k2 <= k2Max && k1 + k2 <= n; k2++)
                    if (k1 + k2 > 0 && !Limbs.IsZero(Slot(k1, k2))) nonzero++;
            var terms = new Dictionary<Monomial, GaussianRational>(nonzero);
            for (int k1 = 0; k1 <= n; k1++)
                for (int k2 = 0; k2 <= k2Max && k1 + k2 <= n; k2++)
                {
                    if (k1 + k2 == 0 || Limbs.IsZero(Slot(k1, k2))) continue;
                    Rational value = Limbs.Value(Slot(k1, k2));
                    if (!r.IsOne) value *= rPower[k1 + k2];
                    if (injective) { terms.Add(keys[k1, k2], value); continue; }
                    ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(terms, keys[k1, k2], out _);
                    entry += value;
                }
            if (!injective)
                foreach (var key in terms.Where(kv => kv.Value.IsZero).Select(kv => kv.Key).ToArray()) terms.Remove(key);
            beta[n] = Poly.FromTerms(terms);
        }
        Uses++;
        return beta;
    }

    private static bool IsInteger(GaussianRational v) => v.Im.IsZero && v.Re.IsInteger;

    private static bool Contains(Monomial m, int atom)
    {
        for (int i = 0; i < m.Length; i++) if (m.AtomId(i) == atom) return true;
        return false;
    }
}
