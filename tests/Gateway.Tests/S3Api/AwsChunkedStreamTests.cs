using System.Security.Claims;
using System.Text;
using Gateway.S3Api.Auth;
using Gateway.S3Api.Errors;
using Xunit;

namespace Gateway.Tests.S3Api;

/// <summary>aws-chunked decoding with the S3 reference example's signatures (SigV4Vectors.md).</summary>
public sealed class AwsChunkedStreamTests
{
    private const string Seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    private static readonly string[] ChunkSignatures =
    [
        "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
        "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
        "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
    ];

    private static S3Caller Caller()
    {
        var signature = new SigV4Request
        {
            AccessKeyId = "AKIAIOSFODNN7EXAMPLE", ScopeDate = "20130524", Region = "us-east-1", Service = "s3",
            SignedHeaders = ["host"], Signature = Seed, AmzDate = "20130524T000000Z",
            Time = new DateTimeOffset(2013, 5, 24, 0, 0, 0, TimeSpan.Zero),
        };
        var key = SigV4.SigningKey(SigV4.Aws4Secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), "20130524", "us-east-1");
        return new S3Caller(new S3AccessKey("AKIAIOSFODNN7EXAMPLE", "example", ["admin"], null, false), new ClaimsPrincipal(), signature, key, SigV4.StreamingPayload);
    }

    private static byte[] Body(int tamperAt = -1)
    {
        var body = new MemoryStream();
        void Chunk(int size, string signature)
        {
            body.Write(Encoding.ASCII.GetBytes($"{size:x};chunk-signature={signature}\r\n"));
            body.Write(Enumerable.Repeat((byte)'a', size).ToArray());
            body.Write("\r\n"u8);
        }
        Chunk(65536, ChunkSignatures[0]);
        Chunk(1024, ChunkSignatures[1]);
        Chunk(0, ChunkSignatures[2]);
        var bytes = body.ToArray();
        if (tamperAt >= 0) bytes[tamperAt] = (byte)'b';
        return bytes;
    }

    [Fact]
    public async Task The_reference_upload_decodes_to_its_payload()
    {
        var body = Body();
        Assert.Equal(66824, body.Length); // the example's Content-Length
        var failure = new BodyFailure();
        await using var stream = new AwsChunkedStream(new MemoryStream(body), Caller(), signed: true, trailers: false, 1 << 20, 66560, failure);
        var decoded = new MemoryStream();
        await stream.CopyToAsync(decoded);
        Assert.Equal(66560, decoded.Length);
        Assert.All(decoded.ToArray(), b => Assert.Equal((byte)'a', b));
        Assert.Null(failure.Error);
    }

    [Fact]
    public async Task A_tampered_chunk_is_refused_before_any_of_its_bytes_are_handed_on()
    {
        var body = Body(tamperAt: body0Length() + 100); // inside the second chunk's data
        var failure = new BodyFailure();
        await using var stream = new AwsChunkedStream(new MemoryStream(body), Caller(), signed: true, trailers: false, 1 << 20, 66560, failure);
        var delivered = 0L;
        var buffer = new byte[8192];
        var error = await Assert.ThrowsAsync<S3Exception>(async () =>
        {
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0) delivered += n;
        });
        Assert.Equal("SignatureDoesNotMatch", error.Code);
        Assert.Equal(65536, delivered); // the first, valid chunk only
        Assert.Same(error, failure.Error);

        static int body0Length() => $"{65536:x};chunk-signature={ChunkSignatures[0]}\r\n".Length + 65536 + 2 + $"{1024:x};chunk-signature={ChunkSignatures[1]}\r\n".Length;
    }

    [Fact]
    public async Task A_body_shorter_than_its_decoded_length_is_refused()
    {
        var failure = new BodyFailure();
        await using var stream = new AwsChunkedStream(new MemoryStream(Body()), Caller(), signed: true, trailers: false, 1 << 20, 70000, failure);
        var error = await Assert.ThrowsAsync<S3Exception>(() => stream.CopyToAsync(Stream.Null));
        Assert.Equal("IncompleteBody", error.Code);
    }
}
