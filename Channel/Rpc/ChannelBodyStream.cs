using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Gateway.Channel.Connections;
using Gateway.Contracts.IO;

namespace Gateway.Channel.Rpc;

/// <summary>Read-only view of a stream's DATA frames that hashes what passes through (SHA-256).</summary>
internal class ChannelBodyStream(ChannelStream stream) : ReadOnlyStream
{
    private readonly ChannelStream _source = stream;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _ended;

    public bool Ended => _ended;
    protected ChannelStream Source => _source;
    public long BytesRead { get; private set; }

    public byte[] Digest() => _hash.GetCurrentHash();

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (_ended || buffer.IsEmpty) return await OnEndAsync(ct).ConfigureAwait(false);
        var n = await _source.ReadDataAsync(buffer, ct).ConfigureAwait(false);
        if (n == 0)
        {
            _ended = true;
            return await OnEndAsync(ct).ConfigureAwait(false);
        }
        _hash.AppendData(buffer.Span[..n]);
        BytesRead += n;
        return n;
    }

    /// <summary>Called whenever a read would return 0; a subclass may throw instead.</summary>
    protected virtual ValueTask<int> OnEndAsync(CancellationToken ct) => ValueTask.FromResult(0);

    /// <summary>Reads and discards the rest of the body (still hashing it).</summary>
    public async Task DrainAsync(CancellationToken ct)
    {
        if (_ended) return;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (true)
            {
                var n = await _source.ReadDataAsync(buffer, ct).ConfigureAwait(false);
                if (n == 0) break;
                _hash.AppendData(buffer, 0, n);
                BytesRead += n;
            }
            _ended = true;
        }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(buffer); }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }
}
