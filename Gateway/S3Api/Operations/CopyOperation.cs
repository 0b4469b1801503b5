using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Routing;
using Gateway.S3Api.Operations.Tagging;
using Gateway.S3Api.Stores;
using Gateway.S3Api.Xml;
using Gateway.Security;

namespace Gateway.S3Api.Operations;

/// <summary>
/// CopyObject: x-amz-copy-source, x-amz-metadata-directive (COPY / REPLACE), the x-amz-copy-source-if-* conditionals and
/// If-None-Match: * / If-Match on the target. Inside one store it is the store's server-side copy; between stores
/// (store--bucket naming) the bytes stream through the gateway.
/// </summary>
public static class CopyOperation
{
    /// <param name="encryption">What <see cref="ObjectMakingWrite.Check"/> took for the target (it checked the write grant), to echo.</param>
    public static async Task RunAsync(S3Context c, string? encryption)
    {
        var target = c.Target;
        var key = c.RequiredKey;
        var (source, sourceKey) = ParseSource(c);
        c.Require(Operation.Read, source.ObjectResource(sourceKey));
        Encryption.ServerSideEncryption.CheckCopySource(c.Request);
        var directive = c.Request.Headers["x-amz-metadata-directive"].ToString().ToUpperInvariant() switch
        {
            "" or "COPY" => MetadataDirective.Copy,
            "REPLACE" => MetadataDirective.Replace,
            _ => throw S3Errors.InvalidArgument("Unknown metadata directive.", "x-amz-metadata-directive", c.Request.Headers["x-amz-metadata-directive"].ToString()),
        };
        var replaceTags = c.Request.Headers["x-amz-tagging-directive"].ToString().ToUpperInvariant() switch
        {
            "" or "COPY" => false,
            "REPLACE" => true,
            _ => throw S3Errors.InvalidArgument("Unknown tagging directive.", "x-amz-tagging-directive", c.Request.Headers["x-amz-tagging-directive"].ToString()),
        };
        // With REPLACE the tags are the header's (none without it); with COPY the header is ignored, as S3 does.
        var newTags = replaceTags ? TaggingOperations.FromHeader(c.Request) ?? [] : null;
        var askedChecksum = AskedChecksum(c.Request);
        var ontoItself = source.StoreName == target.StoreName && source.Bucket == target.Bucket && sourceKey == key;
        if (ontoItself && !ChangesSomething(c, directive, encryption))
            throw S3Errors.InvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");

        // A copy that depends on the source read (its conditions were judged on it, its tags or metadata are carried over
        // by the gateway, its checksum was checked) is pinned to it: when another request replaces the source first, the
        // store refuses the pin, and the copy starts again from a fresh read, as an S3 copy takes whatever source is current,
        // instead of answering a condition the client never set. A plain copy is not pinned: the store copies what is there.
        var pinned = askedChecksum is not null || ontoItself || newTags is not null || directive == MetadataDirective.Replace
            || c.Request.Headers.Keys.Any(h => h.StartsWith("x-amz-copy-source-if-", StringComparison.OrdinalIgnoreCase));
        ObjectInfo info;
        for (var attempt = 1; ; attempt++)
        {
            var current = await HeadSourceAsync(c, source, sourceKey);
            try
            {
                info = await CopyOnceAsync(c, current, pinned, target, key, source, sourceKey, directive, newTags, askedChecksum, ontoItself);
                break;
            }
            catch (GatewayException e) when (e.Code == ErrorCode.PreconditionFailed && attempt < SourceReadAttempts)
            {
                // The source unchanged, the refusal was the target's condition: the client's to hear.
                if ((await HeadSourceAsync(c, source, sourceKey)).ETag == current.ETag) throw;
            }
        }
        Encryption.ServerSideEncryption.Echo(c.Response, encryption);
        await S3Xml.WriteAsync(c.Response, 200, w =>
        {
            w.WriteStartElement("CopyObjectResult", S3Xml.Namespace);
            w.Element("LastModified", info.LastModified);
            w.Element("ETag", S3ObjectHeaders.ETag(info));
            if (askedChecksum is not null && StoredChecksum.Of(info) is var (algorithm, value))
            {
                w.Element("Checksum" + algorithm.ToUpperInvariant(), value);
                w.Element("ChecksumType", StoredChecksum.TypeOf(value));
            }
            w.WriteEndElement();
        });
    }

