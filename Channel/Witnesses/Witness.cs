using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Gateway.Channel.Identity;

namespace Gateway.Channel.Witnesses;

/// <summary>
/// What the bridge host attests about one call. Encoding (big-endian): version (1) | request id, operation,
/// target, status (each u16 length + UTF-8) | request body SHA-256 (32) | response body SHA-256 (32) |
/// headers SHA-256 (32, over the request and response MESSAGE bytes) | started, completed (i64 Unix µs each) |
/// transcript hash (32) | previous witness hash (32) | host key fingerprint (32) | signature (3373).
/// The signature covers "CTP-96 v1 witness\0" || everything before it; the witness hash is SHA-256 of that same body.
/// </summary>
public sealed record Witness
{
    public const byte CurrentVersion = 1;
    internal static readonly byte[] SignatureLabel = "CTP-96 v1 witness\0"u8.ToArray();
    private const int MaxStringBytes = 4096;

    public required string RequestId { get; init; }
    public required string Operation { get; init; }
    public required string Target { get; init; }
    /// <summary>"ok" or the gateway error slug (not-found, conflict...).</summary>
    public required string Status { get; init; }
    public required byte[] RequestBodySha256 { get; init; }
    public required byte[] ResponseBodySha256 { get; init; }
    public required byte[] HeadersSha256 { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset CompletedAt { get; init; }
    public required byte[] TranscriptHash { get; init; }
    public required byte[] PreviousWitnessHash { get; init; }
    public required byte[] HostKeyFingerprint { get; init; }
    public byte[] Signature { get; init; } = [];

    public byte[] EncodeBody()
    {
        var strings = new[] { RequestId, Operation, Target, Status }.Select(Encoding.UTF8.GetBytes).ToArray();
        if (strings.Any(s => s.Length > MaxStringBytes)) throw new InvalidOperationException("A witness field is too long.");
        var length = 1 + strings.Sum(s => 2 + s.Length) + 32 * 3 + 16 + 32 * 3;
        var body = new byte[length];
        var span = body.AsSpan();
        span[0] = CurrentVersion;
        var at = 1;
        foreach (var s in strings)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span[at..], (ushort)s.Length);
            s.CopyTo(span[(at + 2)..]);
            at += 2 + s.Length;
        }
        foreach (var hash in new[] { RequestBodySha256, ResponseBodySha256, HeadersSha256 }) { Put32(span, ref at, hash); }
        BinaryPrimitives.WriteInt64BigEndian(span[at..], ToMicros(StartedAt)); at += 8;
        BinaryPrimitives.WriteInt64BigEndian(span[at..], ToMicros(CompletedAt)); at += 8;
        foreach (var hash in new[] { TranscriptHash, PreviousWitnessHash, HostKeyFingerprint }) { Put32(span, ref at, hash); }
        return body;
    }

    public byte[] Encode()
    {
        var body = EncodeBody();
        var all = new byte[body.Length + Signature.Length];
        body.CopyTo(all, 0);
        Signature.CopyTo(all, body.Length);
        return all;
    }

    /// <summary>SHA-256 of the unsigned body: what the next witness names as its predecessor.</summary>
    public byte[] Hash() => SHA256.HashData(EncodeBody());

    public static byte[] SignedMessage(ReadOnlySpan<byte> body)
    {
        var message = new byte[SignatureLabel.Length + body.Length];
        SignatureLabel.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(SignatureLabel.Length));
        return message;
    }

    public bool VerifySignature(HybridPublicKey hostKey) =>
        hostKey.Fingerprint.Bytes.SequenceEqual(HostKeyFingerprint) && hostKey.Verify(SignedMessage(EncodeBody()), Signature);

    /// <summary>Parses an encoded witness; throws <see cref="FormatException"/> on anything malformed.</summary>
    public static Witness Decode(ReadOnlySpan<byte> data)
    {
        var at = 0;
        if (data.Length < 1 || data[0] != CurrentVersion) throw new FormatException("Unknown witness version.");
        at = 1;
        var strings = new string[4];
        for (var i = 0; i < 4; i++)
        {
            Need(data, at, 2);
            var n = BinaryPrimitives.ReadUInt16BigEndian(data[at..]);
            if (n > MaxStringBytes) throw new FormatException("A witness field is too long.");
            Need(data, at + 2, n);
            try { strings[i] = new UTF8Encoding(false, true).GetString(data.Slice(at + 2, n)); }
            catch (ArgumentException) { throw new FormatException("A witness field is not UTF-8."); }
            at += 2 + n;
        }
        var requestSha = Take32(data, ref at);
        var responseSha = Take32(data, ref at);
        var headersSha = Take32(data, ref at);
        Need(data, at, 16);
        var started = FromMicros(BinaryPrimitives.ReadInt64BigEndian(data[at..]));
        var completed = FromMicros(BinaryPrimitives.ReadInt64BigEndian(data[(at + 8)..]));
        at += 16;
        var transcript = Take32(data, ref at);
        var previous = Take32(data, ref at);
        var fingerprint = Take32(data, ref at);
        if (data.Length - at != HybridSignature.Length) throw new FormatException("The witness signature has the wrong length.");
        return new Witness
        {
            RequestId = strings[0], Operation = strings[1], Target = strings[2], Status = strings[3],
            RequestBodySha256 = requestSha, ResponseBodySha256 = responseSha, HeadersSha256 = headersSha,
            StartedAt = started, CompletedAt = completed,
            TranscriptHash = transcript, PreviousWitnessHash = previous, HostKeyFingerprint = fingerprint,
            Signature = data[at..].ToArray(),
        };
    }

    private static void Put32(Span<byte> span, ref int at, byte[] value)
    {
        if (value.Length != 32) throw new InvalidOperationException("Witness hashes are 32 bytes.");
        value.CopyTo(span[at..]);
        at += 32;
    }

    private static byte[] Take32(ReadOnlySpan<byte> data, ref int at)
    {
        Need(data, at, 32);
        var v = data.Slice(at, 32).ToArray();
        at += 32;
        return v;
    }

    private static void Need(ReadOnlySpan<byte> data, int at, int n)
    {
        if (at + n > data.Length) throw new FormatException("The witness is truncated.");
    }

    private static long ToMicros(DateTimeOffset t) => (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
    private static DateTimeOffset FromMicros(long us)
    {
        try { return DateTimeOffset.UnixEpoch.AddTicks(checked(us * 10)); }
        catch (Exception e) when (e is OverflowException or ArgumentOutOfRangeException) { throw new FormatException("A witness timestamp is out of range."); }
    }

    public static DateTimeOffset TruncateToMicros(DateTimeOffset t) => FromMicros(ToMicros(t));
}
