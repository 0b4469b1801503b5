using System.Text.RegularExpressions;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Operations.Multipart;
using Gateway.S3Api.Routing;
using Gateway.S3Api.Xml;
using Gateway.Security;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Gateway.S3Api.Operations.PostObject;

/// <summary>
/// POST Object, the browser form upload: POST /bucket with multipart/form-data. The fields before the file are read
/// (bounded), the policy's signature and every condition checked, then the file part streams to the store through
/// the same store write as PutObject, held to content-length-range while it goes. Anonymous forms are refused.
/// </summary>
public sealed partial class PostObjectOperation(PostObjectAuth auth, S3Services services)
{
    /// <summary>Fields S3 acts on that this front door cannot honour: refused rather than silently dropped.</summary>
    private static readonly string[] NotHonoured = ["x-amz-website-redirect-location"];

    public static bool IsFormUpload(HttpRequest request, string? bucket, string? key) =>
        HttpMethods.IsPost(request.Method) && bucket is not null && key is null && PostForm.IsForm(request);

    public async Task RunAsync(HttpContext http, string bucket, string requestId, string pathBase, Action<S3Context> started)
    {
        var ct = http.RequestAborted;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = services.MaxObjectBytes + PostForm.MaxFieldBytes + 64 * 1024;
        var form = await PostForm.ReadAsync(http.Request, ct);
        var caller = auth.Authenticate(http, form);
        var key = Key(form);
        var policy = PostPolicy.Parse(form["policy"]!);
        try { policy.Check(bucket, key, form.Fields, services.Time.GetUtcNow()); }
        catch (S3Exception e) when (e.Status == 403)
        {
            services.Events.Denied(http, SecurityEvent.Forbidden, "POST upload refused by its policy");
            throw;
        }
        var c = new S3Context(http, caller, bucket, key, services) { RequestId = requestId, PathBase = pathBase };
        started(c);
        var t = c.Target;
        // The x-amz-object-lock-* and x-amz-server-side-encryption* fields under PutObject's rules for its headers, in its order.
        ObjectLock.ObjectLockRequests.Refuse(form.Fields.Keys);
        c.Require(Operation.Write, t.ObjectResource(key));
        var encryption = Encryption.ServerSideEncryption.ForWrite(c, form.Fields.Keys, name => form[name]);
        var options = Options(form);
        var checksum = Checksum(form);
        if (checksum is var (algorithm, value) && ObjectMetadata.IsValidValue(value))
            options = options with { Metadata = new Dictionary<string, string>(options.Metadata) { [StoredChecksum.Key] = algorithm + ":" + value } };
        var redirect = Redirect(form);
        var max = Math.Min(policy.MaxLength ?? long.MaxValue, services.MaxObjectBytes);
        Stream body = new ContentLengthRangeStream(form.File.Body, policy.MinLength ?? 0, max, c.BodyFailure);
        if (checksum is var (named, expected)) body = ChecksumVerifyingStream.Expecting(c, body, named, expected);
        var info = await t.Store.PutObjectAsync(t.Bucket, key, body, options, ct);
        ChecksumVerifyingStream.EchoHeaders(c);
        Encryption.ServerSideEncryption.Echo(c.Response, encryption);
        await RespondAsync(c, form, redirect, bucket, key, S3ObjectHeaders.ETag(info));
    }

    private static string Key(PostForm form)
    {
        if (form["key"] is not { Length: > 0 } key)
            throw S3Errors.InvalidArgument("Bucket POST must contain a field named 'key'. If it is specified, please check the order of the fields.");
        if (key.Contains("${filename}", StringComparison.Ordinal))
        {
            // Old browsers send the whole client path: only its last segment is the file's name.
            var name = form.FileName ?? "";
            name = name[(name.LastIndexOfAny(['/', '\\']) + 1)..];
            key = key.Replace("${filename}", name, StringComparison.Ordinal);
        }
        S3Addressing.ValidateKey(key);
        // C1 controls: the front door cannot address such a key (InvalidURI), so it must not be able to make one.
        if (key.Any(ch => ch is >= '\u0080' and <= '\u009f')) throw S3Errors.InvalidArgument("The object key contains a C1 control character.");
        if (MultipartMetadata.IsPartsAreaKey(key))
            throw S3Errors.InvalidArgument($"Keys under '{MultipartMetadata.PartsPrefix}' are reserved for multipart uploads in progress.");
        return key;
    }

