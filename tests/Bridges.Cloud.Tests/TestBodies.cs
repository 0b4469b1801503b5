using Gateway.Contracts.IO;

namespace Gateway.Bridges.Cloud.Tests;

/// <summary>A request body as the gateway hands it on: forward only.</summary>
sealed class ForwardOnly(byte[] bytes) : ReadOnlyStream
{
    readonly MemoryStream _inner = new(bytes, writable: false);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);
}

/// <summary>A forward-only body of <paramref name="size"/> bytes made as it is read, so the test itself holds none of it.</summary>
sealed class GeneratedBody(long size) : ReadOnlyStream
{
    long _position;
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = (int)Math.Min(buffer.Length, size - _position);
        var span = buffer.Span[..n];
        for (var i = 0; i < n; i++) span[i] = (byte)((_position + i) * 31 >> 7);
        _position += n;
        return ValueTask.FromResult(n);
    }
}
