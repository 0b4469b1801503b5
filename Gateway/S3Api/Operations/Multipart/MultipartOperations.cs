using System.Globalization;
using System.Xml.Linq;
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
/// ListMultipartUploads. Each upload has a record (<see cref="UploadRecord"/>); its parts live in the store's own
/// multipart upload where the store has one (<see cref="NativeParts"/>) and in the parts area otherwise
/// (<see cref="PartsAreaParts"/>). S3's rules (part numbers, ETags, EntityTooSmall, md5-of-md5s-N) are kept here.
/// </summary>
public static class MultipartOperations
{
    /// <param name="encryption">What <see cref="ObjectMakingWrite.Check"/> took, to echo.</param>
    public static async Task CreateAsync(S3Context c, string? encryption)
    {
        var t = c.Target;
        var key = c.RequiredKey;
        var checksum = UploadChecksum.FromRequest(c.Request);
        var options = await ObjectWriteOperations.WriteOptionsAsync(c, t.Store, t.Bucket, key);
        var uploadId = MultipartMetadata.NewUploadId();
        if (await StartNativeAsync(c, key, options) is { } nativeId)
        {
            try { await UploadRecord.WriteNativeAsync(c, uploadId, key, nativeId, checksum); }
            catch
            {
                // Without its record the upload is unreachable: drop it, best effort (the record's failure is the answer).
                try { await t.Store.AbortMultipartUploadAsync(t.Bucket, key, nativeId, CancellationToken.None); }
                catch (GatewayException) { }
                throw;
            }
        }
        else await UploadRecord.WritePartsAreaAsync(c, uploadId, key, options, checksum);
        Encryption.ServerSideEncryption.Echo(c.Response, encryption);
        if (checksum is not null)
        {
            c.Response.Headers["x-amz-checksum-algorithm"] = checksum.Algorithm.ToUpperInvariant();
            c.Response.Headers["x-amz-checksum-type"] = checksum.Type;
        }
        await S3Xml.WriteAsync(c.Response, 200, w =>
        {
            w.WriteStartElement("InitiateMultipartUploadResult", S3Xml.Namespace);
            w.Element("Bucket", t.S3Bucket);
            w.Element("Key", key);
            w.Element("UploadId", uploadId);
            w.WriteEndElement();
        });
    }

