using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.Extensions.Options;

namespace Gateway.Security;

/// <summary>Default deny: a caller may do only what a grant of one of its scopes allows.</summary>
public sealed class AccessEvaluator
{
    public const string AdminPolicy = "admin";
    private readonly IReadOnlyDictionary<string, IReadOnlyList<Grant>> _policies;
    private readonly ConcurrentDictionary<string, IReadOnlyList<Grant>> _scopes = new(StringComparer.Ordinal);

    public AccessEvaluator(IOptions<SecurityOptions> options)
    {
        var policies = new Dictionary<string, IReadOnlyList<Grant>>(StringComparer.Ordinal)
        {
            [AdminPolicy] = [new Grant(Operations.All, new ResourcePattern("**"))],
        };
        foreach (var (name, policy) in options.Value.Policies) policies[name] = Compile(policy);
        _policies = policies;
    }

    public static IReadOnlyList<Grant> Compile(PolicyOptions policy) =>
        policy.Grants.SelectMany(g => g.Resources.Select(r => new Grant(Grant.ParseOperations(g.Operations), new ResourcePattern(r)))).ToList();

    /// <summary>True when the scope names a configured (or the built-in admin) policy, not an inline grant.</summary>
    public bool IsPolicy(string scope) => _policies.ContainsKey(scope);

    public bool IsKnownScope(string scope) => scope.Contains(':') || _policies.ContainsKey(scope);

    public bool Allows(ClaimsPrincipal user, ResourceAccess access)
    {
        if (user.Identity?.IsAuthenticated != true) return false;
        foreach (var claim in user.FindAll(CallerClaims.Scope))
            foreach (var grant in GrantsOf(claim.Value))
                if (grant.Allows(access.Operation, access.Resource, access.Prefix)) return true;
        return false;
    }

    /// <summary>
    /// Whether the caller may run the endpoint as far as its route tells (every <see cref="GatewayAccessMetadata"/>
    /// requirement, resolved as <see cref="AccessMiddleware"/> resolves it), without answering anything. An endpoint whose
    /// access is decided by its body (<see cref="GatewayAccessFilterMetadata"/>) admits here only a caller holding its
    /// covering grants (those that admit any body; none declared: no caller): anyone else is judged on the body, later.
    /// </summary>
    public bool AllowsRoute(HttpContext context, EndpointMetadataCollection metadata) =>
        metadata.GetMetadata<GatewayAccessFilterMetadata>() is var byBody && byBody is not { Covering.Count: 0 }
        && metadata.GetOrderedMetadata<GatewayAccessMetadata>().SelectMany(m => m.Requirements)
            .Concat(byBody?.Covering ?? [])
            .All(r => Allows(context.User, new ResourceAccess(r.Operation ?? Operations.FromMethod(context.Request.Method),
                ResourceTemplates.Resolve(r.Template, context), r.Prefix)));

    private IReadOnlyList<Grant> GrantsOf(string scope) =>
        _scopes.TryGetValue(scope, out var cached) ? cached : _scopes.Count < 10_000 ? _scopes.GetOrAdd(scope, Resolve) : Resolve(scope);

    private IReadOnlyList<Grant> Resolve(string s)
    {
        if (_policies.TryGetValue(s, out var grants)) return grants;
        if (!s.Contains(':')) return [];
        try { return [Grant.Parse(s)]; }
        catch (FormatException) { return []; } // a token may carry scopes meant for other services
    }
}
