using Gateway.Contracts.Bridges;

namespace Gateway.Contracts.Rest;

/// <summary>One configured upstream service (kind "rest").</summary>
public interface IRestUpstream : IBridgeInstance
{
    /// <summary>Largest request body accepted, in bytes; null for no limit.</summary>
    long? MaxRequestBodyBytes { get; }

    /// <summary>
    /// Sends the request through the upstream's resilience pipeline. Upstream answers of any status come
    /// back as a <see cref="RestResponse"/>; failures to get one (circuit open, timeout, unreachable) are
    /// <see cref="Errors.GatewayException"/>s.
    /// </summary>
    Task<RestResponse> SendAsync(RestRequest request, CancellationToken cancellationToken);
}
