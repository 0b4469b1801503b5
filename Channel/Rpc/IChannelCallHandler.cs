namespace Gateway.Channel.Rpc;

/// <summary>Runs the calls of one bridge family on the bridge host.</summary>
public interface IChannelCallHandler
{
    string Family { get; }

    /// <summary>
    /// Runs one call. Throw <see cref="Contracts.Errors.GatewayException"/> for errors; they reach the caller with the same code.
    /// <paramref name="requestBody"/> is the streamed request body (empty when there is none).
    /// </summary>
    Task<CallResult> HandleAsync(CallRequest request, Stream requestBody, CancellationToken ct);
}

/// <summary>A call's outcome. The host streams and then disposes <see cref="Body"/>.</summary>
public sealed record CallResult(System.Text.Json.JsonElement? Result, Stream? Body = null)
{
    /// <summary>The result already serialized (UTF-8 JSON, made with <see cref="CallJson.Options"/>); when set, sent instead of <see cref="Result"/>.</summary>
    public ReadOnlyMemory<byte> ResultJson { get; init; }

    public static CallResult Of<T>(T value, Stream? body = null) =>
        new(null, body) { ResultJson = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(value, CallJson.Options) };
}
