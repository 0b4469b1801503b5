using System.Buffers;
using System.Text.Json;
using Gateway.Channel.Rpc;
using Gateway.Contracts.IO;

namespace Gateway.Channel.Families;

/// <summary>
/// A live body made of items (log lines), one JSON object per line, read as the producer hands them over: a read
/// waits for the next item only when none is ready, and takes along every item that is ready already. Disposing the
/// body (the caller went away) cancels the producer.
/// </summary>
internal sealed class NdjsonItemStream<T>(IAsyncEnumerator<T> items, bool hasFirst, CancellationTokenSource stop) : ReadOnlyStream
{
    private const int Batch = 32 * 1024;
    private readonly ArrayBufferWriter<byte> _pending = new(4096);
    private Utf8JsonWriter? _json;
    private int _offset;
    private bool _first = hasFirst;
    private bool _ended = !hasFirst;
    private Task<bool>? _next;
    private int _disposed;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) return 0;
        if (_offset == _pending.WrittenCount)
        {
            _pending.Clear();
            _offset = 0;
            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
        var available = _pending.WrittenSpan[_offset..];
        var n = Math.Min(available.Length, buffer.Length);
        available[..n].CopyTo(buffer.Span);
        _offset += n;
        return n;
    }

    private async Task FillAsync(CancellationToken ct)
    {
        if (_first) _first = false;
        else
        {
            if (_ended) return;
            bool more;
            using (ct.Register(static s => ((CancellationTokenSource)s!).Cancel(), stop))
                more = await (_next ?? items.MoveNextAsync().AsTask()).ConfigureAwait(false);
            _next = null;
            if (!more)
            {
                _ended = true;
                return;
            }
        }
        Write(items.Current);
        while (_pending.WrittenCount < Batch)
        {
            var next = items.MoveNextAsync();
            if (!next.IsCompleted)
            {
                _next = next.AsTask();
                return;
            }
            if (!next.GetAwaiter().GetResult())
            {
                _ended = true;
                return;
            }
            Write(items.Current);
        }
    }

    private void Write(T item)
    {
        if (_json is null) _json = new Utf8JsonWriter(_pending);
        else _json.Reset(_pending);
        JsonSerializer.Serialize(_json, item, CallJson.Options);
        _json.Flush();
        _pending.Write("\n"u8);
    }

    public override async ValueTask DisposeAsync()
    {
        await ReleaseAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) ReleaseAsync().AsTask().GetAwaiter().GetResult();
        base.Dispose(disposing);
    }

    private async ValueTask ReleaseAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            try { await stop.CancelAsync().ConfigureAwait(false); } catch (ObjectDisposedException) { }
            // A pending read has to finish (or be cancelled) before the producer is disposed.
            if (_next is { } pending)
            {
                try { await pending.ConfigureAwait(false); } catch (Exception) { /* the body is being dropped */ }
            }
            await items.DisposeAsync().ConfigureAwait(false);
            _json?.Dispose();
            stop.Dispose();
        }
    }
}
