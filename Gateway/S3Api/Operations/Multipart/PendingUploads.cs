using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Routing;
using Gateway.Security;

namespace Gateway.S3Api.Operations.Multipart;

/// <summary>
/// S3 deletes a bucket whose only contents are multipart uploads never completed, and drops the uploads with it (ceph/s3-tests'
/// clean-up relies on it after every test that leaves an upload). Here an upload keeps a record and maybe parts under
/// <see cref="MultipartMetadata.PartsPrefix"/> in the bucket, which the store counts as contents: those are aborted first.
/// Fail-safe: anything under that prefix the front door did not write itself (the REST facade does not reserve it) keeps
/// the bucket, and no upload is aborted unless the caller may abort every one of them.
/// </summary>
internal static class PendingUploads
{
    /// <summary>
    /// When the bucket holds nothing but the front door's own upload records and parts, aborts every upload and removes the
    /// parts area; false (nothing changed) when it holds anything else. AccessDenied, before any abort, when the caller has no
    /// write grant on one of the uploads' keys, as AbortMultipartUpload requires.
    /// </summary>
    public static async Task<bool> TryAbortAllAsync(S3Context c)
    {
        if (!await OnlyPartsAreaAsync(c)) return false;
        var keys = await KeysAsync(c);
        if (!keys.All(IsOwnKey)) return false;
        var records = new List<UploadRecord>();
        foreach (var key in keys.Where(k => k.EndsWith(ManifestLeaf, StringComparison.Ordinal)))
        {
            var (gone, record) = await ReadAsync(c, key);
            if (gone) continue; // completed or aborted meanwhile
            if (record is null) return false; // a record the front door did not write
            c.Require(Operation.Write, c.Target.ObjectResource(record.Key));
            records.Add(record);
        }
        foreach (var record in records)
        {
            try { await UploadParts.For(c, record).AbortAsync(); }
            catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { }
            catch (S3Exception e) when (e.Code == "NoSuchUpload") { }
        }
        foreach (var key in (await KeysAsync(c)).Where(IsOwnKey))
        {
            try { await c.Target.Store.DeleteObjectAsync(c.Target.Bucket, key, ObjectConditions.None, c.Aborted); }
            catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { }
        }
        return true;
    }

    private const string ManifestLeaf = "/upload";

    /// <summary>True when the bucket's only top-level entry is the parts area (one listing call).</summary>
    private static async Task<bool> OnlyPartsAreaAsync(S3Context c)
    {
        var t = c.Target;
        var page = await t.Store.ListObjectsAsync(t.Bucket, new ListObjectsRequest { Delimiter = "/", PageSize = 2 }, c.Aborted);
        return page.Objects.Count == 0 && page.NextPageToken is null && page.CommonPrefixes.SequenceEqual([MultipartMetadata.PartsPrefix]);
    }

    /// <summary>
    /// A key of a form the front door writes: <c>.s3-uploads/{upload id}/</c> then <c>upload</c>, <c>part-NNNNN</c> or
    /// <c>sum-NNNNN.…</c> (<see cref="PartChecksums"/>).
    /// </summary>
    internal static bool IsOwnKey(string key)
    {
        if (!MultipartMetadata.IsPartsAreaKey(key)) return false;
        var rest = key[MultipartMetadata.PartsPrefix.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !MultipartMetadata.IsUploadId(rest[..slash])) return false;
        var leaf = rest[(slash + 1)..];
        return leaf == "upload" || Numbered(leaf, "part-", whole: true) || Numbered(leaf, "sum-", whole: false);

        static bool Numbered(string leaf, string prefix, bool whole) =>
            leaf.StartsWith(prefix, StringComparison.Ordinal) && leaf.Length >= prefix.Length + 5
            && !leaf.AsSpan(prefix.Length, 5).ContainsAnyExcept("0123456789")
            && (whole ? leaf.Length == prefix.Length + 5 : leaf.Length > prefix.Length + 5 && leaf[prefix.Length + 5] == '.');
    }

    private static async Task<(bool Gone, UploadRecord? Record)> ReadAsync(S3Context c, string manifestKey)
    {
        var t = c.Target;
        var uploadId = manifestKey[MultipartMetadata.PartsPrefix.Length..^ManifestLeaf.Length];
        try
        {
            var manifest = await t.Store.HeadObjectAsync(t.Bucket, manifestKey, ObjectConditions.None, c.Aborted);
            if (!manifest.StatedMetadata().TryGetValue(MultipartMetadata.TargetKey, out var encoded) || MultipartMetadata.DecodeKey(encoded) is not { } target)
                return (false, null);
            return (false, await UploadRecord.ReadAsync(c, uploadId, target));
        }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { return (true, null); }
        catch (S3Exception e) when (e.Code == "NoSuchUpload") { return (true, null); }
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
