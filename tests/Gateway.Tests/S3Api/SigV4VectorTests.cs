using System.Text;
using Gateway.S3Api.Auth;
using Gateway.S3Api.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Xunit;

namespace Gateway.Tests.S3Api;

/// <summary>The S3 API reference's SigV4 examples (see SigV4Vectors.md), computed by the front door's own code paths.</summary>
public sealed class SigV4VectorTests
{
    private const string AccessKey = "AKIAIOSFODNN7EXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string AmzDate = "20130524T000000Z";
    private const string Scope = "20130524/us-east-1/s3/aws4_request";
    private static readonly byte[] SigningKey = SigV4.SigningKey(SigV4.Aws4Secret(Secret), "20130524", "us-east-1");

    private static HttpRequest Request(string method, string rawTarget, params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        var q = rawTarget.IndexOf('?');
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = rawTarget;
        context.Request.Method = method;
        context.Request.Path = q < 0 ? rawTarget : rawTarget[..q];
        context.Request.QueryString = q < 0 ? QueryString.Empty : new QueryString(rawTarget[q..]);
        foreach (var (name, value) in headers) context.Request.Headers[name] = value;
        return context.Request;
    }

    [Fact]
    public void Get_object_with_a_range_signs_as_the_reference_example()
    {
        var request = Request("GET", "/test.txt",
            ("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"),
            ("x-amz-content-sha256", SigV4.EmptySha256), ("x-amz-date", AmzDate));
        var canonical = CanonicalRequest.Build(request, ["host", "range", "x-amz-content-sha256", "x-amz-date"], SigV4.EmptySha256, presigned: false);
        Assert.Equal("7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972", SigV4.HexSha256(canonical));
        Assert.Equal("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            SigV4.Sign(SigningKey, SigV4.StringToSign(AmzDate, Scope, canonical)));
    }

    [Fact]
    public void Presigned_get_signs_as_the_reference_example()
    {
        var request = Request("GET",
            "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
            ("Host", "examplebucket.s3.amazonaws.com"));
        var parsed = SigV4Request.Parse(request)!;
        Assert.True(parsed.Presigned);
        Assert.Equal(AccessKey, parsed.AccessKeyId);
        Assert.Equal(86400, parsed.ExpiresSeconds);
        var canonical = CanonicalRequest.Build(request, parsed.SignedHeaders, SigV4.UnsignedPayload, presigned: true);
        Assert.Equal(parsed.Signature, SigV4.Sign(SigningKey, SigV4.StringToSign(parsed.AmzDate, parsed.Scope, canonical)));
    }

    [Fact]
    public void Chunked_upload_seed_and_chunk_signatures_match_the_reference_example()
    {
        var request = Request("PUT", "/examplebucket/chunkObject.txt",
            ("Host", "s3.amazonaws.com"), ("x-amz-date", AmzDate), ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ("x-amz-content-sha256", SigV4.StreamingPayload), ("Content-Encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", "66560"), ("Content-Length", "66824"));
        string[] signed = ["content-encoding", "content-length", "host", "x-amz-content-sha256", "x-amz-date", "x-amz-decoded-content-length", "x-amz-storage-class"];
        var seed = SigV4.Sign(SigningKey, SigV4.StringToSign(AmzDate, Scope, CanonicalRequest.Build(request, signed, SigV4.StreamingPayload, false)));
        Assert.Equal("4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9", seed);
        var first = SigV4.Sign(SigningKey, SigV4.ChunkStringToSign(AmzDate, Scope, seed, Enumerable.Repeat((byte)'a', 65536).ToArray()));
        Assert.Equal("ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648", first);
        var second = SigV4.Sign(SigningKey, SigV4.ChunkStringToSign(AmzDate, Scope, first, Enumerable.Repeat((byte)'a', 1024).ToArray()));
        Assert.Equal("0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497", second);
        var final = SigV4.Sign(SigningKey, SigV4.ChunkStringToSign(AmzDate, Scope, second, []));
        Assert.Equal("b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9", final);
    }

    [Fact]
    public void Uri_encoding_keeps_unreserved_characters_and_encodes_the_rest_as_utf8()
    {
        Assert.Equal("a%20b/c~d_e.f-g", SigV4.UriEncode("a b/c~d_e.f-g", keepSlash: true));
        Assert.Equal("a%2Fb%2B%3D%C3%A9%F0%9F%98%80", SigV4.UriEncode("a/b+=é😀", keepSlash: false));
        Assert.Equal("a=1&b=&c=%2F", CanonicalRequest.CanonicalQuery("c=%2f&b&a=1", presigned: false));
    }

    [Fact]
    public void Malformed_credentials_are_refused_before_any_key_lookup()
    {
        var wrongService = Request("GET", "/x", ("Host", "h"), ("x-amz-date", AmzDate),
            ("Authorization", $"AWS4-HMAC-SHA256 Credential={AccessKey}/20130524/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature={new string('0', 64)}"));
        Assert.Equal("AuthorizationHeaderMalformed", Assert.Throws<S3Exception>(() => SigV4Request.Parse(wrongService)).Code);
        var noHost = Request("GET", "/x", ("Host", "h"), ("x-amz-date", AmzDate),
            ("Authorization", $"AWS4-HMAC-SHA256 Credential={AccessKey}/20130524/us-east-1/s3/aws4_request, SignedHeaders=x-amz-date, Signature={new string('0', 64)}"));
        Assert.Equal("AuthorizationHeaderMalformed", Assert.Throws<S3Exception>(() => SigV4Request.Parse(noHost)).Code);
        var v2 = Request("GET", "/x?AWSAccessKeyId=a&Signature=b&Expires=1", ("Host", "h"));
        Assert.Equal("InvalidRequest", Assert.Throws<S3Exception>(() => SigV4Request.Parse(v2)).Code);
    }
}
