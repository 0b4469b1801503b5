using System.Text.Json;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Migrations.Live;

/// <summary>
/// One ordered, paged listing over two stores, an entry in both given once, as To has it. The order is the stores'
/// own when both page in UTF-16 code-unit order (Azure), else UTF-8 byte order, as S3 lists: a page can only be merged
/// and resumed in the order its store pages in. The page token holds both positions: each side's token of the page that holds its next entry, whether the side
/// has ended, and the last name handed out (entries up to it are skipped when a page is listed again).
/// </summary>
internal static class MergedListing
{
    private const string TokenTag = "merged";

    private sealed record Position(string? From, string? To, bool FromEnded, bool ToEnded, string? After);

    private sealed record Entry(string Name, ObjectInfo? Object);

    public static async Task<ObjectListing> ListAsync(IObjectStore from, IObjectStore to, string bucket, ListObjectsRequest request, CancellationToken ct)
    {
        var position = request.PageToken is null ? new Position(null, null, false, false, null) : Decode(request.PageToken);
        var keyOrder = Order(from.Capabilities, to.Capabilities);
        var fromSide = new Side(from, bucket, request, position.From, position.FromEnded, position.After, keyOrder);
        var toSide = new Side(to, bucket, request, position.To, position.ToEnded, position.After, keyOrder);
        // From first: an object a job moves meanwhile is in To before it leaves From, so one of the two lists it.
        await fromSide.PeekAsync(ct).ConfigureAwait(false);
        await toSide.PeekAsync(ct).ConfigureAwait(false);
        if (fromSide.BucketMissing && toSide.BucketMissing)
            throw new GatewayException(ErrorCode.NotFound, $"No bucket '{bucket}' in either store.");

        var objects = new List<ObjectInfo>();
        var prefixes = new List<string>();
        string? last = null;
        for (var n = 0; n < request.PageSize; n++)
        {
            var f = await fromSide.PeekAsync(ct).ConfigureAwait(false);
            var t = await toSide.PeekAsync(ct).ConfigureAwait(false);
            if (f is null && t is null) break;
            var order = f is null ? 1 : t is null ? -1 : keyOrder.Compare(f.Name, t.Name);
            Entry entry;
            if (order < 0) entry = fromSide.Take();
            else
            {
                if (order == 0) fromSide.Take();
                entry = toSide.Take();
            }
            if (entry.Object is { } o) objects.Add(o); else prefixes.Add(entry.Name);
            last = entry.Name;
        }
        var fromMore = await fromSide.PeekAsync(ct).ConfigureAwait(false) is not null;
        var toMore = await toSide.PeekAsync(ct).ConfigureAwait(false) is not null;
        var next = fromMore || toMore ? Encode(new Position(fromSide.PageToken, toSide.PageToken, !fromMore, !toMore, last)) : null;
        return new ObjectListing(objects, prefixes, next);
    }

    /// <summary>UTF-16 code-unit order when both stores page in it; otherwise UTF-8 byte order.</summary>
    public static IComparer<string> Order(StoreCapabilities from, StoreCapabilities to) =>
        from.Utf16ListingOrder && to.Utf16ListingOrder ? StringComparer.Ordinal : Utf8KeyOrder.Instance;

    private static string Encode(Position position) => PageTokens.Wrap(TokenTag, JsonSerializer.Serialize(position));

    private static Position Decode(string token)
    {
        try { return JsonSerializer.Deserialize<Position>(PageTokens.Unwrap(TokenTag, token)) ?? throw new JsonException(); }
        catch (JsonException) { throw new GatewayException(ErrorCode.BadRequest, "pageToken is not a token this store handed out."); }
    }

    /// <summary>One store's listing, read a page at a time, entries after <c>after</c> only.</summary>
    private sealed class Side(IObjectStore store, string bucket, ListObjectsRequest request, string? token, bool ended, string? after, IComparer<string> order)
    {
        private List<Entry> _page = [];
        private int _index;
        private string? _next;
        private bool _loaded;

        /// <summary>The token that lists the page holding the next entry (null: the first page).</summary>
        public string? PageToken => token;
        public bool BucketMissing { get; private set; }

        public async Task<Entry?> PeekAsync(CancellationToken ct)
        {
            while (!ended)
            {
                if (!_loaded) await LoadAsync(ct).ConfigureAwait(false);
                if (_index < _page.Count) return _page[_index];
                if (_next is null) { ended = true; break; }
                token = _next;
                _loaded = false;
            }
            return null;
        }

        public Entry Take() => _page[_index++];

        private async Task LoadAsync(CancellationToken ct)
        {
            ObjectListing listing;
            try { listing = await store.ListObjectsAsync(bucket, request with { PageToken = token }, ct).ConfigureAwait(false); }
            catch (GatewayException e) when (e.Code == ErrorCode.NotFound && token is null)
            {
                // The bucket exists on one side only (To before the job created it, From after it was emptied and removed).
                BucketMissing = true;
                listing = new ObjectListing([], [], null);
            }
            _page = listing.Objects.Select(o => new Entry(o.Key, o))
                .Concat(listing.CommonPrefixes.Select(p => new Entry(p, null)))
                .Where(e => after is null || order.Compare(e.Name, after) > 0)
                .OrderBy(e => e.Name, order)
                .ToList();
            _index = 0;
            _next = listing.NextPageToken;
            _loaded = true;
        }
    }
}