    /// <summary>How many times a copy reads its source again when another request replaced it before the copy ran.</summary>
    private const int SourceReadAttempts = 16;

    /// <summary>One copy from the source as <paramref name="current"/> describes it, pinned to that version when <paramref name="pinned"/>.</summary>
    private static async Task<ObjectInfo> CopyOnceAsync(S3Context c, ObjectInfo current, bool pinned, S3BucketTarget target, string key, S3BucketTarget source,
        string sourceKey, MetadataDirective directive, IReadOnlyList<KeyValuePair<string, string>>? newTags, string? askedChecksum, bool ontoItself)
    {
        if (current.Size > Bodies.MaxSingleUploadBytes) throw S3Errors.CopySourceTooLarge();
        S3ObjectHeaders.CheckConditions(current, c.Request.Headers, read: false, prefix: "x-amz-copy-source-");
        // The copy keeps the source's checksum (COPY) or none (REPLACE); making another would take reading every byte, which a
        // store's own copy does not: asked for, it is refused rather than the copy answering without the checksum asked for.
        if (askedChecksum is not null && (directive == MetadataDirective.Replace || StoredChecksum.Of(current)?.Algorithm != askedChecksum))
            throw S3Errors.NotImplemented($"A copy computing a {askedChecksum.ToUpperInvariant()} checksum its source does not keep");
        var targetConditions = await ObjectWriteOperations.TargetConditionsAsync(c, target.Store, target.Bucket, key);
        var replace = directive == MetadataDirective.Replace;
        var metadata = replace ? ObjectWriteOperations.ReadMetadata(c.Request) : null;
        var contentType = replace ? ObjectWriteOperations.ContentType(c.Request) : null;
        var headers = replace ? ObjectWriteOperations.ReadContentHeaders(c.Request) : null;
        // The copy's class is the request's, STANDARD without the header (S3 does not carry the source's over).
        var storageClass = KeptStorageClass.Asked(c.Request);
        var classChanges = KeptStorageClass.Of(current) != storageClass;
        if (replace)
            metadata = Multipart.PartLayout.WithBytesOf(
                KeptStorageClass.With(ObjectTags.With(metadata!, newTags ?? ObjectTags.Of(current.StatedMetadata())), storageClass), current);
        else if (newTags is not null || ontoItself || classChanges)
        {
            // Metadata copied but tags or class replaced, or a copy onto itself (S3, behind an s3 store, takes that only with
            // REPLACE): the source's metadata, type and headers given explicitly, pinned to the source read.
            replace = true;
            pinned = true;
            directive = MetadataDirective.Replace;
            metadata = KeptStorageClass.With(ObjectTags.With(current.StatedMetadata(), newTags ?? ObjectTags.Of(current.StatedMetadata())), storageClass);
            contentType = current.StatedContentType();
            headers = ContentHeaders.OrNull(current.ContentHeaders?.Sendable());
        }

        var pin = pinned ? new ObjectConditions { IfMatch = [current.ETag] } : ObjectConditions.None;
        if (source.StoreName == target.StoreName)
        {
            return await target.Store.CopyObjectAsync(new CopyObjectRequest
            {
                SourceBucket = source.Bucket,
                SourceKey = sourceKey,
                TargetBucket = target.Bucket,
                TargetKey = key,
                SourceConditions = pin,
                TargetConditions = targetConditions,
                MetadataDirective = directive,
                ContentType = contentType,
                Metadata = metadata,
                ContentHeaders = headers,
            }, c.Aborted);
        }
        await using var content = await source.Store.GetObjectAsync(source.Bucket, sourceKey,
            new GetObjectOptions { Conditions = pin }, c.Aborted);
        return await target.Store.PutObjectAsync(target.Bucket, key, content.Body, new PutObjectOptions
        {
            ContentType = contentType ?? content.Info.StatedContentType(),
            Metadata = metadata ?? content.Info.StatedMetadata(),
            ContentHeaders = replace ? headers : ContentHeaders.OrNull(content.Info.ContentHeaders?.Sendable()),
            ContentLength = content.Length,
            Conditions = targetConditions,
        }, c.Aborted);
    }

