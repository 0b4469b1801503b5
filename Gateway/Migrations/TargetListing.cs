using Gateway.Contracts.ObjectStorage;

namespace Gateway.Migrations;

/// <summary>
/// Walks the target's listing under the job's target prefix alongside the source pages (as rclone's checkers do), so the
/// job learns what the target holds from one listing call per page instead of a HEAD per object. Both listings come in
/// key order and the target key is the source key with its prefix replaced, so one forward pass covers both. The window
/// is only a hint: an object it missed (a writer racing the job) is caught by the conditional write, which then looks
/// again (see <see cref="ObjectMover"/>). Keys are compared in the order the target lists them. Where the source lists
/// in another order (UTF-16 against UTF-8), a source page is no range of the target's listing: <see cref="Whole"/> is
/// false, and a key the window did not find must be looked up, not taken as absent.
/// </summary>
internal sealed class TargetListing(IObjectStore source, IObjectStore target, string bucket, string prefix, int pageSize)
{
    private readonly IComparer<string> _order = target.Capabilities.ListingOrder();

    /// <summary>True when a key the window did not find is absent at the target (but for a writer racing the job).</summary>
    public bool Whole { get; } = source.Capabilities.Utf16ListingOrder == target.Capabilities.Utf16ListingOrder;

    private readonly Queue<ObjectInfo> _ahead = new();
    private string? _token;
    private bool _started;
    private bool _ended;

    /// <summary>
    /// Of the target's objects with keys up to the last of <paramref name="pageTargetKeys"/> in the target's order (not passed
    /// before), those in <paramref name="wanted"/>, by key. The others are passed over, so memory stays bounded by the source page.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, ObjectInfo>> UpToAsync(IEnumerable<string> pageTargetKeys, IReadOnlySet<string> wanted, CancellationToken ct)
    {
        var lastTargetKey = pageTargetKeys.Max(_order)!;
        var window = new Dictionary<string, ObjectInfo>(StringComparer.Ordinal);
        while (true)
        {
            while (_ahead.TryPeek(out var next))
            {
                if (_order.Compare(next.Key, lastTargetKey) > 0) return window;
                _ahead.Dequeue();
                if (wanted.Contains(next.Key)) window[next.Key] = next;
            }
            if (_ended) return window;
            var page = await target.ListObjectsAsync(bucket,
                new ListObjectsRequest { Prefix = prefix, PageSize = pageSize, PageToken = _started ? _token : null }, ct).ConfigureAwait(false);
            _started = true;
            foreach (var o in page.Objects) _ahead.Enqueue(o);
            _token = page.NextPageToken;
            _ended = _token is null;
        }
    }
}
