using System.Collections.Immutable;

namespace SeriesCompiler.Symbolic.Series;

public static class MultiIndex
{
    /// <summary>
    /// All multi-indices of <paramref name="dimension"/> variables with total degree 1..<paramref name="order"/>,
    /// in graded lexicographic order: by degree, then the first component descending ([2,0], [1,1], [0,2]).
    /// </summary>
    public static IEnumerable<ImmutableArray<int>> Graded(int dimension, int order)
    {
        for (int degree = 1; degree <= order; degree++)
            foreach (var index in WithDegree(dimension, degree))
                yield return index;
    }

    public static IEnumerable<ImmutableArray<int>> WithDegree(int dimension, int degree)
    {
        if (dimension == 1) { yield return [degree]; yield break; }
        for (int first = degree; first >= 0; first--)
            foreach (var rest in WithDegree(dimension - 1, degree - first))
                yield return rest.Insert(0, first);
    }
}
