using System.Globalization;
using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Routing;
using Gateway.Security;
using Microsoft.Net.Http.Headers;

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
        if (c.Request.Query.ContainsKey("partNumber")) throw S3Errors.NotImplemented("GetObject by partNumber");
        var range = ReadRange(c.Request);
        await using var content = await t.Store.GetObjectAsync(t.Bucket, key, new GetObjectOptions { Range = range }, c.Aborted);
        S3ObjectHeaders.CheckConditions(content.Info, c.Request.Headers, read: true);
        var response = c.Response;
        S3ObjectHeaders.Write(response, content.Info);
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
        var info = await t.Store.HeadObjectAsync(t.Bucket, key, ObjectConditions.None, c.Aborted);
        S3ObjectHeaders.CheckConditions(info, c.Request.Headers, read: true);
        S3ObjectHeaders.Write(c.Response, info);
        ApplyOverrides(c);
        c.Response.ContentLength = info.Size;
        c.Response.StatusCode = 200;
    }

    private static void ApplyOverrides(S3Context c)
    {
        foreach (var (query, header) in Overrides)
            if (c.Request.Query.TryGetValue(query, out var v) && v.Count == 1 && v[0] is { Length: > 0 } value)
            {
                if (value.Any(ch => ch < 0x20 || ch == 0x7f)) throw S3Errors.InvalidArgument($"{query} holds a control character.");
                c.Response.Headers[header] = value;
            }
    }

    /// <summary>One "bytes=" range; anything else is ignored and the whole object served, as S3 does.</summary>
    private static ByteRange? ReadRange(HttpRequest request)
    {
        if (!RangeHeaderValue.TryParse(request.Headers.Range.ToString(), out var header)) return null;
        if (!string.Equals(header.Unit.Value, "bytes", StringComparison.OrdinalIgnoreCase) || header.Ranges.Count != 1) return null;
        var r = header.Ranges.First();
        if (r.From is null) return r.To is { } suffix ? new ByteRange(null, null, suffix) : null;
        if (r.To is { } to && to < r.From) return null;
        return new ByteRange(r.From, r.To, null);
    }
}
