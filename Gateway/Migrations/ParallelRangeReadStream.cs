using System.Buffers;
using Gateway.Contracts.Errors;
using Gateway.Contracts.IO;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Migrations;

/// <summary>
/// Reads one large source object as consecutive ranged GETs, several in flight at once, and hands the bytes on in order
/// as one stream (which the target store writes as a multipart or block upload). Each range is read whole into a pooled
/// buffer, so memory is bounded by <c>readAhead × chunkSize</c> per object. Every range must come from the version the
/// job listed (its ETag): an object replaced while it is read fails the copy rather than mixing versions.
/// </summary>
internal sealed class ParallelRangeReadStream : ReadOnlyStream
{
    private readonly ArrayPool<byte> _buffers;
    private readonly IObjectStore _store;
    private readonly string _bucket;
    private readonly string _key;
    private readonly string _etag;
    private readonly long _size;
    private readonly int _chunkSize;
    private readonly int _readAhead;
    private readonly CancellationTokenSource _stop = new();
    private readonly Queue<Task<(byte[] Buffer, int Length)>> _fetches = new();
    private long _nextOffset;
    private byte[]? _current;
    private int _currentLength;
    private int _position;
    private int _disposed;

    /// <param name="first">The first range, already open (its answer named the version and the object's metadata).</param>
    /// <param name="buffers">The job's pool of range buffers (of <paramref name="chunkSize"/> bytes, with bounded retention).</param>
    public ParallelRangeReadStream(IObjectStore store, string bucket, string key, string etag, long size, ObjectContent first,
        int chunkSize, int readAhead, ArrayPool<byte> buffers)
    {
        _buffers = buffers;
        (_store, _bucket, _key, _etag, _size, _chunkSize, _readAhead) = (store, bucket, key, etag, size, chunkSize, readAhead);
        var firstLength = (int)Math.Min(chunkSize, size);
        _fetches.Enqueue(FillAsync(first, firstLength, _stop.Token));
        _nextOffset = firstLength;
        StartFetches();
    }

    /// <summary>Opens the first range of a parallel read: bytes 0 to <paramref name="chunkSize"/> - 1.</summary>
    public static GetObjectOptions FirstRange(int chunkSize) => new() { Range = new ByteRange(0, chunkSize - 1, null) };

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_current is null || _position == _currentLength)
        {
            Release();
            if (!_fetches.TryDequeue(out var next)) return 0;
            StartFetches();
            (_current, _currentLength) = await next.WaitAsync(cancellationToken).ConfigureAwait(false);
            _position = 0;
        }
        var n = Math.Min(buffer.Length, _currentLength - _position);
        _current.AsSpan(_position, n).CopyTo(buffer.Span);
        _position += n;
        return n;
    }

    private void StartFetches()
    {
        while (_fetches.Count < _readAhead && _nextOffset < _size)
        {
            var offset = _nextOffset;
            var length = (int)Math.Min(_chunkSize, _size - offset);
            _fetches.Enqueue(FetchAsync(offset, length, _stop.Token));
            _nextOffset += length;
        }
    }

    private async Task<(byte[], int)> FetchAsync(long offset, int length, CancellationToken ct)
    {
        var content = await _store.GetObjectAsync(_bucket, _key,
            new GetObjectOptions { Range = new ByteRange(offset, offset + length - 1, null) }, ct).ConfigureAwait(false);
        return await FillAsync(content, length, ct).ConfigureAwait(false);
    }

    private async Task<(byte[], int)> FillAsync(ObjectContent content, int length, CancellationToken ct)
    {
        await using (content.ConfigureAwait(false))
        {
            if (content.Info.ETag != _etag)
                throw new GatewayException(ErrorCode.PreconditionFailed, $"The source object '{_key}' changed while it was being read.");
            var buffer = _buffers.Rent(Math.Max(length, 1));
            try
            {
                var read = await content.Body.ReadAtLeastAsync(buffer.AsMemory(0, length), length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
                if (read != length)
                    throw new GatewayException(ErrorCode.Unavailable, $"The source answered {read} bytes of '{_key}' where {length} were asked for.");
                return (buffer, length);
            }
            catch
            {
                _buffers.Return(buffer);
                throw;
            }
        }
    }

    private void Release()
    {
        if (_current is null) return;
        _buffers.Return(_current);
        _current = null;
    }

    public override async ValueTask DisposeAsync()
    {
        await CleanUpAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) CleanUpAsync().AsTask().GetAwaiter().GetResult();
        base.Dispose(disposing);
    }

    /// <summary>Stops the fetches still running and gives every buffer back (once; base.DisposeAsync comes back through Dispose).</summary>
    private async ValueTask CleanUpAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        Release();
        while (_fetches.TryDequeue(out var fetch))
        {
            try { _buffers.Return((await fetch.ConfigureAwait(false)).Buffer); }
            catch (Exception) { /* cancelled or failed: its buffer went back already */ }
        }
        _stop.Dispose();
    }
}
