using Gateway.Bridges.Resilience;
using Gateway.Contracts.ObjectStorage;
using Polly;

namespace Gateway.Bridges.AzureBlob;

/// <summary>Store kind "azure-blob": Azure Blob Storage (or Azurite); buckets are containers.</summary>
public sealed class AzureBlobStoreFactory : ResilientStoreFactory<AzureBlobStoreOptions>
{
    public const string KindName = "azure-blob";
    public override string Kind => KindName;

    protected override IObjectStore Create(string storeName, AzureBlobStoreOptions settings, ResiliencePipeline pipeline) => new AzureBlobObjectStore(storeName, settings, pipeline);
}