    /// <summary>The store's own upload id when it runs multipart uploads natively; null when it has none (the parts area is used).</summary>
    private static async Task<string?> StartNativeAsync(S3Context c, string key, PutObjectOptions options)
    {
        var t = c.Target;
        if (!t.Store.Capabilities.MultipartUploads) return null;
        try
        {
            var started = await t.Store.StartMultipartUploadAsync(t.Bucket, key, new MultipartUploadOptions
            {
                ContentType = options.ContentType,
                Metadata = options.Metadata,
                ContentHeaders = options.ContentHeaders,
            }, c.Aborted);
            return started.UploadId;
        }
        catch (GatewayException e) when (e.Code is ErrorCode.NotSupported or ErrorCode.NotImplemented)
        {
            return null; // a wrapper or a switched-off feature on the way: the parts area works on every store
        }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound)
        {
            throw S3Errors.NoSuchBucket();
        }
    }

    public static async Task UploadPartAsync(S3Context c)
    {
        var (t, key, uploadId) = Upload(c, Operation.Write);
        var partNumber = PartNumber(c);
        var record = await UploadRecord.ReadAsync(c, uploadId, key);
        var parts = UploadParts.For(c, record);
        if (!c.Request.Headers.ContainsKey("x-amz-copy-source"))
        {
            var body = Bodies.Open(c, out var length);
            body = ChecksumVerifyingStream.Wrap(c, body, length, record.Checksum?.Algorithm);
            var part = await parts.PutAsync(partNumber, body, length, ObjectWriteOperations.ReadContentMd5(c.Request));
            await RecordChecksumAsync(c, record, part);
            c.Response.Headers.ETag = part.S3ETag;
            ChecksumVerifyingStream.EchoHeaders(c);
            c.Response.StatusCode = 200;
            return;
        }
        var (from, fromKey) = CopyOperation.ParseSource(c);
        c.Require(Operation.Read, from.ObjectResource(fromKey));
        var current = await CopyOperation.HeadSourceAsync(c, from, fromKey);
        S3ObjectHeaders.CheckConditions(current, c.Request.Headers, read: false, prefix: "x-amz-copy-source-");
        var range = CopyRange(c, current.Size);
        if ((range?.Resolve(current.Size)?.Length ?? current.Size) > Bodies.MaxSingleUploadBytes) throw S3Errors.CopySourceTooLarge();
        StoredPart copied;
        await using (var source = await from.Store.GetObjectAsync(from.Bucket, fromKey, new GetObjectOptions
        {
            Range = range,
            Conditions = new ObjectConditions { IfMatch = [current.ETag] },
        }, c.Aborted))
        {
            var body = record.Checksum is not { } sum ? source.Body : ChecksumVerifyingStream.Wrap(c, source.Body, source.Length, sum.Algorithm);
            copied = await parts.PutAsync(partNumber, body, source.Length, null);
        }
        await RecordChecksumAsync(c, record, copied);
        await S3Xml.WriteAsync(c.Response, 200, w =>
        {
            w.WriteStartElement("CopyPartResult", S3Xml.Namespace);
            w.Element("LastModified", copied.LastModified ?? DateTimeOffset.UtcNow);
            w.Element("ETag", copied.S3ETag);
            if (ChecksumVerifyingStream.Verified(c) is var (algorithm, value)) w.Element(ChecksumElement(algorithm), value);
            w.WriteEndElement();
        });
    }

    /// <summary>
    /// Keeps the checksum a part of an upload with a checksum was verified or computed with, for ListParts and the object's
    /// checksum at completion. A part of another upload is verified when it names one, and nothing is kept, as in S3.
    /// </summary>
    private static async Task RecordChecksumAsync(S3Context c, UploadRecord record, StoredPart part)
    {
        if (record.Checksum is not null && ChecksumVerifyingStream.Verified(c) is var (algorithm, value))
            await PartChecksums.RecordAsync(c, record.UploadId, part, algorithm, value);
    }

    private static string ChecksumElement(string algorithm) => "Checksum" + algorithm.ToUpperInvariant();

    public static async Task CompleteAsync(S3Context c)
    {
        var (t, key, uploadId) = Upload(c, Operation.Write);
        UploadRecord record;
        try { record = await UploadRecord.ReadAsync(c, uploadId, key); }
        catch (S3Exception e) when (e.Code == "NoSuchUpload")
        {
            if (!await AnsweredAsCompletedAsync(c, uploadId)) throw;
            return;
        }
        var objectSize = MpObjectSize(c.Request);
        var doc = await S3Xml.ReadFromAsync(Bodies.Open(c, out _), 1024 * 1024, c.Aborted);
        if (doc.Root is not { Name.LocalName: "CompleteMultipartUpload" } root) throw S3Errors.MalformedXml();
        var requested = new List<(int Number, string ETag, XElement Part)>();
        foreach (var part in root.Elements().Where(e => e.Name.LocalName == "Part"))
        {
            var numberText = part.Elements().FirstOrDefault(e => e.Name.LocalName == "PartNumber")?.Value;
            var etag = part.Elements().FirstOrDefault(e => e.Name.LocalName == "ETag")?.Value;
            if (!int.TryParse(numberText, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || etag is null) throw S3Errors.MalformedXml();
            if (requested.Count > 0 && number <= requested[^1].Number) throw S3Errors.InvalidPartOrder();
            // S3: with an additional checksum on each part, the part numbers start at 1 and have no gaps.
            if (record.Checksum is not null && number != requested.Count + 1) throw S3Errors.InvalidPartOrder();
            requested.Add((number, etag.Trim(), part));
        }
        if (requested.Count == 0) throw S3Errors.MalformedXml();
        var parts = UploadParts.For(c, record);
        IReadOnlyDictionary<int, StoredPart> held;
        // The store completed it but the record outlived that (a crash between): a retry is answered as the first would have been.
        try { held = await parts.ListAsync(); }
        catch (S3Exception e) when (e.Code == "NoSuchUpload")
        {
            if (!await AnsweredAsCompletedAsync(c, uploadId)) throw;
            return;
        }
        var chosen = new List<StoredPart>(requested.Count);
        for (var i = 0; i < requested.Count; i++)
        {
            var (number, etag, _) = requested[i];
            var tag = new[] { Preconditions.Quote(etag) };
            if (!held.TryGetValue(number, out var part) || !(Preconditions.Matches(part.S3ETag, tag) || Preconditions.Matches(part.StoreETag, tag)))
                throw S3Errors.InvalidPart("One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.");
            chosen.Add(part);
        }
        // Sizes after every part is known: a missing part is InvalidPart even when a small one comes before it.
        if (chosen.SkipLast(1).Any(p => p.Size < MultipartMetadata.MinPartBytes)) throw S3Errors.EntityTooSmall();
        if (objectSize is { } expected && chosen.Sum(p => p.Size) is var computed && computed != expected)
            throw S3Errors.InvalidRequest($"The provided 'x-amz-mp-object-size' header value {expected} does not match what was computed: {computed}");
        var (checksum, partChecksums, checksumRecords) = await ObjectChecksumAsync(c, record, held, requested.Select(r => r.Part).ToList(), chosen);
        var conditions = await ObjectWriteOperations.TargetConditionsAsync(c, t.Store, t.Bucket, key, completion: true);
        var multipartETag = MultipartMetadata.MultipartETag(chosen.Select(p => p.S3ETag));
        var added = new Dictionary<string, string> { [MultipartMetadata.ETagKey] = multipartETag, [MultipartMetadata.UploadKey] = uploadId };
        if (checksum is var (algorithm, value))
        {
            added[StoredChecksum.Key] = algorithm + ":" + value;
            if (KeptPartChecksums.Encode(algorithm, partChecksums) is { } kept) added[KeptPartChecksums.Key] = kept;
        }
        if (PartLayout.Encode(chosen.Select(p => p.Size).ToList()) is { } layout) added[PartLayout.Key] = layout;
        await parts.CompleteAsync(chosen, held.Values, added, conditions, checksumRecords);
        await WriteCompletedAsync(c, $"\"{multipartETag}\"", checksum);
    }

    /// <summary>
    /// For an upload created with a checksum, the object's: COMPOSITE or FULL_OBJECT (<see cref="UploadChecksum"/>) from the
    /// chosen parts' checksums (each verified or computed as the part arrived), with those part checksums and the keys of
    /// the upload's checksum records (listed once, here). A part checksum the request names must be the recorded one
    /// (InvalidPart); an object checksum it names (x-amz-checksum-*, x-amz-checksum-type) must be this one (BadDigest,
    /// InvalidRequest). For an upload without a checksum nothing is listed and an object checksum named is InvalidRequest.
    /// </summary>
    private static async Task<((string Algorithm, string Value)? Checksum, IReadOnlyList<string> PartChecksums, IReadOnlyList<string> Records)> ObjectChecksumAsync(
        S3Context c, UploadRecord record, IReadOnlyDictionary<int, StoredPart> held, IReadOnlyList<XElement> requested, IReadOnlyList<StoredPart> chosen)
    {
        var sum = record.Checksum;
        CheckChecksumType(c.Request, sum);
        if (sum is null)
        {
            if (NamedObjectChecksum(c.Request) is var (named, _))
                throw S3Errors.InvalidRequest($"The upload was created without a checksum algorithm: the complete request cannot name a {named.ToUpperInvariant()} checksum.");
            return (null, [], []);
        }
        var algorithm = sum.Algorithm;
        var recorded = await PartChecksums.ReadAsync(c, record.UploadId, held);
        var values = new List<string>(chosen.Count);
        for (var i = 0; i < chosen.Count; i++)
        {
            var named = requested[i].Elements().FirstOrDefault(e => e.Name.LocalName.StartsWith("Checksum", StringComparison.Ordinal));
            // COMPOSITE is made of the part checksums the request lists, so S3 wants every one; FULL_OBJECT checks those given.
            if (named is null && !sum.IsFullObject)
                throw S3Errors.InvalidRequest($"The upload was created using a {algorithm} checksum. The complete request must include the checksum for each part. It was missing for part {chosen[i].Number} in the request.");
            if (!recorded.ByPart.TryGetValue(chosen[i].Number, out var kept) || kept.Algorithm != algorithm)
                throw S3Errors.InvalidPart($"Part {chosen[i].Number} has no {algorithm.ToUpperInvariant()} checksum: upload it again.");
            if (named is not null && (named.Name.LocalName != ChecksumElement(algorithm) || named.Value.Trim() != kept.Value))
                throw S3Errors.InvalidPart($"The {named.Name.LocalName[8..]} checksum of part {chosen[i].Number} does not match the part's.");
            values.Add(kept.Value);
        }
        var value = sum.Of([.. values.Select((v, i) => (v, chosen[i].Size))]);
        if (NamedObjectChecksum(c.Request) is var (claimedAlgorithm, claimed))
        {
            if (claimedAlgorithm != algorithm)
                throw S3Errors.InvalidRequest($"The upload was created using the {algorithm.ToUpperInvariant()} checksum algorithm: the complete request cannot name a {claimedAlgorithm.ToUpperInvariant()} checksum.");
            // A COMPOSITE value may be named with or without its "-N".
            if (claimed != value && (sum.IsFullObject || claimed != value[..value.LastIndexOf('-')]))
                throw S3Errors.BadDigest($"The {algorithm.ToUpperInvariant()} you specified did not match the calculated checksum.");
        }
        return ((algorithm, value), values, recorded.Keys);
    }

    /// <summary>The object checksum a CompleteMultipartUpload names in an x-amz-checksum-* header: (lower-case algorithm, value).</summary>
    private static (string Algorithm, string Value)? NamedObjectChecksum(HttpRequest request)
    {
        foreach (var algorithm in ChecksumVerifyingStream.Algorithms)
            if (request.Headers["x-amz-checksum-" + algorithm].ToString() is { Length: > 0 } value) return (algorithm, value.Trim());
        return null;
    }

    /// <summary>x-amz-checksum-type on CompleteMultipartUpload is a check: it must be the upload's (BadDigest otherwise, as S3 documents).</summary>
    private static void CheckChecksumType(HttpRequest request, UploadChecksum? sum)
    {
        var type = request.Headers["x-amz-checksum-type"].ToString();
        if (type.Length == 0 || string.Equals(type, sum?.Type, StringComparison.OrdinalIgnoreCase)) return;
        throw S3Errors.BadDigest($"The upload was created using the {sum?.Type ?? "null"} checksum mode. The complete request must use the same checksum mode.");
    }

    /// <summary>x-amz-mp-object-size: the object's size the caller expects (checked against the parts'), null when not given.</summary>
    private static long? MpObjectSize(HttpRequest request)
    {
        if (!request.Headers.TryGetValue("x-amz-mp-object-size", out var given)) return null;
        return long.TryParse(given.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            ? size
            : throw S3Errors.InvalidArgument("The x-amz-mp-object-size header must be a non-negative integer.", "x-amz-mp-object-size", given.ToString());
    }

    /// <summary>
    /// S3 answers a repeated CompleteMultipartUpload of an upload it completed with the object it made: true when that
    /// object is at the key and the answer is written.
    /// </summary>
    private static async Task<bool> AnsweredAsCompletedAsync(S3Context c, string uploadId)
    {
        if (await CompletedFromAsync(c, uploadId) is not { } done) return false;
        await WriteCompletedAsync(c, S3ObjectHeaders.ETag(done), StoredChecksum.Of(done));
        return true;
    }

    /// <summary>The object at the addressed key when it was completed from <paramref name="uploadId"/>.</summary>
    private static async Task<ObjectInfo?> CompletedFromAsync(S3Context c, string uploadId)
    {
        var t = c.Target;
        try
        {
            var info = await t.Store.HeadObjectAsync(t.Bucket, c.RequiredKey, ObjectConditions.None, c.Aborted);
            return info.StatedMetadata().TryGetValue(MultipartMetadata.UploadKey, out var from) && from == uploadId ? info : null;
        }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { return null; }
    }

    private static Task WriteCompletedAsync(S3Context c, string etag, (string Algorithm, string Value)? checksum) => S3Xml.WriteAsync(c.Response, 200, w =>
    {
        w.WriteStartElement("CompleteMultipartUploadResult", S3Xml.Namespace);
        w.Element("Location", c.ObjectUrl(c.RequiredKey));
        w.Element("Bucket", c.Target.S3Bucket);
        w.Element("Key", c.RequiredKey);
        w.Element("ETag", etag);
        if (checksum is var (algorithm, value))
        {
            w.Element(ChecksumElement(algorithm), value);
            w.Element("ChecksumType", StoredChecksum.TypeOf(value));
        }
        w.WriteEndElement();
    });

    public static async Task AbortAsync(S3Context c)
    {
        var (_, key, uploadId) = Upload(c, Operation.Write);
        var record = await UploadRecord.ReadAsync(c, uploadId, key);
        await UploadParts.For(c, record).AbortAsync();
        c.Response.StatusCode = 204;
    }

    public static async Task ListPartsAsync(S3Context c)
    {
        var (t, key, uploadId) = Upload(c, Operation.Read);
        var record = await UploadRecord.ReadAsync(c, uploadId, key);
        var maxParts = IntQuery(c, "max-parts", 1000, 0, 1000);
        var marker = IntQuery(c, "part-number-marker", 0, 0, MultipartMetadata.MaxPartNumber);
        // A page of none lists no part (the upload record, read above, says the upload exists).
        var held = maxParts == 0 ? new Dictionary<int, StoredPart>() : await UploadParts.For(c, record).ListAsync();
        // Only an upload with a checksum keeps part checksums: the others have no records to list.
        var checksums = record.Checksum is null || held.Count == 0
            ? new Dictionary<int, (string Algorithm, string Value)>() : (await PartChecksums.ReadAsync(c, uploadId, held)).ByPart;
        var parts = held.Values.Where(p => p.Number > marker).OrderBy(p => p.Number).ToList();
        var page = parts.Take(maxParts).ToList();
        var truncated = maxParts > 0 && parts.Count > page.Count;
        await S3Xml.WriteAsync(c.Response, 200, w =>
        {
            w.WriteStartElement("ListPartsResult", S3Xml.Namespace);
            w.Element("Bucket", t.S3Bucket);
            w.Element("Key", key);
            w.Element("UploadId", uploadId);
            w.Element("PartNumberMarker", marker);
            if (page.Count > 0) w.Element("NextPartNumberMarker", page[^1].Number);
            w.Element("MaxParts", maxParts);
            w.Element("IsTruncated", truncated);
            w.Element("StorageClass", KeptStorageClass.Of(record.Info));
            if (record.Checksum is { } uploadSum)
            {
                w.Element("ChecksumAlgorithm", uploadSum.Algorithm.ToUpperInvariant());
                w.Element("ChecksumType", uploadSum.Type);
            }
            BucketOperations.WriteOwner(w, c, "Initiator");
            BucketOperations.WriteOwner(w, c);
            foreach (var part in page)
            {
                w.WriteStartElement("Part");
                w.Element("PartNumber", part.Number);
                // A native part's time is not kept by every store (Azure's staged blocks have none): the upload's is answered.
                w.Element("LastModified", part.LastModified ?? record.Info.LastModified);
                w.Element("ETag", part.S3ETag);
                w.Element("Size", part.Size);
                if (checksums.TryGetValue(part.Number, out var sum)) w.Element(ChecksumElement(sum.Algorithm), sum.Value);
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
        var url = ListOperations.Parameters.UrlEncoding(q);
        c.Require(Operation.Read, t.ObjectResource(prefix), prefix: true);
        var maxUploads = IntQuery(c, "max-uploads", 1000, 0, 1000);
        var uploads = new List<(string Key, string UploadId, DateTimeOffset Initiated, string StorageClass)>();
        // A page of none lists no upload record (nor reads one); the bucket must exist all the same.
        if (maxUploads == 0 && !await c.BucketExistsAsync()) throw S3Errors.NoSuchBucket();
        string? token = null;
        while (maxUploads > 0)
        {
            var page = await t.Store.ListObjectsAsync(t.Bucket, new ListObjectsRequest { Prefix = MultipartMetadata.PartsPrefix, PageToken = token }, c.Aborted);
            foreach (var o in page.Objects.Where(o => o.Key.EndsWith("/upload", StringComparison.Ordinal)))
            {
                var uploadId = o.Key[MultipartMetadata.PartsPrefix.Length..^"/upload".Length];
                if (!MultipartMetadata.IsUploadId(uploadId)) continue;
                ObjectInfo manifest;
                try { manifest = await t.Store.HeadObjectAsync(t.Bucket, o.Key, ObjectConditions.None, c.Aborted); }
                catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { continue; } // completed or aborted meanwhile
                if (!manifest.StatedMetadata().TryGetValue(MultipartMetadata.TargetKey, out var encoded)) continue;
                if (MultipartMetadata.DecodeKey(encoded) is not { } key) continue;
                if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
                var afterMarker = keyMarker.Length == 0 || Utf8KeyOrder.Instance.Compare(key, keyMarker) > 0
                    || (uploadIdMarker.Length > 0 && key == keyMarker && string.CompareOrdinal(uploadId, uploadIdMarker) > 0);
                if (afterMarker) uploads.Add((key, uploadId, o.LastModified, KeptStorageClass.Of(manifest)));
            }
            token = page.NextPageToken;
            if (token is null) break;
        }
        uploads.Sort((a, b) => Utf8KeyOrder.Instance.Compare(a.Key, b.Key) is var k && k != 0 ? k : string.CompareOrdinal(a.UploadId, b.UploadId));

        // One page: uploads and common prefixes together count towards max-uploads, as keys and prefixes do in listings.
        var shown = new List<(string Key, string UploadId, DateTimeOffset Initiated, string StorageClass)>();
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
                // A page of none has no marker to go on from: complete, as ListObjects answers max-keys=0.
                truncated = maxUploads > 0;
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
            foreach (var (key, uploadId, initiated, storageClass) in shown)
            {
                w.WriteStartElement("Upload");
                w.Element("Key", Enc(key));
                w.Element("UploadId", uploadId);
                BucketOperations.WriteOwner(w, c, "Initiator");
                BucketOperations.WriteOwner(w, c);
                w.Element("StorageClass", storageClass);
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

    /// <summary>The preamble of every call on one upload: its target, its key (the caller must hold <paramref name="operation"/> on it) and its id.</summary>
    private static (S3BucketTarget Target, string Key, string UploadId) Upload(S3Context c, Operation operation)
    {
        var t = c.Target;
        var key = c.RequiredKey;
        c.Require(operation, t.ObjectResource(key));
        return (t, key, c.Request.Query["uploadId"].ToString());
    }

    private static int PartNumber(S3Context c)
    {
        var given = c.Request.Query["partNumber"].ToString();
        return BoundedInteger.Read(given, 1, MultipartMetadata.MaxPartNumber, out var n) == BoundedIntegerRead.Within
            ? n
            : throw S3Errors.InvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", given);
    }

    /// <summary>A paging parameter: S3 refuses one below <paramref name="min"/> and answers at most <paramref name="max"/> for a larger one.</summary>
    private static int IntQuery(S3Context c, string name, int fallback, int min, int max)
    {
        if (!c.Request.Query.TryGetValue(name, out var v)) return fallback;
        return BoundedInteger.Read(v.ToString(), min, max, out var n) switch
        {
            BoundedIntegerRead.Within => n,
            BoundedIntegerRead.AboveMaximum => max,
            _ => throw S3Errors.InvalidArgument($"{name} must be an integer of at least {min}.", name, v.ToString()),
        };
    }

    /// <summary>x-amz-copy-source-range: bytes=first-last (else InvalidArgument), inside the source (else InvalidRange).</summary>
    private static ByteRange? CopyRange(S3Context c, long size)
    {
        var value = c.Request.Headers["x-amz-copy-source-range"].ToString();
        if (value.Length == 0) return null;
        var dash = value.IndexOf('-');
        if (!value.StartsWith("bytes=", StringComparison.Ordinal) || dash < 0
            || !long.TryParse(value.AsSpan(6, dash - 6), NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            || !long.TryParse(value.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            || last < first)
            throw S3Errors.InvalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy", "x-amz-copy-source-range", value);
        // Well-formed but past the source's end: S3's InvalidRange, as the compatibility suite asserts.
        if (last >= size) throw S3Errors.InvalidRange();
        return new ByteRange(first, last, null);
    }
}
