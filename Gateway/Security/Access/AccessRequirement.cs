namespace Gateway.Security;

/// <summary>
/// What an endpoint touches: an operation (or, when null, the one its HTTP method implies) on a resource
/// template whose <c>{name}</c> / <c>{**name}</c> parts come from route values and <c>{?name}</c> from the query.
/// A <paramref name="Prefix"/> requirement is a listing: the grant must cover everything under the resource.
/// </summary>
public sealed record AccessRequirement(Operation? Operation, string Template, bool Prefix = false);

/// <summary>Endpoint metadata: every requirement must be granted before the handler runs.</summary>
public sealed class GatewayAccessMetadata(IReadOnlyList<AccessRequirement> requirements)
{
    public IReadOnlyList<AccessRequirement> Requirements { get; } = requirements;
}

/// <summary>
/// Endpoint metadata: the requirements depend on the bound request body and are checked by an endpoint filter.
/// <paramref name="covering"/> are what admits a caller whatever the body names (for a copy: read and write on the whole
/// store); only such a caller is told, before the body is read, whether the store the route names exists.
/// </summary>
public sealed class GatewayAccessFilterMetadata(string description, IReadOnlyList<AccessRequirement> covering)
{
    public string Description { get; } = description;
    public IReadOnlyList<AccessRequirement> Covering { get; } = covering;
}

/// <summary>
/// Endpoint metadata: the endpoint only says which methods its route has (OPTIONS, and the 405 for the others), so any
/// authenticated caller passes, as routing's own 405 let them.
/// </summary>
public sealed class GatewayMethodListMetadata;

/// <summary>Endpoint metadata: callable without credentials (health; in Development also the API description).</summary>
public sealed class GatewayAnonymousMetadata;

/// <summary>One concrete access to check: an operation on a resource path.</summary>
public readonly record struct ResourceAccess(Operation Operation, string Resource, bool Prefix = false);

/// <summary>Endpoint metadata: callable without credentials from a loopback address only (a local metrics agent).</summary>
public sealed class GatewayLoopbackAnonymousMetadata;
