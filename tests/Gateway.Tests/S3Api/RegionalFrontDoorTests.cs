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

    private async Task RunAsync(string script, params string[] args)
    {
        var run = await new S3Clients(_door, _work).PythonAsync(S3ClientSuite.BotoPrelude + "\n" + script + "\nprint(\"OK\")\n", [_bucket, .. args],
            new Dictionary<string, string?> { ["REGION"] = Region });
        Assert.True(run.ExitCode == 0 && run.Stdout.TrimEnd().EndsWith("OK", StringComparison.Ordinal), run.ToString());
    }

    [Fact]
    public Task Re_creating_an_own_bucket_outside_us_east_1_is_BucketAlreadyOwnedByYou_and_keeps_it() => RunAsync("""
        where = {"LocationConstraint": REGION}
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration=where)
        s3.put_object(Bucket=BUCKET, Key="kept", Body=b"still here")
        assert error_of(lambda: s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration=where)) == ("BucketAlreadyOwnedByYou", 409)
        assert s3.get_object(Bucket=BUCKET, Key="kept")["Body"].read() == b"still here"
        assert s3.get_bucket_location(Bucket=BUCKET)["LocationConstraint"] == "eu-west-1"
        """);

    [Fact]
    public Task A_client_signing_for_another_region_is_sent_to_this_one_by_HeadBucket() => RunAsync("""
        # botocore learns a bucket's region from HeadBucket's x-amz-bucket-region, which S3 sends on every HeadBucket
        # answer, errors included; a HEAD has no body to carry the <Region> a GET's AuthorizationHeaderMalformed holds.
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_object(Bucket=BUCKET, Key="k", Body=b"here")
        # Without the header on the 400, botocore has no region to redirect to and raises "Bad Request".
        assert client(region="us-west-2").head_bucket(Bucket=BUCKET)["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == REGION
        assert client(region="us-west-2").head_object(Bucket=BUCKET, Key="k")["ContentLength"] == 4
        # A caller without a grant on the bucket learns the region too (it is the front door's, the same for every bucket).
        try:
            client(sys.argv[2], sys.argv[3]).head_bucket(Bucket=BUCKET)
            raise AssertionError("a HeadBucket without a read grant was taken")
        except botocore.exceptions.ClientError as e:
            answer = e.response["ResponseMetadata"]
            assert (answer["HTTPStatusCode"], answer["HTTPHeaders"].get("x-amz-bucket-region")) == (403, REGION), answer
        """, _deleterId, _deleterSecret);

    [Fact]
    public Task A_conditional_delete_needs_read_as_well_as_delete() => RunAsync("""
        # DeleteObjects sent as XML (raw: botocore's own signer): the installed botocore predates ObjectIdentifier's ETag.
        import xml.etree.ElementTree as ET
        NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
        def delete_as(key, secret, objects):
            xml = "<Delete>" + "".join("<Object>" + "".join(f"<{k}>{v}</{k}>" for k, v in o.items()) + "</Object>" for o in objects) + "</Delete>"
            status, body = raw("POST", f"{ENDPOINT}/{BUCKET}?delete", xml.encode(), key=key, secret=secret)
            root = ET.fromstring(body)
            return status, [d.findtext(NS + "Key") for d in root.iter(NS + "Deleted")], [(e.findtext(NS + "Key"), e.findtext(NS + "Code")) for e in root.iter(NS + "Error")]
        deleter = client(sys.argv[2], sys.argv[3])
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        etag = s3.put_object(Bucket=BUCKET, Key="guarded", Body=b"g")["ETag"]
        s3.put_object(Bucket=BUCKET, Key="plain", Body=b"p")
        assert error_of(lambda: deleter.get_object(Bucket=BUCKET, Key="guarded")) == ("AccessDenied", 403)
        answer = delete_as(sys.argv[2], sys.argv[3], [{"Key": "guarded", "ETag": etag}, {"Key": "plain"}])
        assert answer == (200, ["plain"], [("guarded", "AccessDenied")]), answer
        assert s3.get_object(Bucket=BUCKET, Key="guarded")["Body"].read() == b"g"
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="plain")) == ("404", 404)
        # The caller who may read as well deletes it under the same condition.
        assert delete_as(os.environ["KEY_ID"], os.environ["SECRET"], [{"Key": "guarded", "ETag": etag}]) == (200, ["guarded"], [])
        """, _deleterId, _deleterSecret);
}
