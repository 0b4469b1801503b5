using Gateway.Testing;

namespace Gateway.Bridges.Cloud.Tests.Migrations;

/// <summary>
/// Azurite and s3rver each behind a <see cref="CuttableTcpForwarder"/>, and gateway settings for them: "s3" reached
/// directly, "azure" through <see cref="Azurite"/>, and "s3-cut", the same s3rver (so the same buckets) as "s3", through
/// <see cref="S3rver"/>. Fails, naming the backend, when a server does not answer.
/// </summary>
internal sealed class ForwardedStores : IAsyncDisposable
{
    public ForwardedStores()
    {
        CloudBackends.EnsureAnswers("s3", CloudBackends.S3Endpoint);
        CloudBackends.EnsureAnswers("azurite", CloudBackends.AzuriteEndpoint + "?comp=list");
        Azurite = new CuttableTcpForwarder(new Uri(CloudBackends.AzuriteEndpoint));
        S3rver = new CuttableTcpForwarder(new Uri(CloudBackends.S3Endpoint));
    }

    public CuttableTcpForwarder Azurite { get; }

    public CuttableTcpForwarder S3rver { get; }

    public Dictionary<string, string?> Settings()
    {
        var settings = CloudBackends.S3AndAzureStores().ToDictionary(kv => kv.Key, kv => (string?)kv.Value);
        settings["Gateway:Stores:azure:ServiceUri"] = CuttableTcpForwarder.Through(CloudBackends.AzuriteEndpoint, Azurite.Port);
        foreach (var (key, value) in CloudBackends.S3AndAzureStores().Where(kv => kv.Key.StartsWith("Gateway:Stores:s3:", StringComparison.Ordinal)))
            settings["Gateway:Stores:s3-cut:" + key["Gateway:Stores:s3:".Length..]] = value;
        settings["Gateway:Stores:s3-cut:ServiceUrl"] = CuttableTcpForwarder.Through(CloudBackends.S3Endpoint, S3rver.Port);
        return settings;
    }

    public async ValueTask DisposeAsync()
    {
        await Azurite.DisposeAsync();
        await S3rver.DisposeAsync();
    }
}
