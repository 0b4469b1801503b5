using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Docker.DotNet;
using Gateway.Contracts.Errors;

namespace Gateway.Bridges.Docker;

/// <summary>Turns Docker.DotNet's failures into the gateway's error codes, keeping the engine's own message.</summary>
static class DockerErrors
{
    public static GatewayException Translate(Exception e, string hostName) => e switch
    {
        GatewayException g => g,
        // Go's TLS listener answers a plain HTTP request so: the host's settings lack Tls, not the caller's request.
        DockerApiException { StatusCode: HttpStatusCode.BadRequest } api when api.ResponseBody?.Contains("HTTP request to an HTTPS server", StringComparison.Ordinal) == true =>
            new GatewayException(ErrorCode.BadGateway, $"Docker host '{hostName}' speaks TLS: its settings need Tls (Gateway:Docker:Hosts:{hostName}:Tls).", e),
        // The engine answers 500 for a container being removed, though it is the container's state, not a failure.
        DockerApiException { StatusCode: HttpStatusCode.InternalServerError } api when EngineMessage(api.ResponseBody).Contains("marked for removal", StringComparison.Ordinal) =>
            new GatewayException(ErrorCode.Conflict, EngineMessage(api.ResponseBody), api),
        DockerApiException api => FromStatus(api.StatusCode, api.ResponseBody, hostName, api),
        _ when Find<EngineRedirectedException>(e) is { } redirect => new GatewayException(ErrorCode.BadGateway,
            $"Docker host '{hostName}' answered HTTP {redirect.Status}, a redirect: the Engine API never redirects, so it was not followed.", redirect),
        _ when Find<AuthenticationException>(e) is { } tls => new GatewayException(ErrorCode.BadGateway,
            $"Docker host '{hostName}': the TLS handshake failed (the engine's certificate is not from the configured CA or does not name the host, or the engine refused this gateway's client certificate).", tls),
        HttpRequestException or SocketException or IOException => new GatewayException(ErrorCode.Unavailable,
            $"Docker host '{hostName}' could not be reached.", e),
        TimeoutException => new GatewayException(ErrorCode.Timeout, $"Docker host '{hostName}' did not answer in time.", e),
        // An answer that does not parse: something other than the engine listens there (a web server, a proxy's page).
        Newtonsoft.Json.JsonException => new GatewayException(ErrorCode.BadGateway,
            $"Docker host '{hostName}' answered something that is not the Docker Engine API.", e),
        _ => new GatewayException(ErrorCode.Internal, $"Docker host '{hostName}' failed: {e.GetType().Name}.", e),
    };

    static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
            if (e is T found) return found;
        return null;
    }

    /// <summary>The engine's 5xx during a pull: its registry could not be reached or refused (the engine says which).</summary>
    public static GatewayException RegistryFailed(DockerApiException e, string hostName, string image) =>
        new(ErrorCode.BadGateway, $"Docker host '{hostName}' could not pull '{image}' from its registry: {EngineMessage(e.ResponseBody)}", e);

    /// <summary>
    /// The engine's 500 for a list filter value it cannot read (<c>exited=abc</c>, <c>expose=99999</c>) or a
    /// <c>since</c>/<c>before</c> naming no container: the caller's filter, not the engine's failure.
    /// </summary>
    public static bool IsRefusedFilter(DockerApiException e) =>
        e.StatusCode == HttpStatusCode.InternalServerError && EngineMessage(e.ResponseBody) is var m
        && (m.StartsWith("no such container", StringComparison.OrdinalIgnoreCase) || m.Contains("strconv.", StringComparison.Ordinal)
            || m.StartsWith("error while looking up for", StringComparison.Ordinal));

    static GatewayException FromStatus(HttpStatusCode status, string? body, string hostName, Exception inner)
    {
        if (status == HttpStatusCode.Unauthorized) return PlatformStatus.CredentialsRefused($"Docker host '{hostName}'", inner);
        var code = (int)status switch
        {
            400 => ErrorCode.BadRequest,
            403 => ErrorCode.Forbidden,
            404 => ErrorCode.NotFound,
            409 => ErrorCode.Conflict,
            412 => ErrorCode.PreconditionFailed,
            429 => ErrorCode.Throttled,
            501 => ErrorCode.NotSupported,
            // A redirect, 418, another 4xx: 502, not 503 (docs/errors.md, unexpected statuses).
            _ => PlatformStatus.Unexpected((int)status),
        };
        return PlatformStatus.Error(code, $"Docker host '{hostName}'", (int)status, body, EngineMessage(body), inner);
    }

    public static string Message(DockerApiException e) => EngineMessage(e.ResponseBody);

    /// <summary>The engine answers errors as <c>{"message": "..."}</c>; anything else is passed on, shortened.</summary>
    static string EngineMessage(string? body) =>
        PlatformErrorBody.Message(body)
        ?? (string.IsNullOrWhiteSpace(body) ? "The Docker engine refused the request." : body.Length > 500 ? body[..500] : body.Trim());
}
