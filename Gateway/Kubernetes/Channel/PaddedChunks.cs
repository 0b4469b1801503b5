using System.Buffers.Binary;

namespace Gateway.Kubernetes.Channel;

/// <summary>
/// Framing for a live byte stream over CTP-96: each chunk is a 4-byte big-endian length, the bytes, and one pad
/// byte. The channel's client holds a body's last byte back until the witness verifies; with the pad as that last
/// byte, a followed log's newest bytes reach the reader at once instead of waiting for more output.
/// </summary>
public static class PaddedChunks
{
    public const int MaxChunk = 64 * 1024;

    /// <summary>Copies <paramref name="source"/> into <paramref name="target"/> chunk by chunk, flushing each.</summary>
    public static async Task CopyAsync(Stream source, Stream target, CancellationToken ct)
    {
        var buffer = new byte[4 + MaxChunk + 1];
        while (true)
        {
            var n = await source.ReadAsync(buffer.AsMemory(4, MaxChunk), ct).ConfigureAwait(false);
            if (n == 0) return;
            BinaryPrimitives.WriteInt32BigEndian(buffer, n);
            buffer[4 + n] = (byte)'\n';
            await target.WriteAsync(buffer.AsMemory(0, 4 + n + 1), ct).ConfigureAwait(false);
            await target.FlushAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>The bytes of a padded-chunk stream, without the framing.</summary>
    public sealed class Reader(Stream framed) : Stream
    {
        readonly byte[] _header = new byte[4];
        int _remaining;
        bool _padPending, _ended;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            if (buffer.IsEmpty || _ended) return 0;
            if (_remaining == 0)
            {
                // The previous chunk's pad is read only now, when the caller wants more: it may be held back.
                if (_padPending)
                {
                    if (!await ReadExactlyOrEndAsync(_header.AsMemory(0, 1), ct).ConfigureAwait(false)) throw Truncated();
                    _padPending = false;
                }
                if (!await ReadExactlyOrEndAsync(_header, ct).ConfigureAwait(false)) { _ended = true; return 0; }
                _remaining = BinaryPrimitives.ReadInt32BigEndian(_header);
                if (_remaining is <= 0 or > MaxChunk) throw new IOException("Malformed chunk length in a channel log stream.");
            }
            var n = await framed.ReadAsync(buffer[..Math.Min(buffer.Length, _remaining)], ct).ConfigureAwait(false);
            if (n == 0) throw Truncated();
            _remaining -= n;
            if (_remaining == 0) _padPending = true;
            return n;
        }

        async Task<bool> ReadExactlyOrEndAsync(Memory<byte> into, CancellationToken ct)
        {
            var read = 0;
            while (read < into.Length)
            {
                var n = await framed.ReadAsync(into[read..], ct).ConfigureAwait(false);
                if (n == 0)
                {
                    if (read == 0) return false;
                    throw Truncated();
                }
                read += n;
            }
            return true;
        }

        static IOException Truncated() => new("A channel log stream ended mid-chunk.");

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) framed.Dispose();
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await framed.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
