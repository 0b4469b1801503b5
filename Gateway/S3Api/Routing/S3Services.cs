using Gateway.Hosting;
using Gateway.S3Api.Auth;
using Gateway.S3Api.Hosting;
using Gateway.S3Api.Stores;
using Gateway.Security;
using Microsoft.Extensions.Options;

namespace Gateway.S3Api.Routing;

/// <summary>What the operations need, resolved once from the gateway's container (the own listener has its own).</summary>
public sealed class S3Services(S3StoreAdapter stores, AccessEvaluator access, SecurityEvents events, IOptions<S3Options> options,
    IOptions<GatewayOptions> gateway, TimeProvider time, ILogger<S3Services> logger)
{
    public S3StoreAdapter Stores { get; } = stores;
    public AccessEvaluator Access { get; } = access;
    public SecurityEvents Events { get; } = events;
    public S3Options Options => options.Value;
    public long MaxObjectBytes => gateway.Value.Limits.MaxObjectBytes;
    public TimeProvider Time { get; } = time;
    public ILogger Logger { get; } = logger;
}
