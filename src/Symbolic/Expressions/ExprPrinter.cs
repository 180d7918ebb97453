using System.Text;

namespace SeriesCompiler.Symbolic.Expressions;

/// <summary>
/// Prints expressions in the declaration language's syntax (parseable back) or in LaTeX.
/// Products are written as a fraction: factors with negative exponents go below the line.
/// </summary>
public static class ExprPrinter
{
    private const int PrecSum = 1, PrecProduct = 2, PrecUnary = 3, PrecPower = 4, PrecAtom = 5;

    public static string ToSource(Expr e)
    {
        var sb = new StringBuilder();
        new Writer(sb, latex: false).Write(e, 0);
        return sb.ToString();
    }

    public static string ToLatex(Expr e)
    {
        var sb = new StringBuilder();
        new Writer(sb, latex: true).Write(e, 0);
        return sb.ToString();
    }

    private static readonly HashSet<string> Greek =
    [
        "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu",
        "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
    ];

    private sealed class Writer(StringBuilder sb, bool latex)
    {
        public void Write(Expr e, int context)
        {
            int prec = Precedence(e);
            bool paren = prec < context;
            if (paren) sb.Append(latex ? "\\left(" : "(");
            switch (e)
            {
                case Number n: WriteNumber(n.Value); break;
                case Symbol s: WriteSymbol(s); break;
                case Sum s: WriteSum(s); break;
                case Product p: WriteProduct(p); break;
                case Power p: WritePower(p); break;
                case Call c: WriteCall(c); break;
            }
            if (paren) sb.Append(latex ? "\\right)" : ")");
        }

        private int Precedence(Expr e) => e switch
        {
            Number n when !n.Value.Im.IsZero && !n.Value.Re.IsZero => PrecSum,
            Number n when n.Value.Re.IsZero && n.Value.Im.IsOne => PrecAtom, // i
            Number n when n.Value.Re.Sign < 0 || n.Value.Im.Sign < 0 => PrecUnary,
            Number n when !n.Value.Re.IsInteger || !n.Value.Im.IsZero => latex ? PrecAtom : PrecProduct,
            Number => PrecAtom,
            Symbol => PrecAtom,
            Call => PrecAtom,
            Sum => PrecSum,
            Product p => IsNegative(p) ? PrecUnary : PrecProduct,
            Power p when IsReciprocalLike(p) => PrecProduct,
            Power => PrecPower,
            _ => PrecAtom,
        };

        private static bool IsNegative(Product p) => p.Args[0] is Number c && (c.Value.Re.Sign < 0 || (c.Value.Re.IsZero && c.Value.Im.Sign < 0));

        // x^(-1) prints as 1/x, x^(1/2) as sqrt(x).
        private static bool IsReciprocalLike(Power p) => p.Exponent is Number { IsReal: true } n && n.Re.Sign < 0;

        private void WriteNumber(GaussianRational v)
        {
            if (v.Im.IsZero) { WriteRational(v.Re); return; }
            if (!v.Re.IsZero)
            {
                WriteRational(v.Re);
                sb.Append(v.Im.Sign < 0 ? " - " : " + ");
                WriteImaginary(v.Im.Sign < 0 ? -v.Im : v.Im);
                return;
            }
            if (v.Im.Sign < 0) sb.Append('-');
            WriteImaginary(v.Im.Sign < 0 ? -v.Im : v.Im);
        }

        private void WriteImaginary(Rational im)
        {
            if (!im.IsOne) { WriteRational(im); sb.Append(latex ? " " : "*"); }
            sb.Append('i');
        }

        private void WriteRational(Rational r)
        {
            if (r.IsInteger || !latex) { sb.Append(r.ToString()); return; }
            if (r.Sign < 0) sb.Append('-');
            sb.Append("\\frac{").Append(System.Numerics.BigInteger.Abs(r.Numerator)).Append("}{").Append(r.Denominator).Append('}');
        }

        private void WriteSymbol(Symbol s)
        {
            if (!latex) { sb.Append(s.Name); return; }
            if (s == Ex.EulerGamma) { sb.Append("\\gamma_E"); return; }
            int underscore = s.Name.IndexOf('_');
            string head = underscore > 0 ? s.Name[..underscore] : s.Name;
            string tail = underscore > 0 ? s.Name[(underscore + 1)..] : "";
            // Trailing digits become a subscript: s1 -> s_{1}.
            if (tail.Length == 0)
            {
                int d = head.Length;
                while (d > 1 && char.IsAsciiDigit(head[d - 1])) d--;
                if (d < head.Length) { tail = head[d..]; head = head[..d]; }
            }
            sb.Append(Greek.Contains(head) ? "\\" + head : head.Length > 1 ? "\\mathrm{" + head + "}" : head);
            if (tail.Length > 0) sb.Append("_{").Append(tail).Append('}');
        }

