namespace SeriesCompiler.Runtime.Functions;

// The program's degree as a polynomial, read off its instructions (exact, not sampled): the batched estimators ask a
// separable f for every pure partial up to the series' order (or one past it), and above a polynomial's degree each is
// identically 0, so the jets need not carry those orders.
public sealed partial class FunctionProgram
{
    /// <summary>Stands for "not a polynomial" in <see cref="PolynomialDegree"/>.</summary>
    public const int NotPolynomial = int.MaxValue;

    private int _degree = -1;

    /// <summary>
    /// An upper bound on the program's total degree as a polynomial in its variables, or <see cref="NotPolynomial"/>: a
    /// constant is 0, a variable 1, sums take the larger, products add, <c>a^n</c> (whole n &gt;= 0) multiplies by n;
    /// a division by, a negative or real power of, or an elementary function of anything that is not constant is not a
    /// polynomial. Every partial derivative of an order above it is identically 0; a jet's coefficients up to it do not
    /// depend on how many orders it carries, so jets truncated there give the same numbers below.
    /// </summary>
    public int PolynomialDegree => _degree >= 0 ? _degree : _degree = ComputeDegree();

    private int ComputeDegree()
    {
        var stack = new int[Math.Max(MaxStack, 1)];
        int top = -1;
        foreach (var ins in _code)
        {
            switch (ins.Op)
            {
                case OpCode.Const: stack[++top] = 0; break;
                case OpCode.Var: stack[++top] = 1; break;
                // a + c, c - a, c a, a / c, -a: a's degree (at most).
                case OpCode.Negate or OpCode.AddScalar or OpCode.SubtractFromScalar or OpCode.MultiplyScalar or OpCode.DivideScalar: break;
                case OpCode.Square: stack[top] = Times(stack[top], 2); break;
                case OpCode.PowInt: stack[top] = ins.Argument >= 0 ? Times(stack[top], ins.Argument) : Constant(stack[top]); break;
                // c / a, a^c (c not a whole number >= 0), g(a): a polynomial only when a is a constant.
                case OpCode.DivideScalarBy or OpCode.PowReal or OpCode.Call: stack[top] = Constant(stack[top]); break;
                default:
                {
                    int b = stack[top--], a = stack[top];
                    stack[top] = ins.Op switch
                    {
                        OpCode.Add or OpCode.Subtract => Math.Max(a, b),
                        OpCode.Multiply => a == NotPolynomial || b == NotPolynomial ? NotPolynomial : Capped((long)a + b),
                        OpCode.Divide => b == 0 ? a : NotPolynomial,      // a / b: b constant
                        _ => a == 0 && b == 0 ? 0 : NotPolynomial,         // a^b
                    };
                    break;
                }
            }
        }
        return top == 0 ? stack[0] : NotPolynomial;
    }

    private static int Constant(int degree) => degree == 0 ? 0 : NotPolynomial;

    private static int Times(int degree, int n) => degree == NotPolynomial ? NotPolynomial : Capped((long)degree * n);

    // A degree too large to count is treated as no polynomial (no order is skipped then).
    private static int Capped(long degree) => degree < NotPolynomial ? (int)degree : NotPolynomial;
}
