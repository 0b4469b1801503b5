using Gateway.Testing.S3;

namespace Gateway.Tests.S3Api;

/// <summary>The S3 front door over the local filesystem store, driven by the real clients.</summary>
public sealed class LocalStoreS3ClientTests : S3ClientSuite
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "gateway-s3-local-" + Guid.NewGuid().ToString("N"));

    protected override IReadOnlyDictionary<string, string?> StoreSettings => new Dictionary<string, string?>
    {
        ["Kind"] = "local",
        ["Root"] = Root,
    };

    protected override void EnsureBackendAvailable() { }
}
