namespace Gateway.Contracts.Errors;

/// <summary>
/// What a platform's HTTP status means when its bridge gives it no meaning of its own (Docker's engine, a Kubernetes API
/// server): a 5xx is the platform failing, <see cref="ErrorCode.Unavailable"/> (retried, counted against the circuit);
/// a 408 is its <see cref="ErrorCode.Timeout"/>; anything else (a redirect, <c>418</c>, a 4xx its API does not give for the
/// call) is an answer the gateway cannot use, <see cref="ErrorCode.BadGateway"/>: asking again gets the same, so it is
/// neither retried nor counted as the platform being down.
/// </summary>
public static class PlatformStatus
{
    public static ErrorCode Unexpected(int status) => status switch
    {
        408 => ErrorCode.Timeout,
        >= 500 and <= 599 => ErrorCode.Unavailable,
        _ => ErrorCode.BadGateway,
    };

    /// <summary>
    /// The error for a platform's <paramref name="status"/> that the bridge's own table mapped to <paramref name="code"/>:
    /// a <see cref="ErrorCode.BadGateway"/> names the platform and the status (with the platform's own message when its
    /// body gave one), any other code keeps <paramref name="message"/>, the platform's message as the bridge reads it.
    /// </summary>
    public static GatewayException Error(ErrorCode code, string platform, int status, string? body, string message, Exception inner) =>
        new(code, code == ErrorCode.BadGateway ? Describe(platform, status, PlatformErrorBody.Message(body)) : message, inner);

    /// <summary>
    /// A redirect: 3xx but 304, which answers a conditional request (and Docker's start of a started container). No
    /// bridge or client of the gateway follows one: it would take the request, and its credentials, where it points.
    /// </summary>
    public static bool IsRedirect(int status) => status is >= 300 and < 400 and not 304;

    /// <summary>
    /// A platform's 401: it refused the credentials the gateway holds for it (a cluster's token, an engine behind an
    /// authenticating proxy), not the caller's. A 401 to the caller told it that its own credentials were bad, without the
    /// WWW-Authenticate RFC 9110 requires: 502, naming what to check.
    /// </summary>
    public static GatewayException CredentialsRefused(string platform, Exception inner) =>
        new(ErrorCode.BadGateway, $"{platform} refused the gateway's credentials for it (HTTP 401): check the token or certificate configured for it.", inner);

    /// <summary>The 502 for a <paramref name="status"/> that is no answer of the platform's API the gateway can use (a redirect, a 418).</summary>
    public static GatewayException Unusable(string platform, int status, string? message, Exception inner) =>
        new(ErrorCode.BadGateway, Describe(platform, status, message), inner);

    private static string Describe(string platform, int status, string? message) =>
        $"{platform} answered HTTP {status}, which is not an answer of its API the gateway can use" + (message is null ? "." : $": {message}");
}
