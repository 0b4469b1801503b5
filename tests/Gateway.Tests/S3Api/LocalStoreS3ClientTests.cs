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

    [Xunit.Fact]
    public Task Front_door_serves_an_object_holding_what_no_header_can_carry() => An_object_holding_what_no_header_can_carry_is_served_with_safe_headers();
}
