using System.Text.Json;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Migrations.Live;

/// <summary>
/// One ordered, paged listing over two stores, an entry in both given once, as To has it. The order is the stores'
/// own when both page in UTF-16 code-unit order (Azure), else UTF-8 byte order, as S3 lists. Each side is paged in its
/// own order with its own tokens; a name is handed out only once both sides have certainly listed everything below it
/// in the merged order (<see cref="ListingReach"/>), so a UTF-16 side may be read pages ahead of what a page gives.
/// The page token holds both positions: each side's token of the earliest page still holding a name not handed out,
/// whether the side has ended, and the last name handed out (names up to it, in the merged order, are all handed out
/// and skipped when a page is listed again).
/// </summary>
internal static class MergedListing
{
    private const string TokenTag = "merged";

    private sealed record Position(string? From, string? To, bool FromEnded, bool ToEnded, string? After);

    private sealed record Entry(string Name, ObjectInfo? Object);

    public static async Task<ObjectListing> ListAsync(IObjectStore from, IObjectStore to, string bucket, ListObjectsRequest request, CancellationToken ct)
    {
        var position = request.PageToken is null ? new Position(null, null, false, false, null) : Decode(request.PageToken);
        var inUtf16 = InUtf16(from.Capabilities, to.Capabilities);
        var keyOrder = Order(inUtf16);
        var fromSide = new Side(from, bucket, request, position.From, position.FromEnded, position.After, inUtf16);
        var toSide = new Side(to, bucket, request, position.To, position.ToEnded, position.After, inUtf16);
        // From first: an object a job moves meanwhile is in To before it leaves From, so one of the two lists it.
        await fromSide.PeekAsync(ct).ConfigureAwait(false);
        await toSide.PeekAsync(ct).ConfigureAwait(false);
        if (fromSide.BucketMissing && toSide.BucketMissing)
            throw new GatewayException(ErrorCode.NotFound, $"No bucket '{bucket}' in either store.");

        var objects = new List<ObjectInfo>();
        var prefixes = new List<string>();
        var last = position.After;
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
        var next = fromMore || toMore ? Encode(new Position(fromSide.PageToken, toSide.PageToken, fromSide.Ended, toSide.Ended, last)) : null;
        return new ObjectListing(objects, prefixes, next);
    }

    /// <summary>The merged listing is in UTF-16 code-unit order when both stores page in it; otherwise in UTF-8 byte order.</summary>
    public static bool InUtf16(StoreCapabilities from, StoreCapabilities to) => from.Utf16ListingOrder && to.Utf16ListingOrder;

    private static IComparer<string> Order(bool inUtf16) => inUtf16 ? StringComparer.Ordinal : Utf8KeyOrder.Instance;

    private static string Encode(Position position) => PageTokens.Wrap(TokenTag, JsonSerializer.Serialize(position));

    private static Position Decode(string token)
    {
        try { return JsonSerializer.Deserialize<Position>(PageTokens.Unwrap(TokenTag, token)) ?? throw new JsonException(); }
        catch (JsonException) { throw new GatewayException(ErrorCode.BadRequest, "pageToken is not a token this store handed out."); }
    }

    /// <summary>
    /// One store's listing, read a page at a time in the store's order, its names after <c>after</c> handed out in the
    /// merged order. Names read but not handed out wait here with the number of the page they came from.
    /// </summary>
    private sealed class Side(IObjectStore store, string bucket, ListObjectsRequest request, string? token, bool ended, string? after, bool mergedInUtf16)
    {
        private readonly IComparer<string> _order = Order(mergedInUtf16);
        private readonly SortedSet<Waiting> _waiting = new(Waiting.InOrder(Order(mergedInUtf16)));
        private readonly List<string?> _pageTokens = [];
        private readonly List<int> _waitingOnPage = [];
        private string? _next = token;
        private bool _allRead = ended;
        private string? _reach;

        private readonly record struct Waiting(Entry Entry, int Page)
        {
            public static IComparer<Waiting> InOrder(IComparer<string> order) =>
                Comparer<Waiting>.Create((a, b) => order.Compare(a.Entry.Name, b.Entry.Name) is var c and not 0 ? c : a.Page.CompareTo(b.Page));
        }

        /// <summary>The token that lists the earliest page holding a name not handed out (null: the first page).</summary>
        public string? PageToken => _waitingOnPage.FindIndex(n => n > 0) is var page and >= 0 ? _pageTokens[page] : _next;
        public bool Ended => _allRead && _waiting.Count == 0;
        public bool BucketMissing { get; private set; }

        /// <summary>The side's lowest name not handed out in the merged order, read until no page to come can hold a lower one.</summary>
        public async Task<Entry?> PeekAsync(CancellationToken ct)
        {
            while (true)
            {
                if (_waiting.Count > 0 && (_allRead || (_reach is not null && _order.Compare(_waiting.Min.Entry.Name, _reach) < 0)))
                    return _waiting.Min.Entry;
                if (_allRead) return null;
                await LoadAsync(ct).ConfigureAwait(false);
            }
        }

        public Entry Take()
        {
            var lowest = _waiting.Min;
            _waiting.Remove(lowest);
            _waitingOnPage[lowest.Page]--;
            after = lowest.Entry.Name;
            return lowest.Entry;
        }

        private async Task LoadAsync(CancellationToken ct)
        {
            var pageToken = _next;
            ObjectListing listing;
            try { listing = await store.ListObjectsAsync(bucket, request with { PageToken = pageToken }, ct).ConfigureAwait(false); }
            catch (GatewayException e) when (e.Code == ErrorCode.NotFound && pageToken is null)
            {
                // The bucket exists on one side only (To before the job created it, From after it was emptied and removed).
                BucketMissing = true;
                listing = new ObjectListing([], [], null);
            }
            var entries = listing.Objects.Select(o => new Entry(o.Key, o)).Concat(listing.CommonPrefixes.Select(p => new Entry(p, null))).ToList();
            if (entries.Count > 0)
            {
                var last = entries.Select(e => e.Name).Max(store.Capabilities.ListingOrder())!;
                _reach = ListingReach.Bound(last, store.Capabilities.Utf16ListingOrder, mergedInUtf16);
            }
            var page = _pageTokens.Count;
            _pageTokens.Add(pageToken);
            _waitingOnPage.Add(0);
            // After the last name this side handed out: a common prefix a store repeats on its next page is given once.
            foreach (var entry in entries.Where(e => after is null || _order.Compare(e.Name, after) > 0))
                if (_waiting.Add(new Waiting(entry, page))) _waitingOnPage[page]++;
            _next = listing.NextPageToken;
            _allRead = _next is null;
        }
    }
}
