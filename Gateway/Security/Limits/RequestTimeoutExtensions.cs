using Microsoft.AspNetCore.Http.Timeouts;

namespace Gateway.Security;

public static class RequestTimeoutExtensions
{
    /// <summary>Streams of any length (object transfer, forwarding, followed logs) opt out of the default request timeout.</summary>
    public static TBuilder WithoutRequestTimeout<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new DisableRequestTimeoutAttribute());
}
