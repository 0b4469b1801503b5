using System.Buffers.Binary;
using System.Text.Json;
using Gateway.Channel.Framing;
using Gateway.Channel.Handshake;
using Gateway.Channel.Identity;
using Gateway.Channel.Rpc;
using Gateway.Channel.Witnesses;
using Org.BouncyCastle.Crypto.Parameters;

namespace Gateway.Fuzz;

/// <summary>
/// CTP-96's decoders of peer bytes. Rejections: <see cref="ChannelProtocolException"/> (frames: the connection closes),
/// <see cref="HandshakeException"/> (handshake: an alert, no session), <see cref="FormatException"/> (witnesses, heads,
/// keys: the call fails closed), <see cref="JsonException"/> (call messages).
/// </summary>
public static class ChannelTargets
{
    private static readonly byte[] TrafficSecret = new byte[32];

    /// <summary>
    /// Byte 0 even: the rest is the raw transport (header checks, bounded reads). Odd: the rest is a list of
    /// <c>type (1) flags (1) stream (4) length (2) payload</c> records sealed with the receiver's key, so the fuzzer
    /// reaches what lies behind the GCM tag: the payload decoders of WITNESS, HEAD and MESSAGE frames.
    /// </summary>
    public static void Frames(byte[] data)
    {
        if (data.Length == 0) return;
        var transport = data[0] % 2 == 0 ? data[1..] : Seal(data.AsSpan(1));
        using var cipher = new FrameCipher(TrafficSecret);
        var reader = new FrameReader(new MemoryStream(transport), cipher);
        Targets.Rejects<ChannelProtocolException>(() =>
        {
            while (reader.ReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult() is { } frame)
            {
                var payload = frame.Payload.ToArray();
                frame.Return();
                if (frame.Type == FrameType.KeyUpdate) cipher.Ratchet();
                else Payload(frame.Type, payload);
            }
        });
    }

    private static void Payload(FrameType type, byte[] payload)
    {
        switch (type)
        {
            case FrameType.Witness:
                Targets.Rejects<FormatException>(() => Witness.DecodeFrame(payload));
                _ = Witness.SplitUndecodable(payload);
                break;
            case FrameType.Head:
                Targets.Rejects<FormatException>(() => HeadBatch.Decode(payload));
                break;
            case FrameType.Message:
                Targets.Rejects<JsonException>(() => CallResponseCodec.Decode(payload));
                Targets.Rejects<JsonException>(() => JsonSerializer.Deserialize<CallRequest>(payload, CallJson.Options));
                break;
        }
    }

    private static byte[] Seal(ReadOnlySpan<byte> records)
    {
        using var sender = new FrameCipher(TrafficSecret);
        using var output = new MemoryStream();
        Span<byte> header = stackalloc byte[FrameHeader.Size];
        Span<byte> tag = stackalloc byte[FrameHeader.TagSize];
        while (records.Length >= 8)
        {
            var length = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(records[6..]), records.Length - 8);
            var type = (FrameType)(records[0] % 10);
            new FrameHeader(length, type, records[1], BinaryPrimitives.ReadUInt32BigEndian(records[2..]), sender.Sequence).Write(header);
            var ciphertext = new byte[length];
            sender.Seal(header, records.Slice(8, length), ciphertext, tag);
            output.Write(header);
            output.Write(ciphertext);
            output.Write(tag);
            if (type == FrameType.KeyUpdate) sender.Ratchet();
            records = records[(8 + length)..];
        }
        return output.ToArray();
    }

    /// <summary>Byte 0 picks the decoder; the message forms are fitted to their fixed lengths so the fuzzer mutates contents.</summary>
    public static void Handshake(byte[] data)
    {
        if (data.Length == 0) return;
        var rest = data.AsSpan(1).ToArray();
        Targets.Rejects<Exception>(() =>
        {
            switch (data[0] % 8)
            {
                case 0:
                    var hello = ClientHello.Parse(Fitted(HandshakeMessages.ClientHelloType, rest));
                    // The host maps whatever BouncyCastle throws for this key to Malformed (ChannelHandshake), so any refusal is one.
                    try { _ = MLKemPublicKeyParameters.FromEncoding(MLKemParameters.ml_kem_768, hello.MLKemEncapsulationKey); }
                    catch (Exception) { }
                    break;
                case 1: _ = ServerHello.Parse(Fitted(HandshakeMessages.ServerHelloType, rest)); break;
                case 2: _ = ClientHello.Parse(rest); break;
                case 3: _ = ServerHello.Parse(rest); break;
                case 4:
                    var expected = rest.Length > 0 ? rest[0] : HandshakeMessages.ClientHelloType;
                    _ = HandshakeMessages.ReadAsync(new MemoryStream(rest), expected, CancellationToken.None).GetAwaiter().GetResult();
                    break;
                case 5: _ = HybridPublicKey.Parse(System.Text.Encoding.UTF8.GetString(rest)); break;
                case 6: _ = KeyFingerprint.Parse(System.Text.Encoding.UTF8.GetString(rest)); break;
                default: _ = HybridPublicKey.FromEncoded(Fitted(rest, HybridPublicKey.EncodedLength)); break;
            }
        }, e => e is HandshakeException or FormatException);
    }

    private static byte[] Fitted(byte type, byte[] body) =>
        HandshakeMessages.Build(type, Fitted(body, HandshakeMessages.BodyLength(type)));

    private static byte[] Fitted(byte[] bytes, int length)
    {
        var fitted = new byte[length];
        bytes.AsSpan(0, Math.Min(length, bytes.Length)).CopyTo(fitted);
        return fitted;
    }

    /// <summary>Byte 0 picks: a WITNESS frame payload, a signed tree head, a HEAD batch, a call response or a call request.</summary>
    public static void WitnessAndHeads(byte[] data)
    {
        if (data.Length == 0) return;
        var rest = data[1..];
        switch (data[0] % 5)
        {
            case 0:
                Targets.Rejects<FormatException>(() =>
                {
                    var frame = Witness.DecodeFrame(rest);
                    if (!frame.Witness.Encode().AsSpan().SequenceEqual(frame.Encoded)) throw new InvalidOperationException("A decoded witness does not encode back to its input.");
                });
                break;
            case 1:
                Targets.Rejects<FormatException>(() =>
                {
                    var head = SignedTreeHead.Decode(rest);
                    if (!head.Encode().AsSpan().SequenceEqual(rest)) throw new InvalidOperationException("A decoded head does not encode back to its input.");
                    _ = head.Hash();
                });
                break;
            case 2:
                Targets.Rejects<FormatException>(() =>
                {
                    var batch = HeadBatch.Decode(rest);
                    if (!batch.Encode().AsSpan().SequenceEqual(rest)) throw new InvalidOperationException("A decoded head batch does not encode back to its input.");
                });
                break;
            default:
                Payload(FrameType.Message, rest);
                break;
        }
    }
}
