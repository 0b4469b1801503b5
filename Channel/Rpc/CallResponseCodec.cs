using System.Buffers;
using System.Text.Json;

namespace Gateway.Channel.Rpc;

/// <summary>
/// The response MESSAGE's bytes without a <see cref="JsonDocument"/> for its result. A result (a listing page of 1,000
/// entries is about 240 KB) used to be serialized, parsed into a document and written again on the host, then parsed,
/// copied into a document, written out and read again on the gateway; now the host writes the bridge's JSON once and
/// the gateway reads it once (docs/performance.md, local store listing). The wire format is unchanged.
/// </summary>
internal static class CallResponseCodec
{
    /// <summary>Host side: the message, with <paramref name="resultJson"/> (already JSON, made by this host) as the result.</summary>
    public static byte[] Encode(CallResponse response, ReadOnlyMemory<byte> resultJson)
    {
        if (resultJson.IsEmpty || !response.Ok) return JsonSerializer.SerializeToUtf8Bytes(response, CallJson.Options);
        var buffer = new ArrayBufferWriter<byte>(resultJson.Length + 64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("ok", true);
            writer.WritePropertyName("result");
            writer.WriteRawValue(resultJson.Span, skipInputValidation: true);
            writer.WriteBoolean("hasBody", response.HasBody);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Gateway side: reads the message as <c>JsonSerializer.Deserialize&lt;CallResponse&gt;</c> with
    /// <see cref="CallJson.Options"/> would (names matched ignoring case, unknown names skipped, the last of a repeated
    /// name wins, nothing after the object), except that the result is kept as its JSON text in
    /// <see cref="CallResponse.ResultJson"/> instead of a document. Throws <see cref="JsonException"/> when malformed.
    /// </summary>
    public static CallResponse Decode(byte[] message)
    {
        var reader = new Utf8JsonReader(message, new JsonReaderOptions { MaxDepth = CallJson.Options.MaxDepth });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new JsonException("The response is not a JSON object.");
        var (ok, hasBody) = (false, false);
        CallError? error = null;
        ReadOnlyMemory<byte> result = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = Name(ref reader);
            if (!reader.Read()) break;
            if (Is(name, "ok")) ok = Boolean(ref reader);
            else if (Is(name, "hasBody")) hasBody = Boolean(ref reader);
            else if (Is(name, "error")) error = JsonSerializer.Deserialize<CallError>(ref reader, CallJson.Options);
            else if (Is(name, "result"))
            {
                var start = (int)reader.TokenStartIndex;
                var isNull = reader.TokenType == JsonTokenType.Null;
                reader.Skip();
                result = isNull ? default : message.AsMemory(start, (int)reader.BytesConsumed - start);
            }
            else reader.Skip();
        }
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read()) throw new JsonException("The response has trailing content.");
        return new CallResponse { Ok = ok, HasBody = hasBody, Error = error, ResultJson = result };
    }

    /// <summary>A name that is not valid UTF-8 matches no property (the serializer compares bytes), so it is skipped like an unknown one.</summary>
    private static string? Name(ref Utf8JsonReader reader)
    {
        try { return reader.GetString(); }
        catch (InvalidOperationException) { return null; }
    }

    private static bool Is(string? name, string expected) => string.Equals(name, expected, StringComparison.OrdinalIgnoreCase);

    private static bool Boolean(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw new JsonException("Expected true or false."),
    };
}
