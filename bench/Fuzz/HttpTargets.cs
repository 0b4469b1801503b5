using System.Text;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.Hosting;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Operations;
using Gateway.S3Api.Routing;
using Gateway.Security;
using Gateway.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Gateway.Fuzz;

/// <summary>
/// The object API's header and name parsers and the page tokens a caller hands back. The rejection is a
/// <see cref="GatewayException"/> whose code is a 4xx (problem+json), or for the S3 front door a 4xx <see cref="S3Exception"/>.
/// </summary>
public static class HttpTargets
{
    private static bool ClientError(GatewayException e) => e.Code.HttpStatus() is >= 400 and < 500;
    private static bool ClientError(S3Exception e) => e.Status is >= 400 and < 500;

    private static readonly ObjectInfo Current = new()
    {
        Key = "k", Size = 1000, ETag = "\"9a0364b9e99bb480dd25e1f0284c8555\"", LastModified = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
    };

    /// <summary>Lines: Range, If-Range, If-Match, If-None-Match, If-Modified-Since, Content-MD5, Content-Type, an x-meta-* name=value, the object key as sent.</summary>
    public static void ObjectHeaders(byte[] data)
    {
        var f = Targets.Fields(data, 9);
        var meta = f[7].IndexOf('=') is > 0 and var eq ? ("x-meta-" + f[7][..eq], f[7][(eq + 1)..]) : ("x-meta-a", f[7]);
        if (S3Targets.Request("PUT", "/v1/stores/local/buckets/b/objects/" + f[8],
            ("Range", f[0]), ("If-Range", f[1]), ("If-Match", f[2]), ("If-None-Match", f[3]), ("If-Modified-Since", f[4]),
            ("Content-MD5", f[5]), ("Content-Type", f[6]), meta) is not { } request) return;
        Targets.Rejects<GatewayException>(() =>
        {
            if (ObjectHttp.ReadRange(request) is { } range) _ = range.Resolve(Current.Size);
            _ = ObjectHttp.IfRangeHolds(request, Current);
        }, ClientError);
        Targets.Rejects<GatewayException>(() => ObjectHttp.ReadConditions(request), ClientError);
        Targets.Rejects<GatewayException>(() => ObjectHttp.ReadMetadata(request), ClientError);
        Targets.Rejects<GatewayException>(() => ObjectHttp.ReadContentHeaders(request), ClientError);
        Targets.Rejects<GatewayException>(() => ObjectHttp.ReadContentMd5(request), ClientError);
        Targets.Rejects<GatewayException>(() => ObjectHttp.ReadContentType(request), ClientError);
        Targets.Rejects<GatewayException>(() => ObjectHttp.ReadKey(request.HttpContext, f[8]), ClientError);
        Targets.Rejects<GatewayException>(() => ObjectNames.ValidateBucket(f[8]), ClientError);
        Targets.Rejects<GatewayException>(() => ObjectNames.ValidatePrefix(f[8]), ClientError);
        Targets.Rejects<GatewayException>(() => ObjectNames.ValidateDelimiter(f[8]), ClientError);
        Targets.Rejects<S3Exception>(() => S3Addressing.ValidateKey(f[8]), ClientError);
        Targets.Rejects<S3Exception>(() => ConditionalHeaders.Check(request.Headers), ClientError);
    }

    private static readonly PageTokenSealer Sealer = new(Options.Create(new GatewayOptions
    {
        PageTokenKeyFile = Path.Combine(Path.GetTempPath(), "gateway-fuzz-page-tokens.key"),
    }));

    /// <summary>Byte 0 picks: the object API's sealed token, a bridge's wrapped platform token, the S3 continuation token.</summary>
    public static void PageTokens(byte[] data)
    {
        if (data.Length == 0) return;
        var token = Encoding.UTF8.GetString(data.AsSpan(1));
        switch (data[0] % 3)
        {
            case 0: Targets.Rejects<GatewayException>(() => Sealer.Open("local", "b", null, "/", token), ClientError); break;
            case 1: Targets.Rejects<GatewayException>(() => Contracts.ObjectStorage.PageTokens.Unwrap("s3", token), ClientError); break;
            default: Targets.Rejects<S3Exception>(() => ListOperations.DecodeToken(token), ClientError); break;
        }
    }

    /// <summary>
    /// Lines: Signature-Input, Signature, Content-Digest (RFC 8941 dictionaries, read before any key is known), then the
    /// signature base of each covered-component list. Rejections: <see cref="FormatException"/> (the handler's 401) and a
    /// 4xx <see cref="GatewayException"/> (Content-Digest's 400).
    /// </summary>
    public static void StructuredFieldHeaders(byte[] data)
    {
        var f = Targets.Fields(data, 3);
        if (S3Targets.Request("PUT", "/v1/stores/local/buckets/b/objects/k?x=1", ("Signature-Input", f[0]), ("Signature", f[1]), ("Content-Digest", f[2]),
            ("Content-Type", "text/plain")) is not { } request) return;
        foreach (var header in new[] { f[0], f[1] })
        {
            Targets.Rejects<FormatException>(() =>
            {
                foreach (var entry in StructuredFields.ParseDictionary(header))
                {
                    _ = entry.Member.Parameter("keyid");
                    if (entry.Member.Value is List<SfMember> items && items.All(i => i.Value is string))
                        _ = SignatureBase.Build(request.HttpContext, [.. items.Select(i => (string)i.Value)], entry.Raw);
                }
            });
        }
        Targets.Rejects<GatewayException>(() => ContentDigest.VerifyWhileReading(request.HttpContext, () => { }), ClientError);
    }
}
