using System.Security.Cryptography;
using Gateway.Contracts.Errors;
using Gateway.Contracts.IO;

namespace Gateway.Security;

/// <summary>
/// Hashes a body as it is read and holds the bytes of the last read back until the digest checked out, as
/// WitnessedBodyStream does for answers: on a mismatch the read throws instead of handing them over, so a consumer
/// (a store, a streaming REST upstream) never sees the final bytes or a complete body. With a Content-Length the
/// read that reaches it is the last one, and earlier reads pass on at once; without one (chunked), each read is
/// passed on only once the next one brought more bytes, so that the one which meets the end is still held.
/// Memory: one fixed buffer of twice <see cref="ReadSize"/>.
/// </summary>
public sealed class DigestVerifyingStream(Stream inner, HashAlgorithmName algorithm, byte[] expected, long? contentLength, Action onMismatch) : ReadOnlyStream
{
    /// <summary>The most one read takes from the inner stream.</summary>
    public const int ReadSize = 32 * 1024;

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(algorithm);
    private readonly byte[] _buffer = new byte[2 * ReadSize];
    // [_start, _releasable) may be handed over; [_releasable, _end) is the last read, held until more bytes or a verdict.
    private int _start;
    private int _releasable;
    private int _end;
    private long _read;
    private long _released;
    private bool _verified;
    private bool _mismatch;

    /// <summary>True once the body was found not to match its digest.</summary>
    public bool Mismatched => _mismatch;

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken ct = default)
    {
        if (destination.IsEmpty) return 0;
        while (true)
        {
            if (_mismatch) throw Mismatch();
            if (_start < _releasable)
            {
                var n = Math.Min(destination.Length, _releasable - _start);
                _buffer.AsSpan(_start, n).CopyTo(destination.Span);
                _start += n;
                _released += n;
                return n;
            }
            if (_verified) return 0;
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _releasable -= _start;
                _start = 0;
            }
            var read = await inner.ReadAsync(_buffer.AsMemory(_end, Math.Min(ReadSize, _buffer.Length - _end)), ct).ConfigureAwait(false);
            if (read == 0)
            {
                Verify();
                continue;
            }
            _hash.AppendData(_buffer, _end, read);
            _read += read;
            _end += read;
            if (_read == contentLength) Verify();
            // The earlier held bytes are not the last ones any more; with a Content-Length short of its end, neither are these.
            else _releasable = _read < contentLength ? _end : _end - read;
        }
    }

    private void Verify()
    {
        _verified = true;
        var actual = _hash.GetHashAndReset();
        if (!CryptographicOperations.FixedTimeEquals(actual, expected))
        {
            _mismatch = true;
            onMismatch();
            throw Mismatch();
        }
        _releasable = _end;
    }

    private static GatewayException Mismatch() =>
        new(ErrorCode.BadDigest, "The request body does not match its Content-Digest; nothing was changed.");

    public override long Length => inner.Length;
    public override long Position { get => _released; set => throw new NotSupportedException(); }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }
}
