using System.Text;

namespace Gateway.Contracts.ObjectStorage;

/// <summary>
/// S3's listing order: keys compared as UTF-8 bytes, which is Unicode code point order. .NET's ordinal comparison
/// compares UTF-16 code units instead and puts U+10000 and above (surrogates, 0xD800..) before U+E000..U+FFFF.
/// </summary>
public sealed class Utf8KeyOrder : IComparer<string>
{
    public static readonly Utf8KeyOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var a = x.AsSpan();
        var b = y.AsSpan();
        while (!a.IsEmpty && !b.IsEmpty)
        {
            Rune.DecodeFromUtf16(a, out var ra, out var na);
            Rune.DecodeFromUtf16(b, out var rb, out var nb);
            if (ra.Value != rb.Value) return ra.Value.CompareTo(rb.Value);
            a = a[na..];
            b = b[nb..];
        }
        return a.Length.CompareTo(b.Length);
    }
}
