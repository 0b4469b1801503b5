using System.Buffers;
using System.Globalization;
using System.Text;
using Gateway.Contracts.IO;
using Gateway.S3Api.Errors;

namespace Gateway.S3Api.Auth;

/// <summary>
/// Decodes an aws-chunked body (<c>hex-size;chunk-signature=sig\r\n data \r\n</c> ... a zero-size final chunk, then
/// optional trailers). In signed mode each chunk is read whole and its signature, chained from the seed signature of
/// the request, is checked before one byte of it is handed on; a bad or missing signature throws and the store
/// keeps nothing. Memory is one chunk (at most <c>maxChunkBytes</c>).
/// </summary>
internal sealed class AwsChunkedStream : ReadOnlyStream
{
    private const int MaxLine = 4096;
    private readonly Stream _inner;
    private readonly S3Caller? _signer; // null: unsigned chunks (STREAMING-UNSIGNED-PAYLOAD-TRAILER)
    private readonly bool _trailers;
    private readonly int _maxChunk;
    private readonly long _decodedLength;
    private readonly BodyFailure _failure;
    private readonly byte[] _read = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _readStart, _readEnd;
    private byte[] _chunk = [];
    private int _chunkPos, _chunkLen;
    private string _previousSignature;
    private long _delivered;
    private bool _finished;

    public AwsChunkedStream(Stream inner, S3Caller caller, bool signed, bool trailers, int maxChunkBytes, long decodedLength, BodyFailure failure)
    {
        _inner = inner;
        _signer = signed ? caller : null;
        _trailers = trailers;
        _maxChunk = maxChunkBytes;
        _decodedLength = decodedLength;
        _failure = failure;
        // Only SigV4 callers stream aws-chunked (SigV2 refuses it), so Signature and SigningKey are set here.
        if (caller.Signature is null || caller.SigningKey is null) throw new InvalidOperationException("aws-chunked bodies are SigV4 only.");
        _previousSignature = caller.Signature.Signature.ToLowerInvariant();
    }