        private void WriteSum(Sum s)
        {
            // Constant last reads better: k*mu + 1.
            var terms = s.Args[0] is Number ? s.Args.RemoveAt(0).Add(s.Args[0]) : s.Args;
            for (int i = 0; i < terms.Length; i++)
            {
                var t = terms[i];
                bool negative = t is Product p && IsNegative(p) || t is Number n && n.Value.Im.IsZero && n.Value.Re.Sign < 0;
                if (i > 0) sb.Append(negative ? " - " : " + ");
                else if (negative) sb.Append('-');
                Write(negative ? Ex.Neg(t) : t, i == 0 && !negative ? PrecSum : PrecProduct);
            }
        }

        private void WriteProduct(Product p)
        {
            var coefficient = p.Args[0] is Number c ? c.Value : GaussianRational.One;
            if (IsNegative(p))
            {
                sb.Append('-');
                Write(Ex.Neg(p), PrecProduct);
                return;
            }
            var numerator = new List<Expr>();
            var denominator = new List<Expr>();
            if (coefficient.IsReal && !coefficient.IsOne)
            {
                var r = coefficient.Re;
                if (!r.Numerator.IsOne) numerator.Add(Ex.Num(r.Numerator, 1));
                if (!r.Denominator.IsOne) denominator.Add(Ex.Num(r.Denominator, 1));
            }
            else if (!coefficient.IsOne) numerator.Add(Ex.Num(coefficient));
            foreach (var f in p.Args)
            {
                if (f is Number) continue;
                if (f is Power { Exponent: Number { IsReal: true } e } pw && e.Re.Sign < 0)
                    denominator.Add(RaiseForPrinting(pw.Base, -e.Re));
                else numerator.Add(f);
            }
            WriteFraction(numerator, denominator);
        }

        private void WriteFraction(List<Expr> numerator, List<Expr> denominator)
        {
            if (latex && denominator.Count > 0)
            {
                sb.Append("\\frac{");
                WriteFactors(numerator);
                sb.Append("}{");
                WriteFactors(denominator);
                sb.Append('}');
                return;
            }
            WriteFactors(numerator);
            if (denominator.Count == 0) return;
            sb.Append('/');
            if (denominator.Count == 1) Write(denominator[0], PrecPower);
            else { sb.Append('('); WriteFactors(denominator); sb.Append(')'); }
        }

        private void WriteFactors(List<Expr> factors)
        {
            if (factors.Count == 0) { sb.Append('1'); return; }
            for (int i = 0; i < factors.Count; i++)
            {
                if (i > 0) sb.Append(latex ? " " : "*");
                Write(factors[i], PrecPower);
            }
        }

        // x^k for printing only: the factory would expand (a + b)^2, which is not what the formula says.
        private static Expr RaiseForPrinting(Expr b, Rational k) => k.IsOne ? b : new Power(b, Ex.Num(k));

        private void WritePower(Power p)
        {
            if (p.Exponent is Number { IsReal: true } e)
            {
                if (e.Re.Sign < 0)
                {
                    WriteFraction([Ex.One], [RaiseForPrinting(p.Base, -e.Re)]);
                    return;
                }
                if (e.Re == Rational.Half)
                {
                    sb.Append(latex ? "\\sqrt{" : "sqrt(");
                    Write(p.Base, 0);
                    sb.Append(latex ? "}" : ")");
                    return;
                }
            }
            Write(p.Base, PrecAtom);
            sb.Append('^');
            if (latex) { sb.Append('{'); Write(p.Exponent, 0); sb.Append('}'); }
            else Write(p.Exponent, PrecAtom);
        }

        private void WriteCall(Call c)
        {
            switch (c.Function)
            {
                case Function.Polygamma:
                {
                    int m = Ex.IntegerValue(c.Args[0]);
                    if (latex) sb.Append(m == 0 ? "\\psi" : $"\\psi^{{({m})}}");
                    else sb.Append(m == 0 ? "digamma" : $"polygamma({m}, ");
                    if (latex || m == 0) sb.Append(latex ? "\\left(" : "(");
                    Write(c.Arg, 0);
                    sb.Append(latex ? "\\right)" : ")");
                    return;
                }
                case Function.Zeta:
                    sb.Append(latex ? "\\zeta(" : "zeta(");
                    Write(c.Arg, 0);
                    sb.Append(')');
                    return;
            }
            var entry = Functions.FunctionRegistry.Owner(c.Function);
            string name = latex ? entry.Node!.Latex : entry.Name;
            sb.Append(name).Append(latex ? "\\left(" : "(");
            Write(c.Arg, 0);
            sb.Append(latex ? "\\right)" : ")");
        }
    }
}
