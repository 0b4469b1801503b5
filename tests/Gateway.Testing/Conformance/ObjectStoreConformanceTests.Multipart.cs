using System.Net;
using System.Security.Cryptography;
using Gateway.Channel.Families;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Gateway.Testing.Conformance;

/// <summary>
/// The multipart operations of the object-storage family, called as the gateway calls them (the registry's store: over
/// CTP-96 where the store runs on a bridge host). A store without <c>multipartUploads</c> must refuse them with 501.
/// </summary>
public abstract partial class ObjectStoreConformanceTests
{
    /// <summary>
    /// Whether the backend lists an upload's parts, aborts uploads and checks the parts named by a completion. s3rver does
    /// none of these (ListParts and AbortMultipartUpload answer 405); the cases that need them are skipped there, saying so.
    /// </summary>
    protected virtual bool BackendHasFullMultipart => true;

    protected IObjectStore GatewayStore => Server.Services.GetRequiredService<BridgeRegistry<IObjectStore>>().Get(Store);

    /// <summary>
    /// A second, independent instance of the store under test on the same backend, as a restarted gateway would build it;
    /// null where one backend cannot have two instances at once (a local root is locked by its store).
    /// </summary>
    protected virtual IObjectStore? ReopenStore()
    {
        if (StoreSettings["Kind"] == "local") return null; // LocalStoreMultipartTests reopens a root
        var factory = Server.Services.GetServices<IObjectStoreFactory>().Single(f => f.Kind == StoreSettings["Kind"]);
        var section = Server.Services.GetRequiredService<IConfiguration>().GetSection($"Gateway:Stores:{Store}");
        return factory.Create(Store, section, Server.Services);
    }

    private long PartBytes(StoreCapabilities c) => Math.Max(c.MinPartBytes, 256 * 1024);

