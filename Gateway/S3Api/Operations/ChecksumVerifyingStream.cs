using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using Gateway.Contracts.IO;
using Gateway.S3Api.Auth;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Routing;

namespace Gateway.S3Api.Operations;

/// <summary>
/// S3's additional checksums (x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1, -sha256), sent as a header or as an aws-chunked
/// trailer: computed at the front door while the body streams, so every store honours them. A mismatch throws at the
/// end of the body and the store keeps nothing (BadDigest).
/// </summary>
internal sealed class ChecksumVerifyingStream : ReadOnlyStream
{
    public static readonly string[] Algorithms = ["crc32", "crc32c", "crc64nvme", "sha1", "sha256"];
    /// <summary>Algorithms S3 added later (newer botocore names them): a checksum header of one is NotImplemented, never ignored.</summary>
    public static readonly string[] NotBuilt = ["sha512", "md5", "xxhash64", "xxhash3", "xxhash128"];
    private static readonly (string Header, string Name)[] NotBuiltHeaders = [.. NotBuilt.Select(a => ("x-amz-checksum-" + a, a.ToUpperInvariant()))];
    private const string ItemKey = "s3.checksum";
    private readonly Stream _inner;
    private readonly string _algorithm;
    /// <summary>The value sent (header or trailer); null when the checksum is only computed.</summary>
    private readonly Func<string?>? _expected;
    private readonly BodyFailure _failure;
    private readonly Action<string> _computed;
    private readonly NonCryptographicHashAlgorithm? _crc;
    private readonly IncrementalHash? _sha;
    private readonly long _length;
    private long _read;
    private bool _done;

    private ChecksumVerifyingStream(Stream inner, long length, string algorithm, Func<string?>? expected, BodyFailure failure, Action<string> computed)
    {
        _inner = inner;
        _length = length;
        _algorithm = algorithm;
        _expected = expected;
        _failure = failure;
        _computed = computed;
        (_crc, _sha) = Hasher(algorithm);
    }

    private static (NonCryptographicHashAlgorithm? Crc, IncrementalHash? Sha) Hasher(string algorithm) => algorithm switch
    {
        "crc32" => (new Crc32(), null),
        "crc32c" => (new Crc32C(), null),
        "crc64nvme" => (new Crc64Nvme(), null),
        "sha1" => (null, IncrementalHash.CreateHash(HashAlgorithmName.SHA1)),
        _ => (null, IncrementalHash.CreateHash(HashAlgorithmName.SHA256)),
    };

    /// <summary>
    /// Wraps <paramref name="body"/> when the request names a checksum; otherwise returns it as is, or, when
    /// <paramref name="required"/> names an algorithm (a multipart upload's), a stream that computes that one. A checksum
    /// of another algorithm than <paramref name="required"/> is S3's InvalidRequest.
    /// </summary>
    public static Stream Wrap(S3Context c, Stream body, long length, string? required = null)
    {
        var headers = c.Request.Headers;
        var sdk = headers["x-amz-sdk-checksum-algorithm"].ToString().ToLowerInvariant();
        foreach (var (header, name) in NotBuiltHeaders)
            if (headers.ContainsKey(header)) throw S3Errors.NotImplemented($"The {name} checksum");
        if (sdk.Length > 0 && !Algorithms.Contains(sdk)) throw S3Errors.InvalidRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.");
        string? named = null;
        Func<string?>? expected = null;
        foreach (var algorithm in Algorithms)
        {
            var header = headers["x-amz-checksum-" + algorithm].ToString();
            if (header.Length == 0) continue;
            // S3 checks one checksum a request: a second header is refused, never left unchecked.
            if (named is not null) throw S3Errors.InvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
            (named, expected) = (algorithm, () => header);
        }
        // S3 refuses a value that cannot be the algorithm's digest before it reads the body, never as a mismatch after it.
        if (named is not null && !IsDigestOf(named, expected!()!)) throw S3Errors.InvalidRequest($"Value for x-amz-checksum-{named} header is invalid.");
        var trailer = headers["x-amz-trailer"].ToString().Trim().ToLowerInvariant();
        if (named is null && trailer.StartsWith("x-amz-checksum-", StringComparison.Ordinal) && body is AwsChunkedStream chunked)
        {
            named = trailer["x-amz-checksum-".Length..];
            if (!Algorithms.Contains(named)) throw S3Errors.InvalidRequest($"The checksum algorithm in x-amz-trailer is not supported: {named}.");
            expected = () => chunked.Trailers.GetValueOrDefault(trailer);
        }
        if (sdk.Length > 0 && sdk != named)
            throw S3Errors.InvalidRequest("x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.");
        if (required is not null && named is not null && named != required)
            throw S3Errors.InvalidRequest($"Checksum Type mismatch occurred, expected checksum Type: {required}, actual checksum Type: {named}");
        if (named is not null) return new ChecksumVerifyingStream(body, length, named, expected, c.BodyFailure, Keep(c, named));
        return required is null ? body : new ChecksumVerifyingStream(body, length, required, null, c.BodyFailure, Keep(c, required));
    }

