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

    /// <summary>10,000 PUTs to Azurite take minutes on CI; GATEWAY_CONFORMANCE_MANY_OBJECTS=10000 runs the full count.</summary>
    protected override int ManyObjects => 1_000;

    protected override bool HoldsBackslashKeys => false;

    protected override string? ListingOrderDeviation =>
        "Azurite does not list keys with characters above U+FFFF in byte order (it compares JavaScript strings, " +
        "UTF-16 code units, where those characters sort before U+E000-U+FFFF).";
}