    /// <summary>
    /// The x-amz-checksum-{algorithm} field: checked as the file streams (BadDigest, nothing stored), kept and echoed, as
    /// PutObject's header. x-amz-checksum-algorithm, when given, must name it; two checksums, or the algorithm alone, are
    /// InvalidRequest; an algorithm S3 added later (or any other x-amz-checksum-* field) is NotImplemented.
    /// </summary>
    private static (string Algorithm, string Value)? Checksum(PostForm form)
    {
        (string, string)? named = null;
        foreach (var (name, value) in form.Fields)
        {
            if (!name.StartsWith("x-amz-checksum-", StringComparison.OrdinalIgnoreCase) || name.Equals("x-amz-checksum-algorithm", StringComparison.OrdinalIgnoreCase)) continue;
            var algorithm = name["x-amz-checksum-".Length..].ToLowerInvariant();
            if (!ChecksumVerifyingStream.Algorithms.Contains(algorithm)) throw S3Errors.NotImplemented($"The POST form field '{PostForm.Printable(name)}'");
            if (named is not null) throw S3Errors.InvalidRequest("Expecting a single x-amz-checksum- field.");
            named = (algorithm, value.Trim());
        }
        if (form["x-amz-checksum-algorithm"] is { } given && !string.Equals(given, named?.Item1, StringComparison.OrdinalIgnoreCase))
            throw S3Errors.InvalidRequest("x-amz-checksum-algorithm specified, but no corresponding x-amz-checksum-* field was found.");
        return named;
    }

    private static PutObjectOptions Options(PostForm form)
    {
        foreach (var name in form.Fields.Keys)
            if (NotHonoured.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
                throw S3Errors.NotImplemented($"The POST form field '{PostForm.Printable(name)}'");
        Acl.CannedAcl.Check(form["acl"], form.Fields.Keys.Any(k => k.StartsWith("x-amz-grant-", StringComparison.OrdinalIgnoreCase)), bucket: false, argumentName: "acl");
        var contentType = form["Content-Type"] is { Length: > 0 } type ? type : S3ObjectHeaders.DefaultContentType;
        // Served back as a header on every GET: printable US-ASCII only, or each read of the object would be a 500.
        if (contentType.Any(ch => ch is < ' ' or >= '\x7f') || !MediaTypeHeaderValue.TryParse(contentType, out _)) throw S3Errors.InvalidArgument("Content-Type is not a valid media type.");
        ContentHeaders? headers;
        try { headers = ContentHeaders.From(name => form[name])?.Validate(); }
        catch (GatewayException e) { throw S3Errors.InvalidArgument(e.Message); }
        string? md5 = null;
        if (form["Content-MD5"] is { } given)
        {
            Span<byte> digest = stackalloc byte[16];
            if (!Convert.TryFromBase64String(given, digest, out var n) || n != 16) throw S3Errors.InvalidDigest();
            md5 = Convert.ToBase64String(digest);
        }
        var metadata = ObjectWriteOperations.ReadMetadata(form.Fields.Select(f => (f.Key, f.Value)), "field");
        // The tagging field is a Tagging XML document, as PutObjectTagging takes.
        if (form["tagging"] is { } tagging) metadata = Tagging.ObjectTags.With(metadata, Tagging.ObjectTags.ParseXml(tagging));
        if (form[KeptStorageClass.Header] is { } storageClass)
        {
            if (!KeptStorageClass.Names.Contains(storageClass)) throw S3Errors.InvalidStorageClass();
            metadata = KeptStorageClass.With(metadata, storageClass);
        }
        return new PutObjectOptions { ContentType = contentType, Metadata = metadata, ContentHeaders = headers, ContentMd5 = md5, ReportMd5 = true };
    }

    /// <summary>
    /// success_action_redirect (or the older redirect): an absolute http(s) URL, judged before anything is stored. One
    /// that cannot be a Location header (control characters, CR/LF) is refused, never stored first and then a 500;
    /// non-ASCII is sent percent-encoded. Another scheme is ignored, as S3 ignores it. The policy must name the field.
    /// </summary>
    private static Uri? Redirect(PostForm form)
    {
        if ((form["success_action_redirect"] ?? form["redirect"]) is not { Length: > 0 } redirect) return null;
        if (redirect.Any(char.IsControl))
            throw S3Errors.InvalidArgument("success_action_redirect holds a control character.");
        if (!Uri.TryCreate(redirect, UriKind.Absolute, out var target) || target.Scheme is not ("http" or "https")) return null;
        if (!System.Text.Ascii.IsValid(target.AbsoluteUri)) throw S3Errors.InvalidArgument("success_action_redirect is not a URL a Location header can hold.");
        return target;
    }

    private static async Task RespondAsync(S3Context c, PostForm form, Uri? redirect, string bucket, string key, string etag)
    {
        var location = c.ObjectUrl(key);
        c.Response.Headers.ETag = etag;
        c.Response.Headers.Location = location;
        if (redirect is not null)
        {
            var separator = string.IsNullOrEmpty(redirect.Query) ? "?" : "&";
            c.Response.StatusCode = 303;
            c.Response.Headers.Location = $"{redirect.GetLeftPart(UriPartial.Query)}{separator}bucket={Uri.EscapeDataString(bucket)}&key={Uri.EscapeDataString(key)}&etag={Uri.EscapeDataString(etag)}";
            return;
        }
        switch (form["success_action_status"])
        {
            case "200":
                c.Response.StatusCode = 200;
                return;
            case "201":
                await S3Xml.WriteAsync(c.Response, 201, w =>
                {
                    w.WriteStartElement("PostResponse");
                    w.Element("Location", location);
                    w.Element("Bucket", bucket);
                    w.Element("Key", key);
                    w.Element("ETag", etag);
                    w.WriteEndElement();
                });
                return;
            default:
                c.Response.StatusCode = 204;
                return;
        }
    }
}
