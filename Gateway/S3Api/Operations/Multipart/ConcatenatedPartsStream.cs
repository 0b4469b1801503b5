using Gateway.Contracts.IO;
using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Auth;

namespace Gateway.S3Api.Operations.Multipart;

/// <summary>Reads the parts of an upload one after another, each streamed from the store (one open part at a time).</summary>
internal sealed class ConcatenatedPartsStream(IObjectStore store, string bucket, IReadOnlyList<(string Key, string ETag)> parts) : ReadOnlyStream
{
    private int _next;
    private ObjectContent? _current;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_current is null)
            {
                if (_next == parts.Count) return 0;
                var (key, etag) = parts[_next++];
                // If-Match on the part's own ETag: a part replaced since it was checked fails the completion.
                _current = await store.GetObjectAsync(bucket, key, new GetObjectOptions { Conditions = new ObjectConditions { IfMatch = [etag] } },
                    cancellationToken).ConfigureAwait(false);
            }
            var n = await _current.Body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (n > 0) return n;
            await _current.DisposeAsync().ConfigureAwait(false);
            _current = null;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_current is not null) await _current.DisposeAsync().ConfigureAwait(false);
        _current = null;
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _current?.Dispose();
        _current = null;
        base.Dispose(disposing);
    }
}
