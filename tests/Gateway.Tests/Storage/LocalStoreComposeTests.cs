using System.Text;
using Gateway.Bridges.Local;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Xunit;

namespace Gateway.Tests.Storage;

/// <summary>
/// The local store's composing copy (CopyObjectRequest.SourceParts), which the S3 front door's
/// CompleteMultipartUpload uses so that parts are concatenated on disk rather than streamed back through the channel.
/// </summary>
public sealed class LocalStoreComposeTests() : TempLocalStoreTests(LocalStoreComposeTests.Bucket)
{
    private const string Bucket = "compose";

    private async Task<CopySourcePart> PutAsync(string key, string body)
    {
        using var content = new MemoryStream(Encoding.UTF8.GetBytes(body));
        var info = await Store.PutObjectAsync(Bucket, key, content, new PutObjectOptions(), CancellationToken.None);
        return new CopySourcePart(key, info.ETag);
    }

    private async Task<string> ReadAsync(string key)
    {
        await using var content = await Store.GetObjectAsync(Bucket, key, new GetObjectOptions(), CancellationToken.None);
        using var reader = new StreamReader(content.Body);
        return await reader.ReadToEndAsync();
    }

    private static CopyObjectRequest Compose(IReadOnlyList<CopySourcePart> parts, string target = "whole") => new()
    {
        SourceBucket = Bucket,
        SourceKey = "upload",
        SourceConditions = CopyObjectRequest.ComposeGuard,
        SourceParts = parts,
        TargetBucket = Bucket,
        TargetKey = target,
        MetadataDirective = MetadataDirective.Replace,
        ContentType = "text/plain",
        Metadata = new Dictionary<string, string> { ["origin"] = "parts" },
    };

    [Fact]
    public async Task Parts_are_concatenated_in_order_with_the_given_type_and_metadata()
    {
        Assert.True(Store.Capabilities.ComposeParts);
        var parts = new[] { await PutAsync("p2", "second-"), await PutAsync("p1", "first-"), await PutAsync("p3", "third") };

        var info = await Store.CopyObjectAsync(Compose([parts[1], parts[0], parts[2]]), CancellationToken.None);

        Assert.Equal("first-second-third", await ReadAsync("whole"));
        Assert.Equal(18, info.Size);
        var head = await Store.HeadObjectAsync(Bucket, "whole", ObjectConditions.None, CancellationToken.None);
        Assert.Equal("text/plain", head.ContentType);
        Assert.Equal("parts", head.StatedMetadata()["origin"]);
    }

    [Fact]
    public async Task A_part_replaced_since_it_was_chosen_fails_the_compose_and_leaves_the_target_as_it_was()
    {
        await PutAsync("whole", "old target");
        var first = await PutAsync("p1", "first-");
        var second = await PutAsync("p2", "second");
        await PutAsync("p2", "replaced");

        var e = await Assert.ThrowsAsync<GatewayException>(() => Store.CopyObjectAsync(Compose([first, second]), CancellationToken.None));

        Assert.Equal(ErrorCode.PreconditionFailed, e.Code);
        Assert.Equal("old target", await ReadAsync("whole"));
    }

    [Fact]
    public async Task The_target_conditions_hold_for_a_compose()
    {
        await PutAsync("whole", "old target");
        var part = await PutAsync("p1", "new");
        var request = Compose([part]) with { TargetConditions = new ObjectConditions { IfNoneMatch = ["*"] } };

        var e = await Assert.ThrowsAsync<GatewayException>(() => Store.CopyObjectAsync(request, CancellationToken.None));

        Assert.Equal(ErrorCode.PreconditionFailed, e.Code);
        Assert.Equal("old target", await ReadAsync("whole"));
    }

    [Fact]
    public async Task A_plain_copy_of_a_compose_request_fails_on_its_guard_instead_of_copying_the_source_key()
    {
        // What a store or wrapper that does not know SourceParts would do: copy SourceKey under SourceConditions.
        await PutAsync("upload", "");
        var part = await PutAsync("p1", "data");
        var plain = Compose([part]) with { SourceParts = null };

        var e = await Assert.ThrowsAsync<GatewayException>(() => Store.CopyObjectAsync(plain, CancellationToken.None));

        Assert.Contains(e.Code, new[] { ErrorCode.PreconditionFailed, ErrorCode.NotModified });
        await Assert.ThrowsAsync<GatewayException>(() => Store.HeadObjectAsync(Bucket, "whole", ObjectConditions.None, CancellationToken.None));
    }

    [Fact]
    public void Stores_that_cannot_compose_refuse_source_parts()
    {
        var e = Assert.Throws<GatewayException>(() => Compose([new CopySourcePart("p1", "\"x\"")]).RejectSourceParts("S3"));
        Assert.Equal(ErrorCode.NotSupported, e.Code);
        (Compose([]) with { SourceParts = null }).RejectSourceParts("S3"); // a plain copy passes
    }
}
