using System.Security.Cryptography;
using Gateway.Contracts.Errors;
using Gateway.Contracts.IO;

namespace Gateway.Bridges.Shared;

/// <summary>
/// Passes a body through while hashing it, reading one block ahead: the last block is handed out only after the
/// whole body's MD5 has been compared with the one the caller declared. On a mismatch the read fails before the
/// request body is complete, so the service never commits the object.
/// </summary>
sealed class Md5CheckingStream(Stream inner, string? expectedMd5, int blockSize = 64 * 1024) : ReadOnlyStream
{
    readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    byte[] _current = new byte[blockSize];
    byte[] _ahead = new byte[blockSize];
    int _currentLength, _position, _aheadLength;
    bool _started;

    public string? Md5 { get; private set; }

    /// <summary>The body ended and its MD5 differed from the declared one (the read that found it failed).</summary>
    public bool DigestMismatch { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0) return 0;
        if (_position == _currentLength)
        {
            if (!_started)
            {
                _started = true;
                _currentLength = await FillAsync(_current, cancellationToken);
            }
            else
            {
                if (_currentLength == 0) return 0;
                (_current, _ahead) = (_ahead, _current);
                _currentLength = _aheadLength;
            }
            _position = 0;
            _aheadLength = _currentLength == 0 ? 0 : await FillAsync(_ahead, cancellationToken);
            if (_aheadLength == 0) Verify();
            if (_currentLength == 0) return 0;
        }
        var n = Math.Min(buffer.Length, _currentLength - _position);
        _current.AsSpan(_position, n).CopyTo(buffer.Span);
        _position += n;
        return n;
    }

    async Task<int> FillAsync(byte[] block, CancellationToken ct)
    {
        var n = await inner.ReadAtLeastAsync(block, block.Length, throwOnEndOfStream: false, ct);
        _md5.AppendData(block, 0, n);
        return n;
    }

    void Verify()
    {
        if (Md5 is not null) return;
        Md5 = Convert.ToBase64String(_md5.GetHashAndReset());
        if (expectedMd5 is not null && expectedMd5 != Md5)
        {
            DigestMismatch = true;
            throw new GatewayException(ErrorCode.BadDigest, "The body does not match its Content-MD5; nothing was stored.");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _md5.Dispose();
        base.Dispose(disposing);
    }

}
