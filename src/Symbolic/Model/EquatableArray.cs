using System.Collections;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;

namespace SeriesCompiler.Symbolic.Model;

/// <summary>
/// An immutable array that compares by its elements, so that records of the model holding lists are value-equal
/// (an <see cref="ImmutableArray{T}"/> compares by reference). Converts to and from <see cref="ImmutableArray{T}"/>.
/// </summary>
[CollectionBuilder(typeof(EquatableArray), nameof(EquatableArray.Create))]
public readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
{
    private readonly ImmutableArray<T> _items;

    public EquatableArray(ImmutableArray<T> items) => _items = items.IsDefault ? [] : items;

    private ImmutableArray<T> Items => _items.IsDefault ? [] : _items;

    public T this[int index] => Items[index];
    public int Length => Items.Length;
    public int Count => Items.Length;
    public bool IsEmpty => Items.IsEmpty;

    public int IndexOf(T item) => Items.IndexOf(item);

    public ImmutableArray<T> AsImmutableArray() => Items;

    public ImmutableArray<T>.Enumerator GetEnumerator() => Items.GetEnumerator();
    IEnumerator<T> IEnumerable<T>.GetEnumerator() => ((IEnumerable<T>)Items).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable)Items).GetEnumerator();

    public bool Equals(EquatableArray<T> other) => Items.AsSpan().SequenceEqual(other.Items.AsSpan(), EqualityComparer<T>.Default);
    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in Items) hash.Add(item);
        return hash.ToHashCode();
    }

    public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);
    public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);

    public static implicit operator EquatableArray<T>(ImmutableArray<T> items) => new(items);
    public static implicit operator ImmutableArray<T>(EquatableArray<T> items) => items.Items;

    public override string ToString() => "[" + string.Join(", ", Items) + "]";
}

/// <summary>Builds <see cref="EquatableArray{T}"/> values (collection expressions use <see cref="Create{T}"/>).</summary>
public static class EquatableArray
{
    public static EquatableArray<T> Create<T>(ReadOnlySpan<T> items) => new(ImmutableArray.Create(items));

    public static EquatableArray<T> ToEquatableArray<T>(this IEnumerable<T> items) => new([.. items]);
}
