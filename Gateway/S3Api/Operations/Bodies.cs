using System.Globalization;
using System.Security.Cryptography;
using Gateway.S3Api.Auth;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Routing;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.S3Api.Operations;

/// <summary>
/// The request body as the signature says to read it: checked against a signed SHA-256, decoded from aws-chunked with
/// every chunk signature verified before use, or passed through for UNSIGNED-PAYLOAD. Nothing is buffered beyond one chunk.
/// </summary>
public static class Bodies
{
    /// <summary>S3's largest PutObject or UploadPart body (5 GiB): a larger object is a multipart upload.</summary>
    public const long MaxSingleUploadBytes = 5L * 1024 * 1024 * 1024;

    /// <param name="length">The payload's length when known (decoded length for aws-chunked), else -1.</param>
    public static Stream Open(S3Context c, out long length)
    {
        var request = c.Request;
        // aws-chunked framing adds bytes around the payload; its decoded length is checked below instead.
        var max = Math.Min(c.Services.MaxObjectBytes, MaxSingleUploadBytes);
        if (c.Http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = c.Caller.Streaming ? null : max;
        length = request.ContentLength ?? -1;
        if (c.Caller.Streaming)
        {
            var decoded = request.Headers["x-amz-decoded-content-length"].ToString();
            if (!long.TryParse(decoded, NumberStyles.None, CultureInfo.InvariantCulture, out length))
                throw S3Errors.MissingContentLength();
            if (length > max) throw S3Errors.EntityTooLarge(length, max);
            return new AwsChunkedStream(request.Body, c.Caller, c.Caller.StreamingSigned, c.Caller.StreamingTrailer, c.Services.Options.MaxChunkBytes, length, c.BodyFailure);
        }
        // S3 takes an object or part body only with its length: a plain chunked PUT is 411 MissingContentLength.
        if (length < 0 && request.Headers.TransferEncoding.Count > 0 && c.Key is not null && HttpMethods.IsPut(request.Method))
            throw S3Errors.MissingContentLength();
        if (length > max) throw S3Errors.EntityTooLarge(length, max);
        if (c.Caller.ExpectedSha256 is { } sha) return DigestCheckingStream.Sha256(request.Body, sha, length, c.BodyFailure);
        return request.Body;
    }

    /// <summary>A small XML request document (tagging, bucket configurations), bounded, with its Content-MD5 or x-amz-checksum-* checked.</summary>
    public static async Task<System.Xml.Linq.XDocument> ReadXmlAsync(S3Context c, int maxBytes)
    {
        var md5 = ObjectWriteOperations.ReadContentMd5(c.Request);
        var source = ChecksumVerifyingStream.Wrap(c, Open(c, out var length), length);
        using var body = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (true)
        {
            var n = await source.ReadAsync(chunk, c.Aborted);
            if (n == 0) break;
            if (body.Length + n > maxBytes) throw S3Errors.MalformedXml();
            body.Write(chunk, 0, n);
        }
        if (md5 is not null && Convert.ToBase64String(MD5.HashData(body.GetBuffer().AsSpan(0, (int)body.Length))) != md5) throw S3Errors.BadDigest();
        body.Position = 0;
        return await Xml.S3Xml.ReadFromAsync(body, maxBytes, c.Aborted);
    }
}
