using System.Net.Sockets;
using Gateway.Contracts.Errors;
using k8s.Autorest;

namespace Gateway.Bridges.Kubernetes;

/// <summary>Turns the API server's <c>Status</c> answers into the gateway's error codes, keeping its message.</summary>
static class KubernetesErrors
{
    public static GatewayException Translate(Exception e, string cluster) => e switch
    {
        GatewayException g => g,
        HttpOperationException http => FromStatus((int)http.Response.StatusCode, http.Response.Content, cluster, http),
        HttpRequestException or SocketException or IOException => new GatewayException(ErrorCode.Unavailable,
            $"Kubernetes cluster '{cluster}' could not be reached.", e),
        TimeoutException => new GatewayException(ErrorCode.Timeout, $"Kubernetes cluster '{cluster}' did not answer in time.", e),
        // An answer that does not parse: something other than an API server listens there (a web server, a proxy's page).
        // JSON of another shape: objects without metadata, lists without items, times that are not times.
        System.Text.Json.JsonException or NotTheApiException or FormatException => new GatewayException(ErrorCode.BadGateway,
            $"Kubernetes cluster '{cluster}' answered something that is not the Kubernetes API.", e),
        _ => new GatewayException(ErrorCode.Internal, $"Kubernetes cluster '{cluster}' failed: {e.GetType().Name}.", e),
    };

    static GatewayException FromStatus(int status, string? body, string cluster, Exception inner)
    {
        if (status == 401) return PlatformStatus.CredentialsRefused($"Kubernetes cluster '{cluster}'", inner);
        var code = status switch
        {
            400 or 422 => ErrorCode.BadRequest,
            403 => ErrorCode.Forbidden,
            404 => ErrorCode.NotFound,
            409 => ErrorCode.Conflict,
            410 => ErrorCode.PreconditionFailed, // an expired continue token
            412 => ErrorCode.PreconditionFailed,
            429 => ErrorCode.Throttled,
            504 => ErrorCode.Timeout,
            // A redirect (a proxy's login page), 418, another 4xx: 502, not 503 (docs/errors.md, unexpected statuses).
            _ => PlatformStatus.Unexpected(status),
        };
        return PlatformStatus.Error(code, $"Kubernetes cluster '{cluster}'", status, body, StatusMessage(body), inner);
    }

    /// <summary>The API server answers errors with a <c>Status</c> object whose <c>message</c> says what went wrong.</summary>
    static string StatusMessage(string? body) => PlatformErrorBody.Message(body) ?? "The Kubernetes API server refused the request.";
}
