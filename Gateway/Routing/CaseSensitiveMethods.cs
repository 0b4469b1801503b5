using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Routing;

/// <summary>
/// Methods are case-sensitive (RFC 9110 §9.1): <c>get</c>, <c>head</c> or <c>delete</c> is another method than
/// <c>GET</c>, <c>HEAD</c>, <c>DELETE</c>, and Kestrel treats it as one (it sends a body for <c>head</c>). ASP.NET Core's
/// routing compares methods ignoring case, so <c>head</c> ran the HEAD endpoint, which writes no body, and Kestrel failed
/// the answer with a bare 500 ("too few bytes written"); <c>delete</c> deleted, and <c>get</c> read, under a method an
/// intermediary's rules for <c>DELETE</c> or <c>GET</c> do not name. This policy drops every endpoint whose declared
/// methods do not hold the request's exactly, so such a method reaches the route's catch-all and is the 405 with
/// <c>Allow</c> every other unknown method gets (<see cref="HeadAndOptionsEndpoints"/>).
/// </summary>
internal sealed class CaseSensitiveMethodPolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    // After ASP.NET's own HttpMethodMatcherPolicy (order -1000), which keeps the candidates of the method in any case.
    public override int Order => 0;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) =>
        endpoints.Any(e => e.Metadata.GetMetadata<IHttpMethodMetadata>() is { HttpMethods.Count: > 0 });

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var method = httpContext.Request.Method;
        for (var i = 0; i < candidates.Count; i++)
        {
            if (!candidates.IsValidCandidate(i)) continue;
            if (candidates[i].Endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is { HttpMethods.Count: > 0 } declared
                && !declared.HttpMethods.Contains(method, StringComparer.Ordinal))
                candidates.SetValidity(i, false);
        }
        return Task.CompletedTask;
    }
}

internal static class CaseSensitiveMethods
{
    private static readonly string[] Known =
        [HttpMethods.Get, HttpMethods.Head, HttpMethods.Put, HttpMethods.Post, HttpMethods.Delete, HttpMethods.Patch,
         HttpMethods.Options, HttpMethods.Trace, HttpMethods.Connect];

    /// <summary>
    /// A method that spells a standard one in another case (<c>head</c>, <c>Delete</c>): another method to HTTP and to
    /// Kestrel, which ASP.NET Core's <see cref="HttpMethods"/> checks still take for the standard one.
    /// </summary>
    public static bool IsOtherCaseOfKnown(string method) =>
        Known.Any(k => !string.Equals(k, method, StringComparison.Ordinal) && string.Equals(k, method, StringComparison.OrdinalIgnoreCase));

    public static IServiceCollection AddCaseSensitiveMethods(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, CaseSensitiveMethodPolicy>());
        return services;
    }
}
