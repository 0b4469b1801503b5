using System.Security.Cryptography;
using Gateway.Testing.S3;
using Xunit;

namespace Gateway.Tests.S3Api;

/// <summary>
/// A front door in a region other than us-east-1, with a caller who may delete but not read one bucket: the answers
/// that differ from us-east-1's (re-creating an own bucket) and the grants a conditional delete needs.
/// </summary>
public sealed class RegionalFrontDoorTests : IAsyncLifetime
{
    private const string Region = "eu-west-1";
    private readonly string _root = Directory.CreateTempSubdirectory("gateway-s3-regional-").FullName;
    private readonly string _work = Directory.CreateTempSubdirectory("s3-regional-").FullName;
    private readonly string _bucket = S3FrontDoor.NewBucketName();
    private readonly string _deleterId = "AKDL" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
    private readonly string _deleterSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));
    private S3FrontDoor _door = null!;

    public async Task InitializeAsync() =>
        _door = await S3FrontDoor.StartAsync(
            new Dictionary<string, string?> { ["Kind"] = "local", ["Root"] = _root },
            new Dictionary<string, string?>
            {
                ["Gateway:S3:Region"] = Region,
                [$"Gateway:S3:AccessKeys:{_deleterId}:Secret"] = _deleterSecret,
                [$"Gateway:S3:AccessKeys:{_deleterId}:Caller"] = "s3-deleter",
                [$"Gateway:S3:AccessKeys:{_deleterId}:Scopes:0"] = $"delete:stores/{S3FrontDoor.StoreName}/buckets/{_bucket}/**",
            });

    public async Task DisposeAsync()
    {
        await _door.DisposeAsync();
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_work, recursive: true);
    }

    private const string Prelude = """
        import os, sys, boto3, botocore
        from botocore.config import Config
        def client(key, secret):
            return boto3.client("s3", endpoint_url=os.environ["ENDPOINT"], aws_access_key_id=key, aws_secret_access_key=secret,
                                region_name="eu-west-1", config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
        def error_of(call):
            try:
                call()
            except botocore.exceptions.ClientError as e:
                return e.response["Error"].get("Code"), e.response["ResponseMetadata"]["HTTPStatusCode"]
            raise AssertionError("expected an error")
        s3 = client(os.environ["KEY_ID"], os.environ["SECRET"])
        bucket = sys.argv[1]
        """;

    private async Task RunAsync(string script, params string[] args)
    {
        var run = await new S3Clients(_door, _work).PythonAsync(Prelude + "\n" + script + "\nprint(\"OK\")\n", [_bucket, .. args]);
        Assert.True(run.ExitCode == 0 && run.Stdout.TrimEnd().EndsWith("OK", StringComparison.Ordinal), run.ToString());
    }

    [Fact]
    public Task Re_creating_an_own_bucket_outside_us_east_1_is_BucketAlreadyOwnedByYou_and_keeps_it() => RunAsync("""
        where = {"LocationConstraint": "eu-west-1"}
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration=where)
        s3.put_object(Bucket=bucket, Key="kept", Body=b"still here")
        assert error_of(lambda: s3.create_bucket(Bucket=bucket, CreateBucketConfiguration=where)) == ("BucketAlreadyOwnedByYou", 409)
        assert s3.get_object(Bucket=bucket, Key="kept")["Body"].read() == b"still here"
        assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] == "eu-west-1"
        """);

    [Fact]
    public Task A_conditional_delete_needs_read_as_well_as_delete() => RunAsync("""
        # DeleteObjects sent as XML, signed by botocore's own SigV4 signer: the installed botocore predates ObjectIdentifier's ETag.
        import urllib.request, urllib.error, xml.etree.ElementTree as ET
        import botocore.auth, botocore.awsrequest, botocore.credentials
        NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
        def delete_as(key, secret, objects):
            xml = "<Delete>" + "".join("<Object>" + "".join(f"<{k}>{v}</{k}>" for k, v in o.items()) + "</Object>" for o in objects) + "</Delete>"
            req = botocore.awsrequest.AWSRequest(method="POST", url=f"{os.environ['ENDPOINT']}/{bucket}?delete", data=xml.encode())
            botocore.auth.S3SigV4Auth(botocore.credentials.Credentials(key, secret), "s3", "eu-west-1").add_auth(req)
            prepared = req.prepare()
            try:
                with urllib.request.urlopen(urllib.request.Request(prepared.url, data=xml.encode(), method="POST", headers=dict(prepared.headers))) as r:
                    status, body = r.status, r.read()
            except urllib.error.HTTPError as e:
                status, body = e.code, e.read()
            root = ET.fromstring(body)
            return status, [d.findtext(NS + "Key") for d in root.iter(NS + "Deleted")], [(e.findtext(NS + "Key"), e.findtext(NS + "Code")) for e in root.iter(NS + "Error")]
        deleter = client(sys.argv[2], sys.argv[3])
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        etag = s3.put_object(Bucket=bucket, Key="guarded", Body=b"g")["ETag"]
        s3.put_object(Bucket=bucket, Key="plain", Body=b"p")
        assert error_of(lambda: deleter.get_object(Bucket=bucket, Key="guarded")) == ("AccessDenied", 403)
        answer = delete_as(sys.argv[2], sys.argv[3], [{"Key": "guarded", "ETag": etag}, {"Key": "plain"}])
        assert answer == (200, ["plain"], [("guarded", "AccessDenied")]), answer
        assert s3.get_object(Bucket=bucket, Key="guarded")["Body"].read() == b"g"
        assert error_of(lambda: s3.head_object(Bucket=bucket, Key="plain")) == ("404", 404)
        # The caller who may read as well deletes it under the same condition.
        assert delete_as(os.environ["KEY_ID"], os.environ["SECRET"], [{"Key": "guarded", "ETag": etag}]) == (200, ["guarded"], [])
        """, _deleterId, _deleterSecret);
}
