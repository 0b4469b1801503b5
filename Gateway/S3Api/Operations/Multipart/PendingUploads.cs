using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Routing;

namespace Gateway.S3Api.Operations.Multipart;

/// <summary>
/// S3 deletes a bucket whose only contents are multipart uploads never completed, and drops the uploads with it (ceph/s3-tests'
/// clean-up relies on it after every test that leaves an upload). Here an upload keeps a record and maybe parts under
/// <see cref="MultipartMetadata.PartsPrefix"/> in the bucket, which the store counts as contents: those are aborted first.
/// </summary>
internal static class PendingUploads
{
    /// <summary>True when the bucket holds nothing but the front door's upload records and parts (one listing call).</summary>
    public static async Task<bool> OnlyUploadsAsync(S3Context c)
    {
        var t = c.Target;
        var page = await t.Store.ListObjectsAsync(t.Bucket, new ListObjectsRequest { Delimiter = "/", PageSize = 2 }, c.Aborted);
        return page.Objects.Count == 0 && page.NextPageToken is null && page.CommonPrefixes.SequenceEqual([MultipartMetadata.PartsPrefix]);
    }

    /// <summary>Aborts every upload of the bucket (its parts wherever they are), then removes whatever else is left in the parts area.</summary>
    public static async Task AbortAllAsync(S3Context c)
    {
        var t = c.Target;
        foreach (var key in await KeysAsync(c))
        {
            if (!key.EndsWith("/upload", StringComparison.Ordinal)) continue;
            var uploadId = key[MultipartMetadata.PartsPrefix.Length..^"/upload".Length];
            if (!MultipartMetadata.IsUploadId(uploadId)) continue;
            try
            {
                var manifest = await t.Store.HeadObjectAsync(t.Bucket, key, ObjectConditions.None, c.Aborted);
                if (!manifest.Metadata.TryGetValue(MultipartMetadata.TargetKey, out var encoded)) continue;
                var record = await UploadRecord.ReadAsync(c, uploadId, MultipartMetadata.DecodeKey(encoded));
                await UploadParts.For(c, record).AbortAsync();
            }
            catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { } // completed or aborted meanwhile
        }
        foreach (var key in await KeysAsync(c))
        {
            try { await t.Store.DeleteObjectAsync(t.Bucket, key, ObjectConditions.None, c.Aborted); }
            catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { }
        }
    }

    private static async Task<List<string>> KeysAsync(S3Context c)
    {
        var t = c.Target;
        var keys = new List<string>();
        string? token = null;
        do
        {
            var page = await t.Store.ListObjectsAsync(t.Bucket, new ListObjectsRequest { Prefix = MultipartMetadata.PartsPrefix, PageToken = token }, c.Aborted);
            keys.AddRange(page.Objects.Select(o => o.Key));
            token = page.NextPageToken;
        } while (token is not null);
        return keys;
    }
}
