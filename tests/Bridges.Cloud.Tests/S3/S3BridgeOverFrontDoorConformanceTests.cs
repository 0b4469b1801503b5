using Gateway.Testing.Conformance;

namespace Gateway.Bridges.Cloud.Tests.S3;

/// <summary>
/// Issue 18 item 8: the S3 bridge with its default settings (aws-chunked, signed uploads; no PlainPayloads) runs the
/// conformance suite against the gateway's own S3 front door, which verifies every SigV4 signature and chunk signature
/// that s3rver ignores. The front door serves a local store on its own loopback listener.
/// </summary>
public sealed class S3BridgeOverFrontDoorConformanceTests : ObjectStoreConformanceTests
{
    private static readonly string Root = Directory.CreateTempSubdirectory("gateway-s3-door-conf-").FullName;

    private static readonly Lazy<Task<Gateway.Testing.S3.S3FrontDoor>> Door = new(() => Gateway.Testing.S3.S3FrontDoor.StartAsync(new Dictionary<string, string?>
    {
        ["Kind"] = "local",
        ["Root"] = Root,
    }));

    private static Gateway.Testing.S3.S3FrontDoor FrontDoor => Door.Value.GetAwaiter().GetResult();

    protected override IReadOnlyDictionary<string, string?> StoreSettings => new Dictionary<string, string?>
    {
        ["Kind"] = "s3",
        ["ServiceUrl"] = FrontDoor.EndpointText,
        ["ForcePathStyle"] = "true",
        ["AccessKeyId"] = FrontDoor.AccessKeyId,
        ["SecretAccessKey"] = FrontDoor.Secret,
    };

    /// <summary>The front door is part of this test run; starting it is the check that it answers.</summary>
    protected override void EnsureBackendAvailable() => _ = FrontDoor;

    protected override int ManyObjects => 1_000;
}
