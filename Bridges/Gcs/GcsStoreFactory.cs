using Gateway.Bridges.Resilience;
using Gateway.Contracts.ObjectStorage;
using Polly;

namespace Gateway.Bridges.Gcs;

/// <summary>Store kind "gcs": Google Cloud Storage (Google.Cloud.Storage.V1, and the JSON API where the SDK lacks an operation).</summary>
public sealed class GcsStoreFactory : ResilientStoreFactory<GcsStoreOptions>
{
    public const string KindName = "gcs";
    public override string Kind => KindName;

    protected override IObjectStore Create(string storeName, GcsStoreOptions settings, ResiliencePipeline pipeline) => new GcsObjectStore(storeName, settings, pipeline);
}
