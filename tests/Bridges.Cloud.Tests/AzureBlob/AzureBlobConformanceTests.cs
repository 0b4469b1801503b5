using Gateway.Testing.Conformance;

namespace Gateway.Bridges.Cloud.Tests.AzureBlob;

/// <summary>The object-store conformance suite against Azurite (backend "azurite").</summary>
public sealed class AzureBlobConformanceTests : ObjectStoreConformanceTests
{
    protected override IReadOnlyDictionary<string, string?> StoreSettings => new Dictionary<string, string?>
    {
        ["Kind"] = "azure-blob",
        ["ServiceUri"] = CloudBackends.AzuriteEndpoint,
        ["AccountName"] = CloudBackends.AzuriteAccount,
        ["AccountKey"] = CloudBackends.AzuriteKey,
    };

    protected override void EnsureBackendAvailable() =>
        CloudBackends.EnsureAnswers("azurite", CloudBackends.AzuriteEndpoint + "?comp=list");
}
