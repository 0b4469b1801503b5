using Gateway.Contracts.Errors;

namespace Gateway.Contracts.Rest;

/// <summary>An upstream's <see cref="IRestUpstream.MaxRequestBodyBytes"/>, checked where the body is declared and where it is read.</summary>
public static class RequestBodyLimit
{
    /// <summary>The 413 for a body over <paramref name="max"/> bytes.</summary>
    public static GatewayException Exceeded(long max) =>
        new(ErrorCode.PayloadTooLarge, $"The request body exceeds this upstream's limit of {max} bytes.");

    /// <summary>Whether a declared length is over the limit (an unknown length is checked while the body streams).</summary>
    public static bool IsOver(long? contentLength, long? max) => contentLength is { } length && max is { } limit && length > limit;
}
