using Gateway.Bridges.Resilience;
using Gateway.Contracts.ObjectStorage;
using Polly;

namespace Gateway.Bridges.S3;

/// <summary>Store kind "s3": AWS S3 or any S3-compatible service reachable through an endpoint override.</summary>
public sealed class S3StoreFactory : ResilientStoreFactory<S3StoreOptions>
{
    public const string KindName = "s3";
    public override string Kind => KindName;

    protected override IObjectStore Create(string storeName, S3StoreOptions settings, ResiliencePipeline pipeline) => new S3ObjectStore(storeName, settings, pipeline);
}
