using System.Text.RegularExpressions;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Operations.Multipart;
using Gateway.S3Api.Operations.Tagging;
using Gateway.S3Api.Routing;
using Gateway.Security;
using Microsoft.Net.Http.Headers;

namespace Gateway.S3Api.Operations;

/// <summary>PutObject (Content-MD5, x-amz-meta-*, checksums, If-None-Match: * and If-Match) and DeleteObject.</summary>
public static partial class ObjectWriteOperations
{
    private const int MaxMetadataBytes = 2 * 1024; // S3's limit on user metadata

    [GeneratedRegex(@"\A[a-z0-9_][a-z0-9_-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex MetaName();

    /// <param name="encryption">What <see cref="ObjectMakingWrite.Check"/> took, to echo.</param>
    public static async Task PutAsync(S3Context c, string? encryption)
    {
        var t = c.Target;
        var key = c.RequiredKey;
        var options = await WriteOptionsAsync(c, t.Store, t.Bucket, key);
        if (StoredChecksum.FromHeaders(c.Request) is { } checksum)
            options = options with { Metadata = new Dictionary<string, string>(options.Metadata) { [StoredChecksum.Key] = checksum } };
        var body = ChecksumVerifyingStream.Wrap(c, Bodies.Open(c, out var length), length);
        // A single PutObject's ETag is the body's MD5 to S3 clients (S3ObjectHeaders.ETag), whatever way the store writes it.
        var info = await t.Store.PutObjectAsync(t.Bucket, key, body, options with { ContentLength = length, ReportMd5 = true }, c.Aborted);
        c.Response.Headers.ETag = S3ObjectHeaders.ETag(info);
        ChecksumVerifyingStream.EchoHeaders(c);
        Encryption.ServerSideEncryption.Echo(c.Response, encryption);
        c.Response.StatusCode = 200;
    }

    /// <summary>
    /// Content type, metadata (with the x-amz-tagging tags), Content-MD5 and the target conditions of a write (PutObject,
    /// CreateMultipartUpload, whose tags are the completed object's).
    /// </summary>
    public static async Task<PutObjectOptions> WriteOptionsAsync(S3Context c, IObjectStore store, string bucket, string key)
    {
        var request = c.Request;
        var metadata = ReadMetadata(request);
        if (TaggingOperations.FromHeader(request) is { } tags) metadata = ObjectTags.With(metadata, tags);
        metadata = KeptStorageClass.With(metadata, KeptStorageClass.Asked(request));
        return new PutObjectOptions
        {
            ContentType = ContentType(request),
            Metadata = metadata,
            ContentHeaders = ReadContentHeaders(request),
            ContentMd5 = ReadContentMd5(request),
            Conditions = await TargetConditionsAsync(c, store, bucket, key),
        };
    }

    public static string ContentType(HttpRequest request)
    {
        var value = request.ContentType;
        if (string.IsNullOrEmpty(value)) return S3ObjectHeaders.DefaultContentType;
        if (!MediaTypeHeaderValue.TryParse(value, out _)) throw S3Errors.InvalidArgument("Content-Type is not a valid media type.");
        return value;
    }

    /// <summary>
    /// Cache-Control, Content-Disposition, Content-Encoding, Content-Language and Expires, kept with the object. The
    /// aws-chunked coding is the request's transfer framing, not the object's: S3 drops it from Content-Encoding.
    /// </summary>
    public static ContentHeaders? ReadContentHeaders(HttpRequest request)
    {
        var headers = ContentHeaders.From(name => request.Headers[name].ToString());
        if (headers?.ContentEncoding is { } encoding)
        {
            var codings = encoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            // A header without the aws-chunked coding is kept as written ("deflate, gzip" stays so), as S3 keeps it.
            if (codings.Any(IsAwsChunked))
            {
                var kept = codings.Where(coding => !IsAwsChunked(coding)).ToList();
                headers = ContentHeaders.OrNull(headers with { ContentEncoding = kept.Count == 0 ? null : string.Join(", ", kept) });
            }
        }
        try { return headers?.Validate(); }
        catch (GatewayException e) { throw S3Errors.InvalidArgument(e.Message); }
    }

    private static bool IsAwsChunked(string coding) => coding.Equals("aws-chunked", StringComparison.OrdinalIgnoreCase);

    public static Dictionary<string, string> ReadMetadata(HttpRequest request) =>
        ReadMetadata(request.Headers.Select(h => (h.Key, h.Value.ToString())), "header");

    /// <summary>The x-amz-meta-* entries of a request's headers or of a POST form's fields (<paramref name="kind"/>).</summary>
    public static Dictionary<string, string> ReadMetadata(IEnumerable<(string Name, string Value)> fields, string kind)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var bytes = 0;
        foreach (var (name, value) in fields)
        {
            if (!name.StartsWith(S3ObjectHeaders.MetaPrefix, StringComparison.OrdinalIgnoreCase)) continue;
            var key = name[S3ObjectHeaders.MetaPrefix.Length..].ToLowerInvariant();
            var shown = PostObject.PostForm.Printable(name);
            if (!MetaName().IsMatch(key) || MultipartMetadata.IsReserved(key))
                throw S3Errors.InvalidArgument($"Metadata {kind} '{shown}' is not allowed here: names are a-z, 0-9, '-' and '_', not starting with '-' (and not 'gw_s3_*').");
            // A control character in a header value is one a web server in front of S3 rejects; it never reaches the store.
            if (!System.Text.Ascii.IsValid(value) || value.Any(ch => ch < 0x20 && ch != '\t' || ch == 0x7f))
                throw S3Errors.InvalidArgument($"Metadata {kind} '{shown}' holds a control character or one outside US-ASCII.");
            bytes += key.Length + value.Length;
            metadata[key] = value;
        }
        if (bytes > MaxMetadataBytes) throw new S3Exception("MetadataTooLarge", 400, "Your metadata headers exceed the maximum allowed metadata size.");
        return metadata;
    }

    public static string? ReadContentMd5(HttpRequest request)
    {
        if (!request.Headers.TryGetValue("Content-MD5", out var given)) return null;
        var value = given.ToString();
        Span<byte> digest = stackalloc byte[16];
        if (!Convert.TryFromBase64String(value, digest, out var n) || n != 16) throw S3Errors.InvalidDigest();
        return Convert.ToBase64String(digest);
    }

    /// <summary>
    /// A write takes one condition, as S3 does: If-None-Match only as <c>*</c> (create-only, atomic in the store) and If-Match
    /// only with ETags; both at once, an ETag in If-None-Match or <c>*</c> in If-Match is S3's 501 (<see cref="NotAccepted"/>).
    /// If-Match names S3's ETag, which may not be the store's own token: it is checked against the current object (RFC 9110:
    /// If-Match on a missing object fails, 412), and the write is then pinned to what was checked (the store's ETag), so
    /// the store still refuses it if the object changed in between. <paramref name="completion"/>: CompleteMultipartUpload,
    /// where S3 names If-None-Match in its answer to <c>If-Match: *</c> too.
    /// </summary>
    public static async Task<ObjectConditions> TargetConditionsAsync(S3Context c, IObjectStore store, string bucket, string key, bool completion = false)
    {
        var ifNoneMatch = S3ObjectHeaders.Tags(c.Request.Headers.IfNoneMatch);
        var ifMatch = S3ObjectHeaders.Tags(c.Request.Headers.IfMatch);
        if (ifNoneMatch is not null && ifMatch is not null)
            throw NotAccepted("If-Match,If-None-Match", "Multiple conditional request headers present in the request");
        if (ifNoneMatch is not null and not ["*"]) throw NotAccepted("If-None-Match");
        if (ifMatch is ["*"]) throw NotAccepted(completion ? "If-None-Match" : "If-Match");
        if (ifMatch is null) return new ObjectConditions { IfNoneMatch = ifNoneMatch };
        ObjectInfo? current;
        try { current = await store.HeadObjectAsync(bucket, key, ObjectConditions.None, c.Aborted); }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { current = null; }
        if (current is null || !S3ObjectHeaders.Matches(current, ifMatch)) throw S3Errors.PreconditionFailed();
        return new ObjectConditions { IfMatch = [current.ETag] };
    }

    /// <summary>S3's answer to a write condition it does not take, with its Header and additionalMessage.</summary>
    private static S3Exception NotAccepted(string header, string? message = null) =>
        new("NotImplemented", 501, "A header you provided implies functionality that is not implemented")
        {
            Details = [("Header", header), ("additionalMessage", message ?? $"We don't accept the provided value of {header} header for this API")],
        };

    public static async Task DeleteAsync(S3Context c)
    {
        var t = c.Target;
        var key = c.RequiredKey;
        c.Require(Operation.Delete, t.ObjectResource(key));
        // S3 directory buckets' delete conditions, as DeleteObjects refuses them: ignored, the delete would be unconditional.
        if (c.Request.Headers.ContainsKey("x-amz-if-match-size") || c.Request.Headers.ContainsKey("x-amz-if-match-last-modified-time"))
            throw S3Errors.NotImplemented("A DeleteObject condition on the size or last-modified time");
        var conditions = ObjectConditions.None;
        if (S3ObjectHeaders.Tags(c.Request.Headers.IfMatch) is { } ifMatch)
        {
            var current = await t.Store.HeadObjectAsync(t.Bucket, key, ObjectConditions.None, c.Aborted);
            if (!S3ObjectHeaders.Matches(current, ifMatch)) throw S3Errors.PreconditionFailed();
            conditions = new ObjectConditions { IfMatch = [current.ETag] };
        }
        try { await t.Store.DeleteObjectAsync(t.Bucket, key, conditions, c.Aborted); }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound && conditions.IsEmpty)
        {
            // A missing key is success in S3; a missing bucket is not.
            if (!await c.BucketExistsAsync()) throw S3Errors.NoSuchBucket();
        }
        c.Response.StatusCode = 204;
    }
}