    /// <summary>
    /// AWS's rule for a copy onto itself: it must name a change of metadata (REPLACE), encryption, storage class or checksum algorithm. The
    /// header's presence is the change: AWS does not compare it with the object's own (an SSE-S3 object copied onto itself
    /// with <c>x-amz-server-side-encryption: AES256</c> is taken). The website redirect location, which AWS also counts,
    /// is not kept here: <see cref="ObjectMakingWrite"/> refuses it before this runs.
    /// </summary>
    private static bool ChangesSomething(S3Context c, MetadataDirective directive, string? encryption) =>
        directive == MetadataDirective.Replace || encryption is not null || c.Request.Headers.ContainsKey("x-amz-storage-class")
        || c.Request.Headers.ContainsKey("x-amz-checksum-algorithm");

    /// <summary>x-amz-checksum-algorithm on CopyObject (lower-case), null without it; a name S3 does not have is InvalidRequest.</summary>
    private static string? AskedChecksum(HttpRequest request)
    {
        if (!request.Headers.TryGetValue("x-amz-checksum-algorithm", out var value)) return null;
        var algorithm = value.ToString().ToLowerInvariant();
        return ChecksumVerifyingStream.Algorithms.Contains(algorithm)
            ? algorithm
            : throw S3Errors.InvalidRequest("Value for x-amz-checksum-algorithm header is invalid.");
    }

    public static async Task<ObjectInfo> HeadSourceAsync(S3Context c, S3BucketTarget source, string sourceKey)
    {
        try { return await source.Store.HeadObjectAsync(source.Bucket, sourceKey, ObjectConditions.None, c.Aborted); }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound)
        {
            // The error names what is missing: the source, not the request's own bucket and key.
            throw await c.BucketExistsAsync(source) ? S3Errors.NoSuchKey(sourceKey) : S3Errors.NoSuchBucket(source.S3Bucket);
        }
    }

    /// <summary>x-amz-copy-source: "[/]bucket/key", URL-encoded; ?versionId=null is the current object.</summary>
    public static (S3BucketTarget Source, string Key) ParseSource(S3Context c)
    {
        var raw = c.Request.Headers["x-amz-copy-source"].ToString();
        var given = raw;
        var q = raw.IndexOf('?');
        if (q >= 0)
        {
            // Only the version every object here has: "null", the current object.
            if (raw[(q + 1)..].StartsWith("versionId=", StringComparison.Ordinal))
            {
                NullVersion.Require(Decoded(raw[(q + 1 + "versionId=".Length)..], given));
                c.Response.Headers["x-amz-copy-source-version-id"] = NullVersion.Id;
            }
            raw = raw[..q];
        }
        var path = Decoded(raw, given).TrimStart('/');
        var slash = path.IndexOf('/');
        if (slash <= 0 || slash == path.Length - 1) throw S3Errors.InvalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey.", "x-amz-copy-source", given);
        var key = path[(slash + 1)..];
        S3Addressing.ValidateKey(key);
        if (Multipart.MultipartMetadata.IsPartsAreaKey(key)) throw S3Errors.InvalidArgument("That key is reserved.");
        return (c.Services.Stores.Resolve(path[..slash]), key);
    }

    /// <summary>
    /// Strictly, as the request path is: a lenient decode kept a malformed escape (<c>%ZZ</c>, <c>%C3</c>) as text and
    /// copied from a key of that literal name.
    /// </summary>
    private static string Decoded(string raw, string given) =>
        Gateway.Problems.PercentDecoding.TryDecode(raw)
        ?? throw S3Errors.InvalidArgument("Invalid copy source encoding.", "x-amz-copy-source", given);
}
