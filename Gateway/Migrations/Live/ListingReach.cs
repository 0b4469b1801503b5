namespace Gateway.Migrations.Live;

/// <summary>
/// How far a store's listing has certainly gone in another order: a store that has paged up to <c>last</c> in its own
/// order has listed every name below the bound returned, in the merged listing's order. UTF-16 code-unit order and
/// UTF-8 byte order (code point order) differ only where one name has a supplementary character (a surrogate pair) and
/// the other U+E000-U+FFFF at the same place: UTF-16 puts the supplementary one first, UTF-8 last.
/// </summary>
internal static class ListingReach
{
    /// <summary>The exclusive bound, in the merged order, below which the store has listed every name.</summary>
    public static string Bound(string last, bool pagesInUtf16, bool mergedInUtf16)
    {
        // A name after `last` in the store's order that is below it in the merged order first differs from it where
        // `last` has the character the store's order puts lower; up to there the two orders agree. With none, every
        // name up to `last` itself (below last + U+0000, its successor in both orders) is listed.
        var differsAt = pagesInUtf16 == mergedInUtf16 ? -1
            : pagesInUtf16 ? last.AsSpan().IndexOfAnyInRange('\uD800', '\uDBFF')
            : last.AsSpan().IndexOfAnyInRange('\uE000', '\uFFFF');
        if (differsAt < 0) return last + "\0";
        // Names below last[..differsAt] followed by the lowest character of those the two orders place differently
        // (U+E000 in UTF-8 order, a high surrogate in UTF-16) compare alike in both orders: all listed.
        return last[..differsAt] + (pagesInUtf16 ? "\uE000" : "\uD800");
    }
}
