using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Channel.Rpc;

/// <summary>The request MESSAGE of a bridge call (UTF-8 JSON). A request body, when present, follows as DATA.</summary>
public sealed record CallRequest
{
    public required string Id { get; init; }
    /// <summary>Bridge family, e.g. "object-storage".</summary>
    public required string Family { get; init; }
    /// <summary>Bridge instance, e.g. the store name.</summary>
    public required string Instance { get; init; }
    public required string Operation { get; init; }
    /// <summary>What the call acts on, e.g. "bucket/key"; recorded in the witness.</summary>
    public string Target { get; init; } = "";
    public JsonElement? Args { get; init; }
    public bool HasBody { get; init; }
    /// <summary>
    /// The caller's W3C trace context (<c>traceparent</c>, <c>tracestate</c>), so the host's span joins the caller's
    /// trace. Absent when the caller traces nothing; a host ignores a malformed one.
    /// </summary>
    [JsonPropertyName("traceparent")]
    public string? TraceParent { get; init; }
    [JsonPropertyName("tracestate")]
    public string? TraceState { get; init; }
}

/// <summary>The response MESSAGE of a bridge call. A response body, when present, follows as DATA; the WITNESS closes the stream.</summary>
public sealed record CallResponse
{
    public bool Ok { get; init; }
    public JsonElement? Result { get; init; }
    public bool HasBody { get; init; }
    public CallError? Error { get; init; }

    /// <summary>The result's JSON text as the gateway received it (<see cref="CallResponseCodec.Decode"/>), instead of <see cref="Result"/>.</summary>
    [JsonIgnore]
    public ReadOnlyMemory<byte> ResultJson { get; init; }

    [JsonIgnore]
    public string Status => Ok ? "ok" : Error?.Code ?? "internal";
}

/// <summary>A <see cref="Contracts.Errors.GatewayException"/> as it crosses the channel.</summary>
public sealed record CallError(string Code, string Message, int? RetryAfterSeconds = null, Dictionary<string, JsonElement>? Extensions = null);

public static class CallJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
        MaxDepth = 32,
    };

    public static JsonElement ToElement<T>(T value) => JsonSerializer.SerializeToElement(value, Options);

    /// <summary>The call's result as <paramref name="type"/>, read from its JSON text when the response carries it.</summary>
    public static object? ResultAs(CallResponse response, Type type)
    {
        if (response.ResultJson.IsEmpty) return response.Result?.Deserialize(type, Options);
        return JsonSerializer.Deserialize(response.ResultJson.Span, type, Options);
    }

    public static T FromElement<T>(JsonElement? element) =>
        element is { } e ? e.Deserialize<T>(Options) ?? throw new JsonException("Null where a value was expected.") : throw new JsonException("Missing value.");
}
