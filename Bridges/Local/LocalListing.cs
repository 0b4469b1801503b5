using System.Text;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Bridges.Local;

/// <summary>
/// One page of a listing from the index. Its cost follows the page, not the bucket: a seek to where the
/// page starts, then at most one row per entry, plus one seek past each common prefix it rolls up.
/// Bounds are UTF-8 byte strings; no key holds the byte 0xFF, so <c>p + 0xFF</c> is just above every key
/// starting with <c>p</c>.
/// </summary>
internal static class LocalListing
{
    private const string TokenTag = "lo";

    public static ObjectListing Page(LocalIndex index, string bucket, ListObjectsRequest request, CancellationToken ct)
    {
        var prefix = Encoding.UTF8.GetBytes(request.Prefix ?? "");
        var delimiter = string.IsNullOrEmpty(request.Delimiter) ? null : Encoding.UTF8.GetBytes(request.Delimiter);
        var pageSize = Math.Clamp(request.PageSize, 1, 1000);
        var below = Above(prefix);
        var (from, inclusive) = Start(request.PageToken, prefix, delimiter);

        var items = new List<ObjectInfo>();
        var prefixes = new List<string>();
        byte[]? last = null;
        var more = false;
        using var connection = index.OpenReader();
        // A read transaction: every query of this page sees one snapshot.
        using var snapshot = connection.BeginTransaction(deferred: true);
        var seek = true;
        while (seek)
        {
            seek = false;
            var limit = pageSize - items.Count - prefixes.Count + 1;
            foreach (var row in LocalIndex.Range(snapshot, bucket, from, inclusive, below, limit))
            {
                ct.ThrowIfCancellationRequested();
                if (items.Count + prefixes.Count == pageSize) { more = true; break; }
                if (CommonPrefix(row.Key, prefix.Length, delimiter) is { } common)
                {
                    prefixes.Add(Encoding.UTF8.GetString(common));
                    last = common;
                    (from, inclusive, seek) = (Above(common), true, true);
                    break;
                }
                items.Add(row.ToInfo());
                last = row.Key;
            }
        }
        var token = more && last is not null ? PageTokens.Wrap(TokenTag, Encoding.UTF8.GetString(last)) : null;
        return new ObjectListing(items, prefixes, token);
    }

    /// <summary>Where a page starts: the prefix, or just after the token's entry (past all of a common prefix).</summary>
    private static (byte[] From, bool Inclusive) Start(string? pageToken, byte[] prefix, byte[]? delimiter)
    {
        if (string.IsNullOrEmpty(pageToken)) return (prefix, true);
        var after = Encoding.UTF8.GetBytes(PageTokens.Unwrap(TokenTag, pageToken));
        if (after.AsSpan().SequenceCompareTo(prefix) < 0) return (prefix, true);
        return CommonPrefix(after, prefix.Length, delimiter) is not null && after.AsSpan().StartsWith(prefix)
            ? (Above(after), true)
            : (after, false);
    }

    /// <summary>The key's common prefix: up to and including the first delimiter after the listing prefix.</summary>
    private static byte[]? CommonPrefix(byte[] key, int prefixLength, byte[]? delimiter)
    {
        if (delimiter is null || key.Length < prefixLength) return null;
        var at = key.AsSpan(prefixLength).IndexOf(delimiter);
        return at < 0 ? null : key[..(prefixLength + at + delimiter.Length)];
    }

    private static byte[] Above(byte[] prefix)
    {
        var bound = new byte[prefix.Length + 1];
        prefix.CopyTo(bound, 0);
        bound[^1] = 0xFF;
        return bound;
    }
}
