namespace Gateway.Contracts.Bridges;

/// <summary>
/// One configured bridge instance (an object store, a Docker host, a cluster, a REST upstream...),
/// as listed by <c>GET /v1/bridges</c>. Reporting status must be cheap and must not call the platform:
/// it reads what the instance's resilience pipeline has already observed.
/// </summary>
public interface IBridgeInstance
{
    string Name { get; }

    /// <summary>The bridge kind: "local", "s3", "azure-blob", "gcs", "docker", "kubernetes", "rest"...</summary>
    string Kind { get; }

    BridgeStatus GetStatus();
}

/// <summary>
/// A feature that owns several bridge instances (built from configuration, maybe lazily) registers one
/// source in DI (<c>services.AddSingleton&lt;IBridgeInstanceSource, ...&gt;()</c>) instead of each instance.
/// </summary>
public interface IBridgeInstanceSource
{
    IEnumerable<IBridgeInstance> GetInstances();
}
