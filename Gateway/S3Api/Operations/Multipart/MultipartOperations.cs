using System.Globalization;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Auth;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Operations.Multipart;
using Gateway.S3Api.Routing;
using Gateway.S3Api.Xml;
using Gateway.S3Api.Stores;
using Gateway.Security;

namespace Gateway.S3Api.Operations;

/// <summary>
/// CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload, AbortMultipartUpload, ListParts and
/// ListMultipartUploads over the parts area of <see cref="MultipartMetadata"/>. Completion streams the parts, in order,
/// into one store write (which the store does natively in blocks or parts when large) and answers S3's md5-of-md5s-N ETag.
/// </summary>
public static class MultipartOperations
{
    public static async Task CreateAsync(S3Context c)
    {
        var t = c.Target;
        var key = c.RequiredKey;
        c.Require(Operation.Write, t.ObjectResource(key));
        var options = await ObjectWriteOperations.WriteOptionsAsync(c, t.Store, t.Bucket, key);
        var uploadId = MultipartMetadata.NewUploadId();
        var metadata = new Dictionary<string, string>(options.Metadata) { [MultipartMetadata.TargetKey] = MultipartMetadata.EncodeKey(key) };
        await t.Store.PutObjectAsync(t.Bucket, MultipartMetadata.ManifestKey(uploadId), Stream.Null,
            new PutObjectOptions { ContentType = options.ContentType, Metadata = metadata, ContentHeaders = options.ContentHeaders, ContentLength = 0 }, c.Aborted);
        await S3Xml.WriteAsync(c.Response, 200, w =>
        {
            w.WriteStartElement("InitiateMultipartUploadResult", S3Xml.Namespace);
            w.Element("Bucket", t.S3Bucket);
            w.Element("Key", key);
            w.Element("UploadId", uploadId);
            w.WriteEndElement();
        });
    }

    public static async Task UploadPartAsync(S3Context c)
    {
        var (t, key, uploadId) = Upload(c, Operation.Write);
        var partNumber = PartNumber(c);
        await ManifestAsync(c, uploadId, key);
        PutObjectOptions options;
        Stream body;
        long length;
        ObjectContent? source = null;
        if (c.Request.Headers.ContainsKey("x-amz-copy-source"))
        {
            var (from, fromKey) = CopyOperation.ParseSource(c);
            c.Require(Operation.Read, from.ObjectResource(fromKey));
            var current = await CopyOperation.HeadSourceAsync(c, from, fromKey);
            S3ObjectHeaders.CheckConditions(current, c.Request.Headers, read: false, prefix: "x-amz-copy-source-");
            source = await from.Store.GetObjectAsync(from.Bucket, fromKey, new GetObjectOptions
            {
                Range = CopyRange(c, current.Size),
                Conditions = new ObjectConditions { IfMatch = [current.ETag] },
            }, c.Aborted);
            body = source.Body;
            length = source.Length;
            options = new PutObjectOptions { ContentLength = length };
        }
        else
        {
            body = Bodies.Open(c, out length);
            body = ChecksumVerifyingStream.Wrap(c, body, length);
            options = new PutObjectOptions { ContentMd5 = ObjectWriteOperations.ReadContentMd5(c.Request), ContentLength = length };
        }
        ObjectInfo info;
        try { info = await t.Store.PutObjectAsync(t.Bucket, MultipartMetadata.PartKey(uploadId, partNumber), body, options, c.Aborted); }
        finally { if (source is not null) await source.DisposeAsync(); }
        var etag = S3ObjectHeaders.ETag(info);
        if (source is null)
        {
            c.Response.Headers.ETag = etag;
            ChecksumVerifyingStream.EchoHeaders(c);
            c.Response.StatusCode = 200;
            return;
        }
        await S3Xml.WriteAsync(c.Response, 200, w =>
        {
            w.WriteStartElement("CopyPartResult", S3Xml.Namespace);
            w.Element("LastModified", info.LastModified);
            w.Element("ETag", etag);
            w.WriteEndElement();
        });
    }

