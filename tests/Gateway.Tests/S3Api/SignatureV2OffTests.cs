using Gateway.Testing.S3;
using Xunit;

namespace Gateway.Tests.S3Api;

/// <summary>With Gateway:S3:SignatureV2 off, SigV2 requests and presigned URLs are refused and store nothing; SigV4 still works.</summary>
public sealed class SignatureV2OffTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("gateway-s3-v2off-").FullName;
    private readonly string _work = Directory.CreateTempSubdirectory("s3-v2off-").FullName;
    private S3FrontDoor _door = null!;

    public async Task InitializeAsync() =>
        _door = await S3FrontDoor.StartAsync(
            new Dictionary<string, string?> { ["Kind"] = "local", ["Root"] = _root },
            new Dictionary<string, string?> { ["Gateway:S3:SignatureV2"] = "false" });

    public async Task DisposeAsync()
    {
        await _door.DisposeAsync();
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task Signature_v2_is_refused_when_turned_off()
    {
        var bucket = S3FrontDoor.NewBucketName();
        using (var created = await _door.Server.Client.PutAsync($"v1/stores/{S3FrontDoor.StoreName}/buckets/{bucket}", null))
            Assert.True(created.IsSuccessStatusCode, $"create bucket: {(int)created.StatusCode}");
        var run = await new S3Clients(_door, _work).PythonAsync("""
            import os, sys, subprocess, boto3, botocore
            from botocore.config import Config
            def client(sig):
                return boto3.client("s3", endpoint_url=os.environ["ENDPOINT"], aws_access_key_id=os.environ["KEY_ID"],
                                    aws_secret_access_key=os.environ["SECRET"], region_name=os.environ["REGION"],
                                    config=Config(signature_version=sig, s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
            bucket = sys.argv[1]
            v2, v4 = client("s3"), client("s3v4")
            try:
                v2.put_object(Bucket=bucket, Key="v2", Body=b"x")
                raise AssertionError("a SigV2 put was taken")
            except botocore.exceptions.ClientError as e:
                assert (e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]) == ("InvalidRequest", 400), e.response
            v4.put_object(Bucket=bucket, Key="v4", Body=b"x")
            url = v2.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "v4"}, ExpiresIn=60)
            r = subprocess.run(["curl", "-s", "-w", "\n%{http_code}", url], capture_output=True, check=True)
            body, _, status = r.stdout.rpartition(b"\n")
            assert status == b"400" and b"<Code>InvalidRequest</Code>" in body, (status, body)
            assert [o["Key"] for o in v4.list_objects_v2(Bucket=bucket)["Contents"]] == ["v4"]
            print("OK")
            """, [bucket]);
        Assert.True(run.ExitCode == 0 && run.Stdout.TrimEnd().EndsWith("OK"), run.ToString());
    }
}