    /// <summary>True when <paramref name="value"/> is base64 of exactly the digest length of <paramref name="algorithm"/>.</summary>
    private static bool IsDigestOf(string algorithm, string value)
    {
        Span<byte> digest = stackalloc byte[32];
        return Convert.TryFromBase64String(value, digest, out var n) && n == DigestLength(algorithm);
    }

    private static int DigestLength(string algorithm) => algorithm switch
    {
        "crc32" or "crc32c" => 4,
        "crc64nvme" => 8,
        "sha1" => 20,
        _ => 32,
    };

    /// <summary>
    /// A body of unknown length (POST Object's file) held to <paramref name="expected"/>: checked when it ends, before the
    /// end is handed on, so the store never sees a whole body that does not match (BadDigest).
    /// </summary>
    public static Stream Expecting(S3Context c, Stream body, string algorithm, string expected) =>
        new ChecksumVerifyingStream(body, -1, algorithm, () => expected, c.BodyFailure, Keep(c, algorithm));

    /// <summary>Where the verified (or computed) checksum is left for <see cref="Verified"/>.</summary>
    private static Action<string> Keep(S3Context c, string algorithm) => v => c.Http.Items[ItemKey] = (algorithm, v);

    /// <summary>The checksum the body was verified (or computed) with, once it was read to its end: (lower-case algorithm, base64 value).</summary>
    public static (string Algorithm, string Value)? Verified(S3Context c) =>
        c.Http.Items.TryGetValue(ItemKey, out var kept) && kept is (string algorithm, string value) ? (algorithm, value) : null;

    /// <summary>
    /// S3's COMPOSITE checksum of a multipart object: the algorithm over the parts' binary checksums in part order, base64,
    /// then "-" and the part count.
    /// </summary>
    public static string Composite(string algorithm, IReadOnlyList<string> partChecksums)
    {
        var (crc, sha) = Hasher(algorithm);
        foreach (var part in partChecksums)
        {
            var bytes = Convert.FromBase64String(part);
            if (crc is not null) crc.Append(bytes);
            else sha!.AppendData(bytes);
        }
        var digest = crc is not null ? Digest(crc) : sha!.GetHashAndReset();
        sha?.Dispose();
        return Convert.ToBase64String(digest) + "-" + partChecksums.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static byte[] Digest(NonCryptographicHashAlgorithm crc) => crc switch
    {
        Crc32 ieee => BigEndian(ieee.GetCurrentHashAsUInt32()), // System.IO.Hashing gives CRC-32 little-endian; S3 sends it big-endian
        _ => crc.GetCurrentHash(),
    };

    /// <summary>Puts the verified checksum on the response, as S3 does.</summary>
    public static void EchoHeaders(S3Context c)
    {
        if (Verified(c) is var (algorithm, value)) c.Response.Headers["x-amz-checksum-" + algorithm] = value;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_done) return 0;
        var n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (_crc is not null) _crc.Append(buffer.Span[..n]);
        else _sha!.AppendData(buffer.Span[..n]);
        _read += n;
        // Checked before the last bytes are handed on: a store that stops at the declared length never gets a whole body.
        if (n > 0 && _read != _length) return n;
        _done = true;
        var actual = Convert.ToBase64String(_crc is not null ? Digest(_crc) : _sha!.GetHashAndReset());
        if (_expected is null)
        {
            _computed(actual); // no checksum was sent: computed for the caller (a multipart upload's part)
            return n;
        }
        var expected = _expected();
        if (expected is null) throw _failure.Fail(S3Errors.InvalidRequest($"The x-amz-checksum-{_algorithm} trailer is missing."));
        if (expected != actual)
            throw _failure.Fail(S3Errors.BadDigest($"The {_algorithm.ToUpperInvariant()} you specified did not match the calculated checksum."));
        _computed(actual);
        return n;
    }

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _sha?.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), big-endian like S3's x-amz-checksum-crc32c.
/// System.IO.Hashing 10.0 has CRC-32 (IEEE) but not this polynomial.
/// </summary>
internal sealed class Crc32C() : NonCryptographicHashAlgorithm(4)
{
    private static readonly uint[] Table = BuildTable();
    private uint _crc = 0xFFFFFFFFu;

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }

    public override void Append(ReadOnlySpan<byte> source)
    {
        var crc = _crc;
        foreach (var b in source) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        _crc = crc;
    }

    public override void Reset() => _crc = 0xFFFFFFFFu;

    protected override void GetCurrentHashCore(Span<byte> destination) => BinaryPrimitives.WriteUInt32BigEndian(destination, ~_crc);
}
