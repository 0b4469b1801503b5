using Gateway.Contracts.IO;

namespace Gateway.Contracts.ObjectStorage;

/// <summary>
/// Reads objects of one bucket one after another, each streamed from the store (one open at a time): the body of a
/// composed object, in the store itself (<see cref="CopyObjectRequest.SourceParts"/>) or through it where it cannot compose.
/// </summary>
public sealed class ConcatenatedPartsStream(IObjectStore store, string bucket, IReadOnlyList<CopySourcePart> parts) : ReadOnlyStream
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
