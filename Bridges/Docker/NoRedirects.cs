using Docker.DotNet;
using Gateway.Contracts.Errors;
using Microsoft.Net.Http.Client;

namespace Gateway.Bridges.Docker;

/// <summary>
/// Turns off Docker.DotNet's own redirect following (20 hops by default), under whatever credentials the host has.
/// It re-sent the request, <c>X-Registry-Auth</c> (a registry's credentials) included, wherever a <c>Location</c>
/// pointed. The Engine API never redirects: what does is something else on its port (a proxy's login page) or an
/// attacker. Fail closed: the redirect is the answer, a 502 (<see cref="DockerErrors"/>).
/// </summary>
sealed class NoRedirects(Credentials? inner) : Credentials
{
    public override bool IsTlsCredentials() => inner?.IsTlsCredentials() ?? false;

    public override HttpMessageHandler GetHandler(HttpMessageHandler innerHandler)
    {
        if (innerHandler is not ManagedHandler managed)
            throw new InvalidOperationException($"Docker.DotNet built a {innerHandler.GetType().Name}, whose redirects this bridge cannot turn off.");
        managed.MaxAutomaticRedirects = 0;
        return new RefuseRedirects(inner?.GetHandler(managed) ?? managed);
    }

    public override void Dispose()
    {
        inner?.Dispose();
        base.Dispose();
    }

    /// <summary>Docker.DotNet reads a 3xx as a success and its body as the answer; a redirect is refused here instead.</summary>
    sealed class RefuseRedirects(HttpMessageHandler handler) : DelegatingHandler(handler)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (!PlatformStatus.IsRedirect(status)) return response;
            response.Dispose();
            throw new EngineRedirectedException(status);
        }
    }
}

/// <summary>The engine's endpoint answered with a redirect, which was not followed.</summary>
sealed class EngineRedirectedException(int status) : Exception($"The engine's endpoint answered HTTP {status}, a redirect.")
{
    public int Status { get; } = status;
}
