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
public sealed record CallResult(System.Text.Json.JsonElement? Result, Stream? Body = null);
