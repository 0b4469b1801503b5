using Gateway.Testing.S3;
using Xunit;

namespace Gateway.Tests.S3Api;

/// <summary>
/// Gateway:S3:EncryptedAtRestStores: a local store the operator attests is encrypted at rest takes SSE-S3 (AES256) and
/// echoes it; SSE-KMS stays NotImplemented. Without the attestation the local store refuses AES256 (S3ClientSuite).
/// </summary>
public sealed class EncryptedAtRestStoresTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("gateway-s3-sse-").FullName;
    private readonly string _work = Directory.CreateTempSubdirectory("s3-sse-").FullName;
    private S3FrontDoor _door = null!;

    public async Task InitializeAsync() =>
        _door = await S3FrontDoor.StartAsync(
            new Dictionary<string, string?> { ["Kind"] = "local", ["Root"] = _root },
            new Dictionary<string, string?> { ["Gateway:S3:EncryptedAtRestStores:0"] = S3FrontDoor.StoreName });

    public async Task DisposeAsync()
    {
        await _door.DisposeAsync();
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task An_attested_store_takes_and_echoes_sse_s3()
    {
        var bucket = S3FrontDoor.NewBucketName();
        using (var created = await _door.Server.Client.PutAsync($"v1/stores/{S3FrontDoor.StoreName}/buckets/{bucket}", null))
            Assert.True(created.IsSuccessStatusCode, $"create bucket: {(int)created.StatusCode}");
        var run = await new S3Clients(_door, _work).PythonAsync("""
            import os, sys, boto3, botocore
            from botocore.config import Config
            s3 = boto3.client("s3", endpoint_url=os.environ["ENDPOINT"], aws_access_key_id=os.environ["KEY_ID"],
                              aws_secret_access_key=os.environ["SECRET"], region_name=os.environ["REGION"],
                              config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
            bucket = sys.argv[1]
            r = s3.put_object(Bucket=bucket, Key="enc", Body=b"secret", ServerSideEncryption="AES256")
            assert r["ServerSideEncryption"] == "AES256", r
            assert s3.get_object(Bucket=bucket, Key="enc")["Body"].read() == b"secret"
            try:
                s3.put_object(Bucket=bucket, Key="kms", Body=b"x", ServerSideEncryption="aws:kms")
                raise AssertionError("an SSE-KMS put was taken")
            except botocore.exceptions.ClientError as e:
                assert (e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]) == ("NotImplemented", 501), e.response
            assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["enc"]
            print("OK")
            """, [bucket]);
        Assert.True(run.ExitCode == 0 && run.Stdout.TrimEnd().EndsWith("OK"), run.ToString());
    }
}
