using System.Security.Cryptography;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Operations.Multipart;
using Gateway.S3Api.Routing;
using Gateway.S3Api.Xml;
using Gateway.Security;

namespace Gateway.S3Api.Operations;

/// <summary>
/// DeleteObjects: up to 1000 keys in one request, each checked and deleted on its own; failures are listed per key.
/// A VersionId of "null" is the current object (see <see cref="NullVersion"/>); another id is that key's NoSuchVersion.
/// </summary>
public static class DeleteObjectsOperation
{
    private const int MaxKeys = 1000;
    private const int MaxBodyBytes = 2 * 1024 * 1024;

    /// <summary>
    /// S3 requires Content-MD5 or an x-amz-checksum on DeleteObjects. Without one (or a signed SHA-256 or signed chunks)
    /// nothing ties the key list to the signature: a SigV2 or UNSIGNED-PAYLOAD request replayed within the clock-skew
    /// window could delete any keys the caller may delete. (A CRC checksum binds the body only against accidents.)
    /// </summary>
    private static bool BodyBound(S3Context c) =>
        c.Caller.ExpectedSha256 is not null || c.Caller.StreamingSigned || c.Request.Headers.ContainsKey("x-amz-trailer")
        || c.Request.Headers.Keys.Any(h => h.StartsWith("x-amz-checksum-", StringComparison.OrdinalIgnoreCase) && !h.Equals("x-amz-checksum-mode", StringComparison.OrdinalIgnoreCase));

    public static async Task RunAsync(S3Context c)
    {
        var t = c.Target;
        var md5 = ObjectWriteOperations.ReadContentMd5(c.Request);
        if (md5 is null && !BodyBound(c)) throw S3Errors.InvalidRequest("Missing required header for this request: Content-MD5");
        using var body = new MemoryStream();
        var source = Bodies.Open(c, out var length);
        source = ChecksumVerifyingStream.Wrap(c, source, length);
        await CopyBoundedAsync(source, body, c.Aborted);
        if (md5 is not null && Convert.ToBase64String(MD5.HashData(body.GetBuffer().AsSpan(0, (int)body.Length))) != md5) throw S3Errors.BadDigest();
        body.Position = 0;
        var doc = await S3Xml.ReadFromAsync(body, MaxBodyBytes, c.Aborted);
        var root = doc.Root;
        if (root is null || root.Name.LocalName != "Delete") throw S3Errors.MalformedXml();
        // An xs:boolean: anything else is malformed, not "false" (which would delete with a loud answer the caller did not ask for).
        var quiet = root.Elements().FirstOrDefault(e => e.Name.LocalName == "Quiet")?.Value.Trim() switch
        {
            null or "false" or "0" => false,
            "true" or "1" => true,
            _ => throw S3Errors.MalformedXml(),
        };
        var objects = root.Elements().Where(e => e.Name.LocalName == "Object")
            .Select(o => new Entry(Child(o, "Key"), Child(o, "VersionId"), Child(o, "ETag"), Child(o, "LastModifiedTime") is not null || Child(o, "Size") is not null))
            .ToList();
        if (objects.Count is 0 or > MaxKeys || objects.Any(o => o.Key is null)) throw S3Errors.MalformedXml();
        // S3 keeps these conditions for directory buckets; ignoring them would delete what the caller asked to keep.
        if (objects.Any(o => o.SizeOrTimeCondition)) throw S3Errors.NotImplemented("A DeleteObjects condition on LastModifiedTime or Size");

        var deleted = new List<(string Key, string? VersionId)>();
        var errors = new List<(string Key, string? VersionId, string Code, string Message)>();
        bool? bucketExists = null;
        foreach (var o in objects)
        {
            var (key, versionId) = (o.Key!, o.VersionId);
            try
            {
                S3Addressing.ValidateKey(key);
                if (versionId is not null && versionId != NullVersion.Id)
                {
                    // S3's per-key answer for a version that does not exist; nothing of the key is touched.
                    errors.Add((key, versionId, "NoSuchVersion", "The specified version does not exist."));
                    continue;
                }
                if (MultipartMetadata.IsPartsAreaKey(key)) throw S3Errors.InvalidArgument("That key is reserved.");
                // A conditional delete also reads the object's ETag, so it needs read as well (as S3 asks s3:GetObject for it).
                if (!c.Allows(Operation.Delete, t.ObjectResource(key)) || (o.ETag is not null && !c.Allows(Operation.Read, t.ObjectResource(key))))
                {
                    errors.Add((key, versionId, "AccessDenied", "Access Denied"));
                    continue;
                }
                await DeleteOneAsync(c, key, o.ETag);
                deleted.Add((key, versionId));
            }
            catch (GatewayException e) when (e.Code == ErrorCode.NotFound)
            {
                // A missing key is success (a conditional delete's NoSuchKey), but a missing bucket fails the whole request, as in S3.
                bucketExists ??= await BucketExistsOrUnknownAsync(c);
                if (bucketExists == false) throw S3Errors.NoSuchBucket();
                if (o.ETag is null) deleted.Add((key, versionId));
                else errors.Add((key, versionId, "NoSuchKey", "The specified key does not exist."));
            }
            catch (GatewayException e)
            {
                var s3 = S3ErrorMapping.From(e);
                errors.Add((key, versionId, s3.Code, s3.Message));
            }
            catch (S3Exception e) { errors.Add((key, versionId, e.Code, e.Message)); }
        }
        await S3Xml.WriteAsync(c.Response, 200, w =>
        {
            w.WriteStartElement("DeleteResult", S3Xml.Namespace);
            if (!quiet)
                foreach (var (key, versionId) in deleted)
                {
                    w.WriteStartElement("Deleted");
                    w.Element("Key", key);
                    w.Element("VersionId", versionId);
                    w.WriteEndElement();
                }
            foreach (var (key, versionId, code, message) in errors)
            {
                w.WriteStartElement("Error");
                w.Element("Key", key);
                w.Element("VersionId", versionId);
                w.Element("Code", code);
                w.Element("Message", message);
                w.WriteEndElement();
            }
            w.WriteEndElement();
        });
    }