    /// <summary>Trailer headers received after the final chunk (e.g. x-amz-checksum-crc32), lower-case names.</summary>
    public Dictionary<string, string> Trailers { get; } = new(StringComparer.Ordinal);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0) return 0;
        while (_chunkPos == _chunkLen)
        {
            if (_finished) return 0;
            _chunkPos = _chunkLen = 0;
            await NextChunkAsync(cancellationToken).ConfigureAwait(false);
        }
        var n = Math.Min(buffer.Length, _chunkLen - _chunkPos);
        _chunk.AsSpan(_chunkPos, n).CopyTo(buffer.Span);
        _chunkPos += n;
        return n;
    }

    private async Task NextChunkAsync(CancellationToken ct)
    {
        var (size, signature) = await ReadChunkHeaderAsync(ct).ConfigureAwait(false);
        if (size == 0)
        {
            await FinishAsync(signature, ct).ConfigureAwait(false);
            return;
        }
        if (_chunk.Length < size)
        {
            if (_chunk.Length > 0) ArrayPool<byte>.Shared.Return(_chunk);
            _chunk = ArrayPool<byte>.Shared.Rent(size);
        }
        await ReadExactAsync(_chunk.AsMemory(0, size), ct).ConfigureAwait(false);
        await ExpectCrlfAsync(ct).ConfigureAwait(false);
        VerifyChunk(signature, _chunk.AsSpan(0, size));
        _delivered += size;
        if (_decodedLength >= 0 && _delivered > _decodedLength) throw Fail(S3Errors.IncompleteBody());
        if (_decodedLength >= 0 && _delivered == _decodedLength)
        {
            // Read and check the final chunk (and trailers) before the last data goes out: a store that stops reading
            // at the declared length must still never get a body whose ending was not verified.
            var (last, lastSignature) = await ReadChunkHeaderAsync(ct).ConfigureAwait(false);
            if (last != 0) throw Fail(S3Errors.IncompleteBody());
            await FinishAsync(lastSignature, ct).ConfigureAwait(false);
        }
        _chunkPos = 0;
        _chunkLen = size;
    }

    private async Task<(int Size, string? Signature)> ReadChunkHeaderAsync(CancellationToken ct)
    {
        var header = await ReadLineAsync(ct).ConfigureAwait(false);
        var semi = header.IndexOf(';');
        var sizeText = semi < 0 ? header : header[..semi];
        if (sizeText.Length is 0 or > 8 || !int.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
            throw Fail(S3Errors.InvalidRequest("The aws-chunked body is malformed: bad chunk size."));
        if (size > _maxChunk) throw Fail(S3Errors.InvalidRequest($"aws-chunked chunks are limited to {_maxChunk} bytes here."));
        string? signature = null;
        if (semi >= 0)
        {
            var ext = header[(semi + 1)..];
            const string prefix = "chunk-signature=";
            if (!ext.StartsWith(prefix, StringComparison.Ordinal)) throw Fail(S3Errors.InvalidRequest("The aws-chunked body is malformed: bad chunk extension."));
            signature = ext[prefix.Length..];
        }
        if (_signer is not null && (signature is null || signature.Length != 64)) throw Fail(S3Errors.SignatureDoesNotMatch());
        return (size, signature);
    }

    private void VerifyChunk(string? signature, ReadOnlySpan<byte> data)
    {
        if (_signer is null) return;
        var expected = SigV4.Sign(_signer.SigningKey!, SigV4.ChunkStringToSign(_signer.Signature!.AmzDate, _signer.Signature.Scope, _previousSignature, data));
        if (!SigV4.SignatureEquals(expected, signature!)) throw Fail(S3Errors.SignatureDoesNotMatch());
        _previousSignature = expected;
    }

    /// <summary>The zero-size final chunk: its signature, then the trailers (trailer mode) or the closing CRLF.</summary>
    private async Task FinishAsync(string? signature, CancellationToken ct)
    {
        if (_finished) return;
        VerifyChunk(signature, []);
        if (IsTrailerMode) await ReadTrailersAsync(ct).ConfigureAwait(false);
        else await ExpectCrlfAsync(ct).ConfigureAwait(false);
        if (_decodedLength >= 0 && _delivered != _decodedLength) throw Fail(S3Errors.IncompleteBody());
        _finished = true;
    }

    private bool IsTrailerMode => _trailers;

    private async Task ReadTrailersAsync(CancellationToken ct)
    {
        string? trailerSignature = null;
        var canonical = new StringBuilder();
        for (var i = 0; i < 64; i++)
        {
            var line = await ReadLineAsync(ct).ConfigureAwait(false);
            if (line.Length == 0)
            {
                if (_signer is not null) VerifyTrailers(canonical.ToString(), trailerSignature);
                return;
            }
            var colon = line.IndexOf(':');
            if (colon <= 0) throw Fail(S3Errors.InvalidRequest("The aws-chunked body is malformed: bad trailer."));
            var name = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            if (name == "x-amz-trailer-signature") { trailerSignature = value; continue; }
            Trailers[name] = value;
            canonical.Append(name).Append(':').Append(value).Append('\n');
        }
        throw Fail(S3Errors.InvalidRequest("The aws-chunked body has too many trailers."));
    }

    /// <summary>Signed trailers chain from the final chunk's signature, as chunks do, over the canonical trailer lines.</summary>
    private void VerifyTrailers(string canonical, string? signature)
    {
        if (signature is null || signature.Length != 64) throw Fail(S3Errors.SignatureDoesNotMatch());
        var toSign = $"{SigV4.Algorithm}-TRAILER\n{_signer!.Signature!.AmzDate}\n{_signer.Signature.Scope}\n{_previousSignature}\n{SigV4.HexSha256(canonical)}";
        var expected = SigV4.Sign(_signer.SigningKey!, toSign);
        if (!SigV4.SignatureEquals(expected, signature)) throw Fail(S3Errors.SignatureDoesNotMatch());
    }

    private S3Exception Fail(S3Exception e) => _failure.Fail(e);

    private async Task<bool> FillAsync(CancellationToken ct)
    {
        if (_readStart > 0 && _readStart == _readEnd) _readStart = _readEnd = 0;
        if (_readEnd == _read.Length)
        {
            Buffer.BlockCopy(_read, _readStart, _read, 0, _readEnd - _readStart);
            _readEnd -= _readStart;
            _readStart = 0;
        }
        var n = await _inner.ReadAsync(_read.AsMemory(_readEnd), ct).ConfigureAwait(false);
        _readEnd += n;
        return n > 0;
    }

    private async Task<string> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            var span = _read.AsSpan(_readStart, _readEnd - _readStart);
            var lf = span.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var end = lf > 0 && span[lf - 1] == '\r' ? lf - 1 : lf;
                var line = Encoding.ASCII.GetString(span[..end]);
                _readStart += lf + 1;
                return line;
            }
            if (span.Length >= MaxLine) throw Fail(S3Errors.InvalidRequest("The aws-chunked body is malformed: line too long."));
            if (!await FillAsync(ct).ConfigureAwait(false)) throw Fail(S3Errors.IncompleteBody());
        }
    }

    private async Task ReadExactAsync(Memory<byte> target, CancellationToken ct)
    {
        var done = 0;
        while (done < target.Length)
        {
            if (_readStart == _readEnd && !await FillAsync(ct).ConfigureAwait(false)) throw Fail(S3Errors.IncompleteBody());
            var n = Math.Min(target.Length - done, _readEnd - _readStart);
            _read.AsMemory(_readStart, n).CopyTo(target[done..]);
            _readStart += n;
            done += n;
        }
    }

    private async Task ExpectCrlfAsync(CancellationToken ct)
    {
        var line = await ReadLineAsync(ct).ConfigureAwait(false);
        if (line.Length != 0) throw Fail(S3Errors.InvalidRequest("The aws-chunked body is malformed: chunk data longer than its size."));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ArrayPool<byte>.Shared.Return(_read);
            if (_chunk.Length > 0) ArrayPool<byte>.Shared.Return(_chunk);
            _chunk = [];
        }
        base.Dispose(disposing);
    }
}
