using System.Buffers.Binary;
using System.Text;

namespace Gateway.Channel.Witnesses;

/// <summary>
/// What the bridge host attests about one call. Encoding (big-endian): version (1) = 0x02 | request id, operation,
/// target, status (each u16 length + UTF-8) | request body SHA-256 (32) | response body SHA-256 (32) |
/// headers SHA-256 (32, over the request and response MESSAGE bytes) | started, completed (i64 Unix µs each) |
/// transcript hash (32). A witness is not signed on its own: it is a leaf of the host's Merkle tree
/// (leaf hash = SHA-256(0x00 || encoding)) and a <see cref="SignedTreeHead"/> covers it.
/// </summary>
public sealed record Witness
{
    public const byte CurrentVersion = 2;
    /// <summary>The most UTF-8 bytes a witness's request id, operation, target or status may hold.</summary>
    public const int MaxStringBytes = 4096;

    /// <summary>
    /// The call target as a witness can carry it: <paramref name="target"/> unchanged when <c>instance/target</c> fits the
    /// field, else cut at a character boundary and ended with <c>...[sha256:&lt;hex&gt;]</c>, the SHA-256 of the whole
    /// <c>instance/target</c> in UTF-8, so the field still names exactly one call. The gateway fits the target before it
    /// sends the call, so both sides name the same string (the whole target also travels in the call's arguments, under
    /// the headers digest). Until 2026-12-05 a longer target made the host fail to write the witness: no answer at all.
    /// </summary>
    public static string FitTarget(string instance, string target)
    {
        var whole = instance + "/" + target;
        var bytes = Encoding.UTF8.GetByteCount(whole);
        if (bytes <= MaxStringBytes) return target;
        var suffix = "...[sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(whole))) + "]";
        var budget = MaxStringBytes - Encoding.UTF8.GetByteCount(instance) - 1 - suffix.Length;
        if (budget < 0) return suffix; // not for a configured instance: their names are short (an upstream's at most 64 characters)
        var kept = new StringBuilder(budget);
        var used = 0;
        foreach (var rune in target.EnumerateRunes())
        {
            if (used + rune.Utf8SequenceLength > budget) break;
            kept.Append(rune.ToString());
            used += rune.Utf8SequenceLength;
        }
        return kept.Append(suffix).ToString();
    }

    public required string RequestId { get; init; }
    public required string Operation { get; init; }
    public required string Target { get; init; }
    /// <summary>"ok" or the gateway error slug (not-found, conflict...).</summary>
    public required string Status { get; init; }

    /// <summary>The status of a call whose answer body failed at its source after its headers went out (the host reset the stream).</summary>
    public const string InterruptedStatus = "interrupted";
    public required byte[] RequestBodySha256 { get; init; }
    public required byte[] ResponseBodySha256 { get; init; }
    public required byte[] HeadersSha256 { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset CompletedAt { get; init; }
    public required byte[] TranscriptHash { get; init; }

    public byte[] Encode()
    {
        var strings = new[] { RequestId, Operation, Target, Status }.Select(Encoding.UTF8.GetBytes).ToArray();
        if (strings.Any(s => s.Length > MaxStringBytes)) throw new InvalidOperationException("A witness field is too long.");
        var length = 1 + strings.Sum(s => 2 + s.Length) + 32 * 3 + 16 + 32;
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
        foreach (var hash in new[] { RequestBodySha256, ResponseBodySha256, HeadersSha256 }) Put32(span, ref at, hash);
        BinaryPrimitives.WriteInt64BigEndian(span[at..], Micros.From(StartedAt)); at += 8;
        BinaryPrimitives.WriteInt64BigEndian(span[at..], Micros.From(CompletedAt)); at += 8;
        Put32(span, ref at, TranscriptHash);
        return body;
    }

    /// <summary>The witness's leaf hash in the host's tree: SHA-256(0x00 || encoding).</summary>
    public byte[] LeafHash() => MerkleTree.LeafHash(Encode());

    /// <summary>Parses an encoded witness; throws <see cref="FormatException"/> on anything malformed.</summary>
    public static Witness Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length < 1 || data[0] != CurrentVersion) throw new FormatException("Unknown witness version.");
        var at = 1;
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
        var started = Micros.To(BinaryPrimitives.ReadInt64BigEndian(data[at..]));
        var completed = Micros.To(BinaryPrimitives.ReadInt64BigEndian(data[(at + 8)..]));
        at += 16;
        var transcript = Take32(data, ref at);
        if (at != data.Length) throw new FormatException("The witness has trailing bytes.");
        return new Witness
        {
            RequestId = strings[0], Operation = strings[1], Target = strings[2], Status = strings[3],
            RequestBodySha256 = requestSha, ResponseBodySha256 = responseSha, HeadersSha256 = headersSha,
            StartedAt = started, CompletedAt = completed, TranscriptHash = transcript,
        };
    }

    /// <summary>A WITNESS frame's payload: the leaf index the host gave the witness (8) || the witness.</summary>
    public static byte[] EncodeFrame(long leafIndex, byte[] encodedWitness)
    {
        var payload = new byte[8 + encodedWitness.Length];
        BinaryPrimitives.WriteInt64BigEndian(payload, leafIndex);
        encodedWitness.CopyTo(payload, 8);
        return payload;
    }

    /// <summary>Splits a WITNESS frame; throws <see cref="FormatException"/> on anything malformed.</summary>
    /// <summary>
    /// The leaf index and the raw encoding of a WITNESS frame whose witness does not decode, so that the leaf the host
    /// committed to still gets its audit entry (outcome refused:malformed); null when not even those can be read.
    /// </summary>
    public static (long LeafIndex, byte[] Encoded)? SplitUndecodable(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 9) return null;
        var index = BinaryPrimitives.ReadInt64BigEndian(payload);
        return index < 0 ? null : (index, payload[8..].ToArray());
    }

    /// <summary>What the audit log's columns hold for a witness that does not decode: only the request id this side knows.</summary>
    public static Witness Undecodable(string requestId) => new()
    {
        RequestId = requestId, Operation = "", Target = "", Status = "",
        RequestBodySha256 = new byte[32], ResponseBodySha256 = new byte[32], HeadersSha256 = new byte[32],
        StartedAt = DateTimeOffset.UnixEpoch, CompletedAt = DateTimeOffset.UnixEpoch, TranscriptHash = new byte[32],
    };

    public static (long LeafIndex, byte[] Encoded, Witness Witness) DecodeFrame(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 9) throw new FormatException("The witness frame is truncated.");
        var index = BinaryPrimitives.ReadInt64BigEndian(payload);
        if (index < 0) throw new FormatException("A leaf index is never negative.");
        var encoded = payload[8..].ToArray();
        return (index, encoded, Decode(encoded));
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

    public static DateTimeOffset TruncateToMicros(DateTimeOffset t) => Micros.To(Micros.From(t));
}
