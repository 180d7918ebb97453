using SeriesCompiler.Symbolic.Expressions;

namespace SeriesCompiler.Tests.Symbolic;

internal static class RandomExpressions
{
    /// <summary>
    /// Builds a random expression tree in x and y from a program of integers: + * / ^ exp log sin and a few more,
    /// with positive-safe arguments (logs, powers and lgamma of 1 + u^2, divisions by 1 + u^2).
    /// </summary>
    internal sealed class TreeBuilder(int[] code, Expr x, Expr y)
    {
        private int _pos;
        private int Next() => code[_pos++ % code.Length];

        public Expr Build(int depth)
        {
            int op = depth >= 3 ? Next() % 3 : Next() % 15;
            switch (op)
            {
                case 0: return x;
                case 1: return y;
                case 2: return Ex.Num(new Rational(1 + Next() % 5, 1 + Next() % 3));
            }
            var u = Build(depth + 1);
            Expr Positive(Expr e) => Ex.Add(Ex.One, Ex.Pow(e, 2));
            return op switch
            {
                3 => Ex.Add(u, Build(depth + 1)),
                4 => Ex.Mul(u, Build(depth + 1)),
                5 => Ex.Div(u, Positive(Build(depth + 1))),
                6 => Ex.Pow(Positive(u), Ex.Num(new Rational(Next() % 9 - 4, 2))),
                7 => Ex.Pow(Positive(u), Ex.Sin(Build(depth + 1))),
                8 => Ex.Exp(Ex.Sin(u)),
                9 => Ex.Log(Positive(u)),
                10 => Ex.Sin(u),
                11 => Ex.Atan(u),
                12 => Ex.Tanh(u),
                13 => Ex.LogGamma(Positive(u)),
                _ => Ex.Mul(Ex.Cos(u), Ex.Sinh(Ex.Sin(Build(depth + 1)))),
            };
        }
    }
}
