using System.Text;
using System.Xml.Linq;
using Gateway.Testing;
using Gateway.Testing.S3;
using Gateway.Tests.Probes;
using Xunit;

namespace Gateway.Tests.S3Api;

/// <summary>
/// ListBuckets at a front door over every store (<c>store--bucket</c> naming) when one store lists no buckets (a GCS
/// store without a project): until this test the whole listing answered NotImplemented, so <c>aws s3 ls</c> showed no
/// store's buckets at all.
/// </summary>
public sealed class MultiStoreListBucketsTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("gw-s3-multi-").FullName;
    private S3FrontDoor _door = null!;
    private S3Signer _signer = null!;

    public async Task InitializeAsync()
    {
        _door = await S3FrontDoor.StartAsync(new Dictionary<string, string?> { ["Kind"] = "local", ["Root"] = _root }, new Dictionary<string, string?>
        {
            ["Gateway:S3:Store"] = "",
            // Nothing listens there: a store asked for its buckets would fail the listing.
            ["Gateway:Stores:bucketonly:Kind"] = "gcs",
            ["Gateway:Stores:bucketonly:Endpoint"] = "http://127.0.0.1:9",
            ["Gateway:Stores:bucketonly:Anonymous"] = "true",
        });
        _signer = new S3Signer(_door.AccessKeyId, _door.Secret, S3FrontDoor.Region);
    }

    public async Task DisposeAsync()
    {
        await _door.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private Task<RawHttp.Response> SendAsync(string method, string target) =>
        RawHttp.SendAsync(_door.Endpoint, method, target, "",
            _signer.Sign(method, $"{_door.Endpoint.Host}:{_door.Endpoint.Port}", target, [], []));

    [Fact]
    public async Task A_store_that_lists_no_buckets_is_left_out_and_the_others_are_listed()
    {
        var bucket = $"{S3FrontDoor.StoreName}--{S3FrontDoor.NewBucketName()}";
        Assert.Equal(200, (await SendAsync("PUT", $"/{bucket}")).Status);

        var listing = await SendAsync("GET", "/");

        Assert.True(listing.Status == 200, listing.Body);
        var names = XDocument.Parse(listing.Body).Descendants().Where(e => e.Name.LocalName == "Name").Select(e => e.Value).ToList();
        Assert.Contains(bucket, names);
        Assert.DoesNotContain(names, n => n.StartsWith("bucketonly--", StringComparison.Ordinal));
        // Its own buckets stay reachable by name: only the listing of buckets is what it lacks.
        Assert.Equal(501, (await SendAsync("PUT", "/bucketonly--new-bucket")).Status);
    }
}
