using System.Security.Cryptography;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Xunit;

namespace Gateway.Testing.Conformance;

/// <summary>
/// replace-metadata, called as the gateway calls it (the registry's store, over CTP-96 where the store runs on a bridge
/// host): the metadata is replaced and nothing else changes; a condition that fails, or a missing object, changes nothing.
/// </summary>
public abstract partial class ObjectStoreConformanceTests
{
    [SkippableFact]
    public async Task Replace_metadata_changes_only_the_metadata()
    {
        await RequireAsync("userMetadata", "conditionalRequests");
        var store = GatewayStore;
        var body = RandomNumberGenerator.GetBytes(300 * 1024);
        var headers = new ContentHeaders { CacheControl = "max-age=60", ContentDisposition = "attachment; filename=\"m.bin\"", ContentLanguage = "de" };
        var put = await store.PutObjectAsync(Bucket, "meta/m.bin", new MemoryStream(body), new PutObjectOptions
        {
            ContentType = "application/x-conformance",
            Metadata = new Dictionary<string, string> { ["owner"] = "team-a", ["drop-me"] = "1" },
            ContentHeaders = headers,
            ContentLength = body.Length,
        }, default);

        var replaced = await store.ReplaceMetadataAsync(Bucket, "meta/m.bin", new Dictionary<string, string> { ["owner"] = "team-b", ["added"] = "x=1&y" },
            new ObjectConditions { IfMatch = [put.ETag] }, default);
        Assert.Equal(new Dictionary<string, string> { ["owner"] = "team-b", ["added"] = "x=1&y" }, replaced.Metadata);

        var head = await store.HeadObjectAsync(Bucket, "meta/m.bin", ObjectConditions.None, default);
        Assert.Equal(new Dictionary<string, string> { ["owner"] = "team-b", ["added"] = "x=1&y" }, head.Metadata);
        Assert.Equal(("application/x-conformance", body.LongLength, "max-age=60", "attachment; filename=\"m.bin\"", "de"),
            (head.ContentType, head.Size, head.ContentHeaders?.CacheControl, head.ContentHeaders?.ContentDisposition, head.ContentHeaders?.ContentLanguage));
        if (put.ContentMd5 is not null) Assert.Equal(put.ContentMd5, head.ContentMd5);
        await using (var content = await store.GetObjectAsync(Bucket, "meta/m.bin", new GetObjectOptions(), default))
        {
            using var copy = new MemoryStream();
            await content.Body.CopyToAsync(copy);
            Assert.Equal(body, copy.ToArray());
        }

        // A stale ETag (the object changed since it was read) or a missing object: refused, nothing changed.
        var stale = await Assert.ThrowsAsync<GatewayException>(() => store.ReplaceMetadataAsync(Bucket, "meta/m.bin",
            new Dictionary<string, string> { ["owner"] = "team-c" }, new ObjectConditions { IfMatch = ["\"0123456789abcdef0123456789abcdef\""] }, default));
        Assert.Equal(ErrorCode.PreconditionFailed, stale.Code);
        Assert.Equal("team-b", (await store.HeadObjectAsync(Bucket, "meta/m.bin", ObjectConditions.None, default)).StatedMetadata()["owner"]);
        var missing = await Assert.ThrowsAsync<GatewayException>(() => store.ReplaceMetadataAsync(Bucket, "meta/missing.bin",
            new Dictionary<string, string> { ["owner"] = "team-c" }, ObjectConditions.None, default));
        Assert.Equal(ErrorCode.NotFound, missing.Code);
        Assert.DoesNotContain("meta/missing.bin", await ListAllKeysAsync());

        // Replacing with nothing leaves no metadata.
        var cleared = await store.ReplaceMetadataAsync(Bucket, "meta/m.bin", new Dictionary<string, string>(), ObjectConditions.None, default);
        Assert.Empty(cleared.StatedMetadata());
        Assert.Empty((await store.HeadObjectAsync(Bucket, "meta/m.bin", ObjectConditions.None, default)).StatedMetadata());
    }
}
