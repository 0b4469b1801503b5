using System.Globalization;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Routing;
using Gateway.Security;
using Gateway.Storage;

namespace Gateway.S3Api.Operations;

/// <summary>GetObject (ranges, conditionals, response-* overrides) and HeadObject. Bodies stream straight from the store.</summary>
public static class ObjectReadOperations
{
    private static readonly (string Query, string Header)[] Overrides =
    [
        ("response-content-type", "Content-Type"),
        ("response-content-language", "Content-Language"),
        ("response-expires", "Expires"),
        ("response-cache-control", "Cache-Control"),
        ("response-content-disposition", "Content-Disposition"),
        ("response-content-encoding", "Content-Encoding"),
    ];

    public static async Task GetAsync(S3Context c)
    {
        var t = c.Target;
        var key = c.RequiredKey;
        c.Require(Operation.Read, t.ObjectResource(key));
        // One "bytes=" range; anything else is ignored and the whole object served, as S3 does.
        var range = ObjectHttp.ReadRange(c.Request);
        var options = new GetObjectOptions { Range = range };
        int? partsCount = null;
        var partNumber = PartNumber(c);
        if (partNumber is { } number)
        {
            // The part's byte range, read from the version whose layout was looked at.
            var head = await t.Store.HeadObjectAsync(t.Bucket, key, ObjectConditions.None, c.Aborted);
            S3ObjectHeaders.CheckConditions(head, c.Request.Headers, read: true);
            (var part, partsCount) = PartRange(head, number);
            options = new GetObjectOptions { Range = part, Conditions = new ObjectConditions { IfMatch = [head.ETag] } };
        }
        ObjectContent opened;
        try { opened = await t.Store.GetObjectAsync(t.Bucket, key, options, c.Aborted); }
        catch (GatewayException e) when (e.Code == ErrorCode.RangeNotSatisfiable && HasConditions(c.Request.Headers))
        {
            // The conditions come before the range (RFC 9110 §13.2.2; S3, and this door's HEAD, answer so): a 304 or 412, not a 416.
            S3ObjectHeaders.CheckConditions(await t.Store.HeadObjectAsync(t.Bucket, key, ObjectConditions.None, c.Aborted), c.Request.Headers, read: true);
            throw;
        }
        await using var content = opened;
        S3ObjectHeaders.CheckConditions(content.Info, c.Request.Headers, read: true);
        var response = c.Response;
        S3ObjectHeaders.Write(response, content.Info);
        if (partsCount is { } count) response.Headers["x-amz-mp-parts-count"] = count.ToString(CultureInfo.InvariantCulture);
        if (partNumber is { } n && partsCount is not null) StoredChecksum.WritePart(c.Http, content.Info, n);
        else StoredChecksum.Write(c.Http, content.Info, !content.IsPartial || content.Length == content.Info.Size);
        ApplyOverrides(c);
        response.ContentLength = content.Length;
        if (content.IsPartial)
        {
            response.StatusCode = 206;
            response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture,
                $"bytes {content.Offset}-{content.Offset + content.Length - 1}/{content.Info.Size}");
        }
        else response.StatusCode = 200;
        await content.Body.CopyToAsync(response.Body, 64 * 1024, c.Aborted);
    }

    public static async Task HeadAsync(S3Context c)
    {
        var t = c.Target;
        var key = c.RequiredKey;
        c.Require(Operation.Read, t.ObjectResource(key));
        var partNumber = PartNumber(c);
        var info = await t.Store.HeadObjectAsync(t.Bucket, key, ObjectConditions.None, c.Aborted);
        S3ObjectHeaders.CheckConditions(info, c.Request.Headers, read: true);
        // A Range is answered as GetObject would answer it (206 with Content-Range, or 416), as S3 does on HEAD.
        var range = partNumber is null && ObjectHttp.ReadRange(c.Request) is { } requested
            ? requested.Resolve(info.Size) ?? throw S3Errors.InvalidRange(info.Size)
            : ((long Offset, long Length)?)null;
        S3ObjectHeaders.Write(c.Response, info);
        // The whole object's checksum (a multipart object's COMPOSITE one too), for no smaller range; a part of a multipart object its own.
        var multipart = Multipart.PartLayout.PartsCount(info) is not null;
        if (partNumber is { } asked && multipart) StoredChecksum.WritePart(c.Http, info, asked);
        else StoredChecksum.Write(c.Http, info, (partNumber is null || partNumber == 1) && (range is null || range.Value.Length == info.Size));
        ApplyOverrides(c);
        c.Response.ContentLength = info.Size;
        c.Response.StatusCode = 200;
        if (range is { } r)
        {
            c.Response.ContentLength = r.Length;
            c.Response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {r.Offset}-{r.Offset + r.Length - 1}/{info.Size}");
            c.Response.StatusCode = 206;
        }
        if (partNumber is not { } number) return;
        var (part, partsCount) = PartRange(info, number);
        if (partsCount is { } count) c.Response.Headers["x-amz-mp-parts-count"] = count.ToString(CultureInfo.InvariantCulture);
        if (part is { From: { } from, To: { } to })
        {
            c.Response.ContentLength = to - from + 1;
            c.Response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {from}-{to}/{info.Size}");
            c.Response.StatusCode = 206;
        }
    }

    private static bool HasConditions(IHeaderDictionary headers) =>
        headers.ContainsKey("If-Match") || headers.ContainsKey("If-None-Match") || headers.ContainsKey("If-Modified-Since") || headers.ContainsKey("If-Unmodified-Since");

    /// <summary>partNumber: 1-10000; null when absent. A Range header as well is refused, as S3 does.</summary>
    private static int? PartNumber(S3Context c)
    {
        if (!c.Request.Query.TryGetValue("partNumber", out var value)) return null;
        if (!int.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > Multipart.MultipartMetadata.MaxPartNumber)
            throw S3Errors.InvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", value.ToString());
        if (c.Request.Headers.Range.Count > 0) throw S3Errors.InvalidRequest("Cannot specify both Range header and partNumber query parameter");
        return n;
    }

    /// <summary>
    /// The byte range of one part and the part count to report. A single-part object is its own part 1 (the whole
    /// object); a multipart object completed here has its part sizes recorded (<see cref="Multipart.PartLayout"/>); one
    /// completed elsewhere, or before the sizes were recorded, cannot say where its parts lie: NotImplemented.
    /// </summary>
    private static (ByteRange? Range, int? PartsCount) PartRange(ObjectInfo info, int partNumber)
    {
        var count = Multipart.PartLayout.PartsCount(info);
        if (count is null)
        {
            if (partNumber != 1) throw S3Errors.InvalidPart("The requested partnumber is not satisfiable.");
            return (info.Size == 0 ? null : new ByteRange(0, info.Size - 1, null), null);
        }
        if (partNumber > count) throw S3Errors.InvalidPart("The requested partnumber is not satisfiable.");
        var sizes = Multipart.PartLayout.Decode(info)
            ?? throw S3Errors.NotImplemented("Reading a part of a multipart object whose part sizes were not recorded (completed before they were, or by another tool)");
        long offset = 0;
        for (var i = 0; i < partNumber - 1; i++) offset += sizes[i];
        var length = sizes[partNumber - 1];
        return (length == 0 ? null : new ByteRange(offset, offset + length - 1, null), count);
    }

    private static void ApplyOverrides(S3Context c)
    {
        foreach (var (query, header) in Overrides)
            if (c.Request.Query.TryGetValue(query, out var v) && v.Count == 1 && v[0] is { Length: > 0 } value)
            {
                // A response header holds printable US-ASCII only: Kestrel throws on anything else (a 500, not the client's error).
                if (value.Any(ch => ch < 0x20 || ch >= 0x7f)) throw S3Errors.InvalidArgument($"{query} holds a character outside printable US-ASCII.", query, value);
                c.Response.Headers[header] = value;
            }
    }
}