    /// <summary>A bucket check that fails (a store throttling, say) counts as "exists", so earlier keys' answers are still sent.</summary>
    private static async Task<bool> BucketExistsOrUnknownAsync(S3Context c)
    {
        try { return await c.BucketExistsAsync(); }
        catch (GatewayException) { return true; }
    }

    private sealed record Entry(string? Key, string? VersionId, string? ETag, bool SizeOrTimeCondition);

    /// <summary>
    /// One key's delete; with an ETag (S3's conditional delete) only while the object is the one that ETag names, in S3's form
    /// or the store's, pinned to the store's own ETag so a replacement in between is not deleted.
    /// </summary>
    private static async Task DeleteOneAsync(S3Context c, string key, string? etag)
    {
        var t = c.Target;
        var conditions = ObjectConditions.None;
        if (etag is not null)
        {
            var current = await t.Store.HeadObjectAsync(t.Bucket, key, ObjectConditions.None, c.Aborted);
            var given = etag.Trim();
            if (given != "*" && !S3ObjectHeaders.Matches(current, [Preconditions.Quote(given)])) throw S3Errors.PreconditionFailed();
            conditions = new ObjectConditions { IfMatch = [current.ETag] };
        }
        await t.Store.DeleteObjectAsync(t.Bucket, key, conditions, c.Aborted);
    }

    private static string? Child(System.Xml.Linq.XElement parent, string name) =>
        parent.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    private static async Task CopyBoundedAsync(Stream source, MemoryStream target, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var n = await source.ReadAsync(buffer, ct);
            if (n == 0) return;
            if (target.Length + n > MaxBodyBytes) throw S3Errors.MalformedXml();
            target.Write(buffer, 0, n);
        }
    }
}