    [SkippableFact]
    public async Task Multipart_parts_become_the_object_at_once_when_completed()
    {
        await RequireAsync("multipartUploads");
        var store = GatewayStore;
        var size = PartBytes(store.Capabilities);
        var parts = new[] { RandomNumberGenerator.GetBytes((int)size), RandomNumberGenerator.GetBytes((int)size), RandomNumberGenerator.GetBytes(1234) };
        var upload = await store.StartMultipartUploadAsync(Bucket, "mp/whole.bin", new MultipartUploadOptions
        {
            ContentType = "text/plain",
            Metadata = store.Capabilities.UserMetadata
                ? new Dictionary<string, string> { ["owner"] = "team-a", ["team-name"] = "blue" }
                : new Dictionary<string, string>(),
            ContentHeaders = new ContentHeaders { CacheControl = "no-cache", ContentDisposition = "attachment; filename=\"whole.bin\"", ContentLanguage = "fr" },
        }, default);

        // Out of order, and part 2 twice: the second replaces the first.
        var sent = new Dictionary<int, UploadedPart>
        {
            [3] = await store.UploadPartAsync(Bucket, "mp/whole.bin", upload.UploadId, 3, new MemoryStream(parts[2]), new UploadPartOptions { ContentLength = parts[2].Length }, default),
        };
        await store.UploadPartAsync(Bucket, "mp/whole.bin", upload.UploadId, 2, new MemoryStream(parts[0]), new UploadPartOptions(), default);
        sent[2] = await store.UploadPartAsync(Bucket, "mp/whole.bin", upload.UploadId, 2, new MemoryStream(parts[1]), new UploadPartOptions(), default);
        sent[1] = await store.UploadPartAsync(Bucket, "mp/whole.bin", upload.UploadId, 1, new MemoryStream(parts[0]), new UploadPartOptions { ContentLength = parts[0].Length }, default);
        Assert.Equal([size, size, 1234L], sent.OrderBy(p => p.Key).Select(p => p.Value.Size));
        Assert.All(sent, p => Assert.Equal(p.Key, p.Value.PartNumber));

        // Nothing is visible before the completion.
        using (var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, ObjectUrl("mp/whole.bin"))))
            Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        Assert.DoesNotContain("mp/whole.bin", await ListAllKeysAsync());
        if (BackendHasFullMultipart)
        {
            var listed = await store.ListPartsAsync(Bucket, "mp/whole.bin", upload.UploadId, default);
            // The listing tells each part's MD5 as the upload did (Azure: carried in the block id), so a caller can answer S3's part ETags.
            Assert.Equal(sent.OrderBy(p => p.Key).Select(p => (p.Key, p.Value.ETag, p.Value.Size, p.Value.ContentMd5)),
                listed.Select(p => (p.PartNumber, p.ETag, p.Size, p.ContentMd5)));
            Assert.Equal(Convert.ToBase64String(MD5.HashData(parts[1])), listed[1].ContentMd5);
        }

        var written = await store.CompleteMultipartUploadAsync(Bucket, "mp/whole.bin", upload.UploadId, new CompleteUploadRequest
        {
            Parts = sent.OrderBy(p => p.Key).Select(p => new CompletedPart(p.Key, p.Value.ETag)).ToList(),
            Conditions = new ObjectConditions { IfNoneMatch = ["*"] },
            // Known only at completion (the S3 front door's ETag and part sizes): kept by local and Azure, dropped by S3.
            Metadata = store.Capabilities.UserMetadata ? new Dictionary<string, string> { ["owner"] = "team-b", ["completed-by"] = "conformance" } : null,
        }, default);
        var whole = parts.SelectMany(p => p).ToArray();
        Assert.Equal(whole.Length, written.Size);
        using var get = await Http.GetAsync(ObjectUrl("mp/whole.bin"));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(SHA256.HashData(whole), SHA256.HashData(await get.Content.ReadAsByteArrayAsync()));
        Assert.Equal(written.ETag, get.Headers.ETag!.ToString());
        Assert.Equal("text/plain", get.Content.Headers.ContentType!.MediaType);
        if (store.Capabilities.UserMetadata)
        {
            var addsAtCompletion = StoreSettings["Kind"] != "s3";
            Assert.Equal(addsAtCompletion ? "team-b" : "team-a", get.Headers.GetValues("x-meta-owner").Single());
            Assert.Equal("blue", get.Headers.GetValues("x-meta-team-name").Single());
            Assert.Equal(addsAtCompletion ? ["conformance"] : [], get.Headers.TryGetValues("x-meta-completed-by", out var by) ? by : []);
        }
        // The standard headers given when the upload started are the completed object's (issue 17 with issue 14's parts).
        AssertContentHeaders(get, new Dictionary<string, string?>
        {
            ["Cache-Control"] = "no-cache", ["Content-Disposition"] = "attachment; filename=\"whole.bin\"", ["Content-Language"] = "fr",
        }, "GET of a completed upload");
    }

    [SkippableFact]
    public async Task Multipart_parts_are_listed_by_a_reopened_store()
    {
        await RequireAsync("multipartUploads");
        Skip.IfNot(BackendHasFullMultipart, "The backend cannot list an upload's parts.");
        var reopened = ReopenStore();
        Skip.If(reopened is null, "A second instance of this store cannot run beside the gateway's (its own tests reopen it).");
        try
        {
            var store = GatewayStore;
            var body = RandomNumberGenerator.GetBytes((int)PartBytes(store.Capabilities));
            var upload = await store.StartMultipartUploadAsync(Bucket, "mp/resume.bin", new MultipartUploadOptions(), default);
            var first = await store.UploadPartAsync(Bucket, "mp/resume.bin", upload.UploadId, 1, new MemoryStream(body), new UploadPartOptions(), default);

            // A new instance knows the upload by its id alone, as a restarted gateway resuming it would.
            var listed = Assert.Single(await reopened!.ListPartsAsync(Bucket, "mp/resume.bin", upload.UploadId, default));
            Assert.Equal((1, first.ETag, (long)body.Length), (listed.PartNumber, listed.ETag, listed.Size));
            var last = await reopened.UploadPartAsync(Bucket, "mp/resume.bin", upload.UploadId, 2, new MemoryStream("end"u8.ToArray()), new UploadPartOptions(), default);
            await reopened.CompleteMultipartUploadAsync(Bucket, "mp/resume.bin", upload.UploadId, new CompleteUploadRequest
            {
                Parts = [new CompletedPart(1, listed.ETag), new CompletedPart(2, last.ETag)],
            }, default);
            using var get = await Http.GetAsync(ObjectUrl("mp/resume.bin"));
            Assert.Equal(body.Concat(Bytes("end")).ToArray(), await get.Content.ReadAsByteArrayAsync());
        }
        finally
        {
            (reopened as IDisposable)?.Dispose();
        }
    }

    [SkippableFact]
    public async Task A_part_that_differs_from_its_given_length_is_refused_and_not_kept()
    {
        await RequireAsync("multipartUploads");
        var store = GatewayStore;
        var upload = await store.StartMultipartUploadAsync(Bucket, "mp/length.bin", new MultipartUploadOptions(), default);
        try
        {
            foreach (var (declared, actual) in new[] { (10L, 11), (10L, 9) })
            {
                var refused = await Assert.ThrowsAsync<GatewayException>(() => store.UploadPartAsync(Bucket, "mp/length.bin", upload.UploadId, 1,
                    new MemoryStream(new byte[actual]), new UploadPartOptions { ContentLength = declared }, default));
                Assert.True(refused.Code == ErrorCode.BadRequest, $"{actual} bytes given as {declared}: {refused.Code} {refused.Message}");
            }
            if (BackendHasFullMultipart) Assert.Empty(await store.ListPartsAsync(Bucket, "mp/length.bin", upload.UploadId, default));
        }
        finally
        {
            if (BackendHasFullMultipart) await store.AbortMultipartUploadAsync(Bucket, "mp/length.bin", upload.UploadId, default);
        }
    }

    [SkippableFact]
    public async Task A_completion_naming_a_part_not_uploaded_fails_and_leaves_nothing_visible()
    {
        await RequireAsync("multipartUploads");
        Skip.IfNot(BackendHasFullMultipart, "The backend does not check the parts a completion names.");
        var store = GatewayStore;
        var body = RandomNumberGenerator.GetBytes((int)PartBytes(store.Capabilities));
        var upload = await store.StartMultipartUploadAsync(Bucket, "mp/missing.bin", new MultipartUploadOptions(), default);
        var one = await store.UploadPartAsync(Bucket, "mp/missing.bin", upload.UploadId, 1, new MemoryStream(body), new UploadPartOptions(), default);
        var three = await store.UploadPartAsync(Bucket, "mp/missing.bin", upload.UploadId, 3, new MemoryStream("tail"u8.ToArray()), new UploadPartOptions(), default);

        var missing = await Assert.ThrowsAsync<GatewayException>(() => store.CompleteMultipartUploadAsync(Bucket, "mp/missing.bin", upload.UploadId,
            new CompleteUploadRequest { Parts = [new CompletedPart(1, one.ETag), new CompletedPart(2, one.ETag), new CompletedPart(3, three.ETag)] }, default));
        Assert.Equal(ErrorCode.BadRequest, missing.Code);
        var wrongETag = await Assert.ThrowsAsync<GatewayException>(() => store.CompleteMultipartUploadAsync(Bucket, "mp/missing.bin", upload.UploadId,
            new CompleteUploadRequest { Parts = [new CompletedPart(1, three.ETag), new CompletedPart(3, three.ETag)] }, default));
        Assert.Equal(ErrorCode.BadRequest, wrongETag.Code);
        using (var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, ObjectUrl("mp/missing.bin"))))
            Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        Assert.Empty(await ListAllKeysAsync());

        // A refused completion keeps the upload: sending the missing part and completing again works.
        var two = await store.UploadPartAsync(Bucket, "mp/missing.bin", upload.UploadId, 2, new MemoryStream(body), new UploadPartOptions(), default);
        await store.CompleteMultipartUploadAsync(Bucket, "mp/missing.bin", upload.UploadId,
            new CompleteUploadRequest { Parts = [new CompletedPart(1, one.ETag), new CompletedPart(2, two.ETag), new CompletedPart(3, three.ETag)] }, default);
        using var get = await Http.GetAsync(ObjectUrl("mp/missing.bin"));
        Assert.Equal(2 * body.Length + 4, (await get.Content.ReadAsByteArrayAsync()).Length);
    }

    [SkippableFact]
    public async Task A_create_only_completion_over_an_existing_object_fails_and_keeps_it()
    {
        await RequireAsync("multipartUploads", "createOnly");
        var store = GatewayStore;
        var etag = await PutOkAsync("mp/taken.txt", Bytes("first writer"));
        var upload = await store.StartMultipartUploadAsync(Bucket, "mp/taken.txt", new MultipartUploadOptions(), default);
        var part = await store.UploadPartAsync(Bucket, "mp/taken.txt", upload.UploadId, 1, new MemoryStream(Bytes("second writer")), new UploadPartOptions(), default);
        var e = await Assert.ThrowsAsync<GatewayException>(() => store.CompleteMultipartUploadAsync(Bucket, "mp/taken.txt", upload.UploadId,
            new CompleteUploadRequest { Parts = [new CompletedPart(1, part.ETag)], Conditions = new ObjectConditions { IfNoneMatch = ["*"] } }, default));
        Assert.Equal(ErrorCode.PreconditionFailed, e.Code);
        using var get = await Http.GetAsync(ObjectUrl("mp/taken.txt"));
        Assert.Equal("first writer", await get.Content.ReadAsStringAsync());
        Assert.Equal(etag, get.Headers.ETag!.ToString());
        if (BackendHasFullMultipart) await store.AbortMultipartUploadAsync(Bucket, "mp/taken.txt", upload.UploadId, default);
    }

    [SkippableFact]
    public async Task An_aborted_upload_leaves_nothing_and_aborting_again_succeeds()
    {
        await RequireAsync("multipartUploads");
        Skip.IfNot(BackendHasFullMultipart, "The backend cannot abort an upload.");
        var store = GatewayStore;
        var upload = await store.StartMultipartUploadAsync(Bucket, "mp/aborted.bin", new MultipartUploadOptions(), default);
        await store.UploadPartAsync(Bucket, "mp/aborted.bin", upload.UploadId, 1, new MemoryStream(Bytes("never seen")), new UploadPartOptions(), default);
        await store.AbortMultipartUploadAsync(Bucket, "mp/aborted.bin", upload.UploadId, default);
        await store.AbortMultipartUploadAsync(Bucket, "mp/aborted.bin", upload.UploadId, default);
        using (var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, ObjectUrl("mp/aborted.bin"))))
            Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        Assert.Empty(await ListAllKeysAsync());
        // Where the store keeps upload state, the upload is gone; Azure has none (uncommitted blocks only expire).
        if (StoreSettings["Kind"] != "azure-blob")
        {
            var e = await Assert.ThrowsAsync<GatewayException>(() => store.ListPartsAsync(Bucket, "mp/aborted.bin", upload.UploadId, default));
            Assert.Equal(ErrorCode.NotFound, e.Code);
        }
    }

    [SkippableFact]
    public async Task A_store_without_multipart_uploads_refuses_them_as_not_implemented()
    {
        var store = GatewayStore;
        Skip.If(store.Capabilities.MultipartUploads, "The store has multipart uploads (the cases above run).");
        var e = await Assert.ThrowsAsync<GatewayException>(() => store.StartMultipartUploadAsync(Bucket, "mp/none.bin", new MultipartUploadOptions(), default));
        Assert.Equal(ErrorCode.NotImplemented, e.Code);
    }
}
