using System.Security.Cryptography;
using Gateway.Contracts.Errors;
using Gateway.Contracts.IO;

namespace Gateway.Security;

/// <summary>
/// Hashes a body as it is read and, before handing over its last bytes, compares the digest: on a mismatch the
/// read throws instead, so the consumer never sees a complete body and a store never commits it. With a
/// Content-Length the check happens on the read that reaches it (consumers may stop reading there), otherwise
/// on the read that meets the end.
/// </summary>
public sealed class DigestVerifyingStream(Stream inner, HashAlgorithmName algorithm, byte[] expected, long? contentLength, Action onMismatch) : ReadOnlyStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(algorithm);
    private long _read;
    private bool _verified;
    private bool _mismatch;

    /// <summary>True once the body was found not to match its digest.</summary>
    public bool Mismatched => _mismatch;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        return Account(buffer[..n]);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        var n = await inner.ReadAsync(buffer, ct);
        return Account(buffer.Span[..n]);
    }

    private int Account(ReadOnlySpan<byte> chunk)
    {
        if (_mismatch) throw Mismatch();
        if (_verified) return chunk.Length;
        _hash.AppendData(chunk);
        _read += chunk.Length;
        if (chunk.Length == 0 || _read == contentLength)
        {
            _verified = true;
            var actual = _hash.GetHashAndReset();
            if (!CryptographicOperations.FixedTimeEquals(actual, expected))
            {
                _mismatch = true;
                onMismatch();
                throw Mismatch();
            }
        }
        return chunk.Length;
    }

    private static GatewayException Mismatch() =>
        new(ErrorCode.BadDigest, "The request body does not match its Content-Digest; nothing was changed.");

    public override long Length => inner.Length;
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }
}