    public static async Task CompleteAsync(S3Context c)
    {
        var (t, key, uploadId) = Upload(c, Operation.Write);
        var manifest = await ManifestAsync(c, uploadId, key);
        var doc = await S3Xml.ReadFromAsync(Bodies.Open(c, out _), 1024 * 1024, c.Aborted);
        if (doc.Root is not { Name.LocalName: "CompleteMultipartUpload" } root) throw S3Errors.MalformedXml();
        var requested = new List<(int Number, string ETag)>();
        foreach (var part in root.Elements().Where(e => e.Name.LocalName == "Part"))
        {
            var numberText = part.Elements().FirstOrDefault(e => e.Name.LocalName == "PartNumber")?.Value;
            var etag = part.Elements().FirstOrDefault(e => e.Name.LocalName == "ETag")?.Value;
            if (!int.TryParse(numberText, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || etag is null) throw S3Errors.MalformedXml();
            if (requested.Count > 0 && number <= requested[^1].Number) throw S3Errors.InvalidPartOrder();
            requested.Add((number, etag.Trim()));
        }
        if (requested.Count == 0) throw S3Errors.MalformedXml();
        var stored = await ListStoredPartsAsync(c, uploadId);
        var chosen = new List<CopySourcePart>();
        var s3ETags = new List<string>();
        var sizes = new List<long>();
        long total = 0;
        for (var i = 0; i < requested.Count; i++)
        {
            var (number, etag) = requested[i];
            if (!stored.TryGetValue(number, out var info) || !S3ObjectHeaders.Matches(info, [Preconditions.Quote(etag)]))
                throw S3Errors.InvalidPart("One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.");
            if (i < requested.Count - 1 && info.Size < MultipartMetadata.MinPartBytes) throw S3Errors.EntityTooSmall();
            // The part's ETag as the store answers for the object itself (a listing's may be spelled differently, e.g.
            // GCS's emulator), so the If-Match each part is read with compares like with like.
            var current = await t.Store.HeadObjectAsync(t.Bucket, info.Key, ObjectConditions.None, c.Aborted);
            chosen.Add(new CopySourcePart(info.Key, current.ETag));
            s3ETags.Add(S3ObjectHeaders.ETag(info));
            sizes.Add(info.Size);
            total += info.Size;
        }
        var conditions = await ObjectWriteOperations.TargetConditionsAsync(c, t.Store, t.Bucket, key);
        var multipartETag = MultipartMetadata.MultipartETag(s3ETags);
        var metadata = manifest.Metadata.Where(kv => !MultipartMetadata.IsReserved(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        metadata[MultipartMetadata.ETagKey] = multipartETag;
        if (PartLayout.Encode(sizes) is { } layout) metadata[PartLayout.Key] = layout;
        if (!await ComposeAsync(c, uploadId, key, chosen, manifest, metadata, conditions))
        {
            await using var body = new ConcatenatedPartsStream(t.Store, t.Bucket, chosen);
            await t.Store.PutObjectAsync(t.Bucket, key, body, new PutObjectOptions
            {
                ContentType = manifest.ContentType,
                Metadata = metadata,
                ContentHeaders = manifest.ContentHeaders,
                ContentLength = total,
                Conditions = conditions,
            }, c.Aborted);
        }
        await RemoveUploadAsync(c, uploadId, stored.Values.Select(p => p.Key));
        await S3Xml.WriteAsync(c.Response, 200, w =>
        {
            w.WriteStartElement("CompleteMultipartUploadResult", S3Xml.Namespace);
            w.Element("Location", $"/{t.S3Bucket}/{key}");
            w.Element("Bucket", t.S3Bucket);
            w.Element("Key", key);
            w.Element("ETag", $"\"{multipartETag}\"");
            w.WriteEndElement();
        });
    }

    /// <summary>
    /// Where the store composes (the local store), the parts are concatenated inside it: one copy-object call on the
    /// channel, witnessed like any other, instead of every byte crossing the channel twice more (read out, written back).
    /// False when the store cannot, when a feature the call needs is switched off, or when the call fell to a wrapper
    /// that does not know composing (it then fails on <see cref="CopyObjectRequest.ComposeGuard"/> having written
    /// nothing): the caller streams the parts instead, and a real precondition failure (a part or the target changed)
    /// fails there again with its own error.
    /// </summary>
    private static async Task<bool> ComposeAsync(S3Context c, string uploadId, string key, IReadOnlyList<CopySourcePart> parts,
        ObjectInfo manifest, IReadOnlyDictionary<string, string> metadata, ObjectConditions conditions)
    {
        var t = c.Target;
        if (!t.Store.Capabilities.ComposeParts) return false;
        try
        {
            await t.Store.CopyObjectAsync(new CopyObjectRequest
            {
                SourceBucket = t.Bucket,
                SourceKey = MultipartMetadata.ManifestKey(uploadId),
                SourceConditions = CopyObjectRequest.ComposeGuard,
                SourceParts = parts,
                TargetBucket = t.Bucket,
                TargetKey = key,
                TargetConditions = conditions,
                MetadataDirective = MetadataDirective.Replace,
                ContentType = manifest.ContentType,
                Metadata = metadata,
                ContentHeaders = manifest.ContentHeaders,
            }, c.Aborted);
            return true;
        }
        catch (GatewayException e) when (e.Code is ErrorCode.PreconditionFailed or ErrorCode.NotModified or ErrorCode.NotSupported or ErrorCode.NotImplemented)
        {
            return false;
        }
    }

    public static async Task AbortAsync(S3Context c)
    {
        var (_, key, uploadId) = Upload(c, Operation.Write);
        await ManifestAsync(c, uploadId, key);
        var stored = await ListStoredPartsAsync(c, uploadId);
        await RemoveUploadAsync(c, uploadId, stored.Values.Select(p => p.Key));
        c.Response.StatusCode = 204;
    }

    public static async Task ListPartsAsync(S3Context c)
    {
        var (t, key, uploadId) = Upload(c, Operation.Read);
        await ManifestAsync(c, uploadId, key);
        var maxParts = IntQuery(c, "max-parts", 1000, 0, 1000);
        var marker = IntQuery(c, "part-number-marker", 0, 0, MultipartMetadata.MaxPartNumber);
        var parts = (await ListStoredPartsAsync(c, uploadId)).Where(p => p.Key > marker).OrderBy(p => p.Key).ToList();
        var page = parts.Take(maxParts).ToList();
        var truncated = parts.Count > page.Count;
        await S3Xml.WriteAsync(c.Response, 200, w =>
        {
            w.WriteStartElement("ListPartsResult", S3Xml.Namespace);
            w.Element("Bucket", t.S3Bucket);
            w.Element("Key", key);
            w.Element("UploadId", uploadId);
            w.Element("PartNumberMarker", marker);
            if (page.Count > 0) w.Element("NextPartNumberMarker", page[^1].Key);
            w.Element("MaxParts", maxParts);
            w.Element("IsTruncated", truncated);
            w.Element("StorageClass", "STANDARD");
            BucketOperations.WriteOwner(w, c);
            foreach (var (number, info) in page)
            {
                w.WriteStartElement("Part");
                w.Element("PartNumber", number);
                w.Element("LastModified", info.LastModified);
                w.Element("ETag", S3ObjectHeaders.ETag(info));
                w.Element("Size", info.Size);
                w.WriteEndElement();
            }
            w.WriteEndElement();
        });
    }

    /// <summary>
    /// ListMultipartUploads with prefix, delimiter (uploads of keys holding it after the prefix roll up into
    /// CommonPrefixes), key-marker / upload-id-marker paging, max-uploads and encoding-type=url. Uploads are ordered by key,
    /// then upload id (S3 orders a key's uploads by initiation time; ids here are random, so this order is stable instead).
    /// </summary>
    public static async Task ListUploadsAsync(S3Context c)
    {
        var t = c.Target;
        var q = c.Request.Query;
        var prefix = q["prefix"].ToString();
        var delimiter = q["delimiter"].ToString();
        var keyMarker = q["key-marker"].ToString();
        var uploadIdMarker = keyMarker.Length == 0 ? "" : q["upload-id-marker"].ToString();
        var encodingType = q["encoding-type"].ToString();
        if (encodingType.Length > 0 && encodingType != "url") throw S3Errors.InvalidArgument("Invalid Encoding Method specified in Request");
        c.Require(Operation.Read, t.ObjectResource(prefix), prefix: true);
        var maxUploads = IntQuery(c, "max-uploads", 1000, 0, 1000);
        var uploads = new List<(string Key, string UploadId, DateTimeOffset Initiated)>();
        string? token = null;
        do
        {
            var page = await t.Store.ListObjectsAsync(t.Bucket, new ListObjectsRequest { Prefix = MultipartMetadata.PartsPrefix, PageToken = token }, c.Aborted);
            foreach (var o in page.Objects.Where(o => o.Key.EndsWith("/upload", StringComparison.Ordinal)))
            {
                var uploadId = o.Key[MultipartMetadata.PartsPrefix.Length..^"/upload".Length];
                if (!MultipartMetadata.IsUploadId(uploadId)) continue;
                ObjectInfo manifest;
                try { manifest = await t.Store.HeadObjectAsync(t.Bucket, o.Key, ObjectConditions.None, c.Aborted); }
                catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { continue; } // completed or aborted meanwhile
                if (!manifest.Metadata.TryGetValue(MultipartMetadata.TargetKey, out var encoded)) continue;
                var key = MultipartMetadata.DecodeKey(encoded);
                if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
                var afterMarker = keyMarker.Length == 0 || Utf8KeyOrder.Instance.Compare(key, keyMarker) > 0
                    || (uploadIdMarker.Length > 0 && key == keyMarker && string.CompareOrdinal(uploadId, uploadIdMarker) > 0);
                if (afterMarker) uploads.Add((key, uploadId, o.LastModified));
            }
            token = page.NextPageToken;
        } while (token is not null);
        uploads.Sort((a, b) => Utf8KeyOrder.Instance.Compare(a.Key, b.Key) is var k && k != 0 ? k : string.CompareOrdinal(a.UploadId, b.UploadId));

        // One page: uploads and common prefixes together count towards max-uploads, as keys and prefixes do in listings.
        var shown = new List<(string Key, string UploadId, DateTimeOffset Initiated)>();
        var prefixes = new List<string>();
        var truncated = false;
        string nextKeyMarker = "", nextUploadIdMarker = "";
        foreach (var upload in uploads)
        {
            string? rolled = null;
            if (delimiter.Length > 0 && upload.Key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal) is var at and >= 0)
                rolled = upload.Key[..(at + delimiter.Length)];
            if (rolled is not null && prefixes.Count > 0 && prefixes[^1] == rolled) continue;
            if (shown.Count + prefixes.Count >= maxUploads)
            {
                truncated = true;
                break;
            }
            if (rolled is not null)
            {
                prefixes.Add(rolled);
                (nextKeyMarker, nextUploadIdMarker) = (rolled, "");
            }
            else
            {
                shown.Add(upload);
                (nextKeyMarker, nextUploadIdMarker) = (upload.Key, upload.UploadId);
            }
        }
        var url = encodingType == "url";
        string Enc(string value) => url ? SigV4.UriEncode(value, keepSlash: true) : value;
        await S3Xml.WriteAsync(c.Response, 200, w =>
        {
            w.WriteStartElement("ListMultipartUploadsResult", S3Xml.Namespace);
            w.Element("Bucket", t.S3Bucket);
            w.Element("KeyMarker", Enc(keyMarker));
            w.Element("UploadIdMarker", uploadIdMarker);
            if (truncated)
            {
                w.Element("NextKeyMarker", Enc(nextKeyMarker));
                w.Element("NextUploadIdMarker", nextUploadIdMarker);
            }
            if (delimiter.Length > 0) w.Element("Delimiter", Enc(delimiter));
            w.Element("Prefix", Enc(prefix));
            if (url) w.Element("EncodingType", "url");
            w.Element("MaxUploads", maxUploads);
            w.Element("IsTruncated", truncated);
            foreach (var (key, uploadId, initiated) in shown)
            {
                w.WriteStartElement("Upload");
                w.Element("Key", Enc(key));
                w.Element("UploadId", uploadId);
                BucketOperations.WriteOwner(w, c, "Initiator");
                BucketOperations.WriteOwner(w, c);
                w.Element("StorageClass", "STANDARD");
                w.Element("Initiated", initiated);
                w.WriteEndElement();
            }
            foreach (var rolled in prefixes)
            {
                w.WriteStartElement("CommonPrefixes");
                w.Element("Prefix", Enc(rolled));
                w.WriteEndElement();
            }
            w.WriteEndElement();
        });
    }

    /// <summary>The upload's manifest; NoSuchUpload when the id is unknown or belongs to another key.</summary>
    /// <summary>The preamble of every call on one upload: its target, its key (the caller must hold <paramref name="operation"/> on it) and its id.</summary>
    private static (S3BucketTarget Target, string Key, string UploadId) Upload(S3Context c, Operation operation)
    {
        var t = c.Target;
        var key = c.RequiredKey;
        c.Require(operation, t.ObjectResource(key));
        return (t, key, c.Request.Query["uploadId"].ToString());
    }

    private static async Task<ObjectInfo> ManifestAsync(S3Context c, string uploadId, string key)
    {
        if (!MultipartMetadata.IsUploadId(uploadId)) throw S3Errors.NoSuchUpload();
        var t = c.Target;
        ObjectInfo manifest;
        try { manifest = await t.Store.HeadObjectAsync(t.Bucket, MultipartMetadata.ManifestKey(uploadId), ObjectConditions.None, c.Aborted); }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound)
        {
            throw await c.BucketExistsAsync() ? S3Errors.NoSuchUpload() : S3Errors.NoSuchBucket();
        }
        if (!manifest.Metadata.TryGetValue(MultipartMetadata.TargetKey, out var encoded) || MultipartMetadata.DecodeKey(encoded) != key)
            throw S3Errors.NoSuchUpload();
        return manifest;
    }

    private static async Task<Dictionary<int, ObjectInfo>> ListStoredPartsAsync(S3Context c, string uploadId)
    {
        var t = c.Target;
        var parts = new Dictionary<int, ObjectInfo>();
        string? token = null;
        do
        {
            var page = await t.Store.ListObjectsAsync(t.Bucket, new ListObjectsRequest { Prefix = MultipartMetadata.PartPrefix(uploadId), PageToken = token }, c.Aborted);
            foreach (var o in page.Objects)
                if (MultipartMetadata.PartNumberOf(o.Key) is { } n) parts[n] = o;
            token = page.NextPageToken;
        } while (token is not null);
        return parts;
    }

    private static async Task RemoveUploadAsync(S3Context c, string uploadId, IEnumerable<string> partKeys)
    {
        var t = c.Target;
        foreach (var partKey in partKeys) await t.Store.DeleteObjectAsync(t.Bucket, partKey, ObjectConditions.None, c.Aborted);
        await t.Store.DeleteObjectAsync(t.Bucket, MultipartMetadata.ManifestKey(uploadId), ObjectConditions.None, c.Aborted);
    }

    private static int PartNumber(S3Context c)
    {
        if (!int.TryParse(c.Request.Query["partNumber"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > MultipartMetadata.MaxPartNumber)
            throw S3Errors.InvalidArgument("Part number must be an integer between 1 and 10000, inclusive");
        return n;
    }

    private static int IntQuery(S3Context c, string name, int fallback, int min, int max)
    {
        if (!c.Request.Query.TryGetValue(name, out var v)) return fallback;
        if (!int.TryParse(v.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min)
            throw S3Errors.InvalidArgument($"{name} must be an integer of at least {min}.");
        return Math.Min(n, max);
    }

    /// <summary>x-amz-copy-source-range: bytes=first-last, inside the source.</summary>
    private static ByteRange? CopyRange(S3Context c, long size)
    {
        var value = c.Request.Headers["x-amz-copy-source-range"].ToString();
        if (value.Length == 0) return null;
        var dash = value.IndexOf('-');
        if (!value.StartsWith("bytes=", StringComparison.Ordinal) || dash < 0
            || !long.TryParse(value.AsSpan(6, dash - 6), NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            || !long.TryParse(value.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            || last < first || last >= size)
            throw S3Errors.InvalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy");
        return new ByteRange(first, last, null);
    }
}
