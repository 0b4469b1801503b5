using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Channel.Tests;

public class ErrorMappingTests
{
    [Fact]
    public async Task Gateway_error_codes_cross_the_channel_unchanged()
    {
        await using var h = ChannelHarness.Create();
        var store = h.Remote;
        await store.CreateBucketAsync("bucket-one", default);
        Assert.Equal(ErrorCode.Conflict, (await Assert.ThrowsAsync<GatewayException>(() => store.CreateBucketAsync("bucket-one", default))).Code);
        Assert.Equal(ErrorCode.NotFound, (await Assert.ThrowsAsync<GatewayException>(() => store.HeadObjectAsync("bucket-one", "missing", ObjectConditions.None, default))).Code);
        var info = await store.PutObjectAsync("bucket-one", "k", new MemoryStream([1, 2, 3]), new PutObjectOptions(), default);

        var notModified = await Assert.ThrowsAsync<GatewayException>(() =>
            store.HeadObjectAsync("bucket-one", "k", new ObjectConditions { IfNoneMatch = [info.ETag] }, default));
        Assert.Equal(ErrorCode.NotModified, notModified.Code);
        var direct = await Assert.ThrowsAsync<GatewayException>(() =>
            h.Store.HeadObjectAsync("bucket-one", "k", new ObjectConditions { IfNoneMatch = [info.ETag] }, default));
        Assert.Equal(direct.Message, notModified.Message);
        Assert.Equal(direct.Extensions?["etag"], notModified.Extensions?["etag"]);

        Assert.Equal(ErrorCode.PreconditionFailed, (await Assert.ThrowsAsync<GatewayException>(() =>
            store.DeleteObjectAsync("bucket-one", "k", new ObjectConditions { IfMatch = ["\"nope\""] }, default))).Code);
        Assert.Equal(ErrorCode.BadDigest, (await Assert.ThrowsAsync<GatewayException>(() =>
            store.PutObjectAsync("bucket-one", "k2", new MemoryStream([1, 2, 3]), new PutObjectOptions { ContentMd5 = "AAAAAAAAAAAAAAAAAAAAAA==" }, default))).Code);
        Assert.Equal(ErrorCode.BadRequest, (await Assert.ThrowsAsync<GatewayException>(() => store.HeadObjectAsync("bucket-one", "../x", ObjectConditions.None, default))).Code);

        // Error answers are witnessed too.
        var entries = await h.Audit.ReadAsync(0, 100, default);
        Assert.Contains(entries, e => e.Status == "conflict");
        Assert.Contains(entries, e => e.Status == "not-found");
        Assert.Contains(entries, e => e.Status == "bad-digest");
    }

    [Fact]
    public async Task Ranges_and_metadata_survive_the_trip()
    {
        await using var h = ChannelHarness.Create();
        var store = h.Remote;
        await store.CreateBucketAsync("bucket-one", default);
        var data = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        await store.PutObjectAsync("bucket-one", "k", new MemoryStream(data),
            new PutObjectOptions { ContentType = "text/plain", Metadata = new Dictionary<string, string> { ["colour"] = "blue" } }, default);
        await using var part = await store.GetObjectAsync("bucket-one", "k", new GetObjectOptions { Range = new ByteRange(10, 19, null) }, default);
        var m = new MemoryStream();
        await part.Body.CopyToAsync(m);
        Assert.Equal(data[10..20], m.ToArray());
        Assert.True(part.IsPartial);
        Assert.Equal(10, part.Offset);
        Assert.Equal("blue", part.Info.StatedMetadata()["colour"]);
        Assert.Equal("text/plain", part.Info.ContentType);
        var unsatisfiable = await Assert.ThrowsAsync<GatewayException>(() => store.GetObjectAsync("bucket-one", "k", new GetObjectOptions { Range = new ByteRange(5000, null, null) }, default));
        Assert.Equal(ErrorCode.RangeNotSatisfiable, unsatisfiable.Code);
        var listing = await store.ListObjectsAsync("bucket-one", new ListObjectsRequest(), default);
        Assert.Equal("k", Assert.Single(listing.Objects).Key);
        var copy = await store.CopyObjectAsync(new CopyObjectRequest { SourceBucket = "bucket-one", SourceKey = "k", TargetBucket = "bucket-one", TargetKey = "k2" }, default);
        Assert.Equal(1000, copy.Size);
    }
}
