using System.Security.Claims;
using System.Text;
using Gateway.S3Api.Auth;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Operations.BucketConfig;
using Gateway.S3Api.Operations.PostObject;
using Gateway.S3Api.Operations.Tagging;
using Gateway.S3Api.Xml;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Fuzz;

/// <summary>
/// The S3 front door's parsers of caller bytes. The rejection is an <see cref="S3Exception"/> with a 4xx status, which
/// S3ErrorWriter answers as S3's XML error; a 5xx S3Exception is a crash too.
/// </summary>
public static class S3Targets
{
    private static bool ClientError(S3Exception e) => e.Status is >= 400 and < 500;

    /// <summary>
    /// A request of one method, path, query and headers, as Kestrel hands it over: the raw target kept, the path decoded.
    /// A target holding a NUL, raw or encoded, is null: Kestrel answers it 400 before the gateway sees it.
    /// </summary>
    public static HttpRequest? Request(string method, string target, params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        var q = target.IndexOf('?');
        var path = "/" + (q < 0 ? target : target[..q]).TrimStart('/');
        var decoded = Uri.UnescapeDataString(path);
        if (target.Contains('\0', StringComparison.Ordinal) || decoded.Contains('\0', StringComparison.Ordinal)) return null;
        context.Request.Method = method;
        context.Request.Path = new PathString(decoded);
        context.Request.QueryString = q < 0 ? QueryString.Empty : new QueryString("?" + target[(q + 1)..]);
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = path + (q < 0 ? "" : target[q..]);
        foreach (var (name, value) in headers)
            if (value.Length > 0 && value.IndexOfAny(['\0', '\r']) < 0) context.Request.Headers[name] = value; // Kestrel refuses these
        return context.Request;
    }

    /// <summary>Lines: Authorization, request target (path?query), x-amz-date, Date, x-amz-content-sha256.</summary>
    public static void SigV4(byte[] data)
    {
        var f = Targets.Fields(data, 5);
        if (Request("GET", f[1], ("Authorization", f[0]), ("x-amz-date", f[2]), ("Date", f[3]), ("x-amz-content-sha256", f[4]), ("Host", "s3.local")) is not { } request) return;
        Targets.Rejects<S3Exception>(() =>
        {
            if (SigV4Request.Parse(request) is not { } parsed) return;
            var canonical = CanonicalRequest.Build(request, parsed.SignedHeaders, f[4].Length > 0 ? f[4] : "UNSIGNED-PAYLOAD", parsed.Presigned);
            _ = S3Api.Auth.SigV4.StringToSign(parsed.AmzDate, parsed.Scope, canonical);
        }, ClientError);
        Targets.Rejects<S3Exception>(() => _ = SigV2.StringToSign(request, f[3], CanonicalRequest.RawTarget(request).Path), ClientError);
        _ = SigV2.CaseVariantSubResource(CanonicalRequest.RawTarget(request).Query);
        _ = SigV2.TryParseDate(f[3], out _);
    }

    private static S3Caller Caller(string payloadHash)
    {
        var signature = new SigV4Request
        {
            AccessKeyId = "AKIAIOSFODNN7EXAMPLE", ScopeDate = "20130524", Region = "us-east-1", Service = "s3",
            SignedHeaders = ["host"], Signature = new string('0', 64), AmzDate = "20130524T000000Z",
            Time = new DateTimeOffset(2013, 5, 24, 0, 0, 0, TimeSpan.Zero),
        };
        var key = S3Api.Auth.SigV4.SigningKey(S3Api.Auth.SigV4.Aws4Secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), "20130524", "us-east-1");
        return new S3Caller(new S3AccessKey("AKIAIOSFODNN7EXAMPLE", "example", ["admin"], null, false), new ClaimsPrincipal(), signature, key, payloadHash);
    }

    /// <summary>
    /// Byte 0: bit 0 signed chunks, bit 1 trailers, bit 2 a declared decoded length (the next byte, else none); the rest
    /// is the body. Chunks are limited to 1 KiB here so the size checks are reachable.
    /// </summary>
    public static void AwsChunked(byte[] data)
    {
        if (data.Length < 2) return;
        var (signed, trailers) = ((data[0] & 1) != 0, (data[0] & 2) != 0);
        long decoded = (data[0] & 4) != 0 ? data[1] : -1;
        var caller = Caller(signed ? (trailers ? S3Api.Auth.SigV4.StreamingPayloadTrailer : S3Api.Auth.SigV4.StreamingPayload) : S3Api.Auth.SigV4.StreamingUnsignedTrailer);
        using var stream = new AwsChunkedStream(new MemoryStream(data, 2, data.Length - 2), caller, signed, trailers, 1024, decoded, new BodyFailure());
        Targets.Rejects<S3Exception>(() => stream.CopyTo(Stream.Null, 100), ClientError);
        _ = stream.Trailers.Count;
    }

    /// <summary>
    /// Byte 0 picks: a request document read as the front door reads every one, then taken as a Tagging document or as a
    /// bucket configuration's PUT; or an x-amz-tagging header.
    /// </summary>
    public static void XmlBodies(byte[] data)
    {
        if (data.Length == 0) return;
        var rest = data.AsSpan(1).ToArray();
        Targets.Rejects<S3Exception>(() =>
        {
            if (data[0] % 3 == 2)
            {
                _ = ObjectTags.ParseQuery(Encoding.UTF8.GetString(rest));
                return;
            }
            var doc = S3Xml.ReadFromAsync(new MemoryStream(rest), 64 * 1024, CancellationToken.None).GetAwaiter().GetResult();
            if (data[0] % 3 == 0) _ = ObjectTags.ParseXml(doc);
            else
                foreach (var sub in BucketSubResources.All)
                    if (sub.Unchanged is { } unchanged && doc.Root is { } root && root.Name.LocalName == sub.PutRoot) _ = unchanged(root);
        }, ClientError);
    }

    /// <summary>Lines: the policy field (base64 JSON), the bucket, the key, then form fields as name=value lines.</summary>
    public static void PostPolicyDocument(byte[] data)
    {
        var f = Targets.Fields(data, 4);
        Targets.Rejects<S3Exception>(() =>
        {
            var policy = PostPolicy.Parse(f[0]);
            var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var line in f[3].Split('\n'))
                if (line.IndexOf('=') is > 0 and var eq) fields[line[..eq]] = line[(eq + 1)..];
            policy.Check(f[1], f[2], fields, DateTimeOffset.UnixEpoch);
        }, ClientError);
    }

    /// <summary>
    /// A browser POST upload: the first line is the Content-Type, the rest the body, read up to the file part and then
    /// the file through the stream the operation reads it with (which turns a body ending inside it into MalformedPOSTRequest).
    /// </summary>
    public static void PostFormBody(byte[] data)
    {
        var newline = Array.IndexOf(data, (byte)'\n');
        if (newline < 0) return;
        var context = new DefaultHttpContext();
        context.Request.ContentType = Encoding.UTF8.GetString(data, 0, newline);
        context.Request.Body = new MemoryStream(data, newline + 1, data.Length - newline - 1);
        Targets.Rejects<S3Exception>(() =>
        {
            var form = PostForm.ReadAsync(context.Request, CancellationToken.None).GetAwaiter().GetResult();
            using var file = new ContentLengthRangeStream(form.File.Body, 0, long.MaxValue, new BodyFailure());
            file.CopyTo(Stream.Null);
        }, ClientError);
    }
}
