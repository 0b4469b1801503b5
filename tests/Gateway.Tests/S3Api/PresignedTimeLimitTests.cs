using Gateway.S3Api.Auth;
using Gateway.Testing;
using Gateway.Testing.S3;
using Xunit;

namespace Gateway.Tests.S3Api;

/// <summary>
/// A presigned URL whose X-Amz-Date is at an end of the calendar (0001 or 9999), correctly signed by a valid key, is
/// refused as S3 refuses a URL that is not valid yet or no longer: a 403 AccessDenied in S3's XML. Until this change
/// the verifier computed X-Amz-Date minus the clock skew and X-Amz-Date plus X-Amz-Expires as dates, which fell off the
/// calendar: ArgumentOutOfRangeException, a 500. (Found reading the verifier while fuzzing the SigV4 parser, which the
/// fuzzer itself cannot get past: the checks sit behind the signature.)
/// </summary>
public sealed class PresignedTimeLimitTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("gw-s3-presign-").FullName;
    private readonly string _bucket = S3FrontDoor.NewBucketName();
    private S3FrontDoor _door = null!;

    public async Task InitializeAsync() =>
        _door = await S3FrontDoor.StartAsync(new Dictionary<string, string?> { ["Kind"] = "local", ["Root"] = _root });

    public async Task DisposeAsync()
    {
        await _door.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Theory]
    [InlineData("99991231T235959Z", "604800", "Request is not valid yet")]
    [InlineData("99991231T235959Z", "0", "Request is not valid yet")]
    [InlineData("00010101T000000Z", "604800", "Request has expired")]
    public async Task A_signed_url_dated_at_the_ends_of_the_calendar_is_access_denied(string amzDate, string expires, string message)
    {
        var target = Presigned($"/{_bucket}/obj.txt", amzDate, expires);
        var answer = await RawHttp.SendAsync(_door.Endpoint, "GET", target);
        Assert.Equal(403, answer.Status);
        Assert.Contains("<Code>AccessDenied</Code>", answer.Payload, StringComparison.Ordinal);
        Assert.Contains(message, answer.Payload, StringComparison.Ordinal);
    }

    private string Presigned(string path, string amzDate, string expires)
    {
        var date = amzDate[..8];
        var scope = $"{date}/{S3FrontDoor.Region}/{SigV4.Service}/{SigV4.Terminator}";
        var query = $"X-Amz-Algorithm={SigV4.Algorithm}&X-Amz-Credential={_door.AccessKeyId}%2F{Uri.EscapeDataString(scope)}"
            + $"&X-Amz-Date={amzDate}&X-Amz-Expires={expires}&X-Amz-SignedHeaders=host";
        var canonical = $"GET\n{CanonicalRequest.CanonicalUri(path)}\n{CanonicalRequest.CanonicalQuery(query, presigned: true)}\n"
            + $"host:{_door.Endpoint.Host}:{_door.Endpoint.Port}\n\nhost\n{SigV4.UnsignedPayload}";
        var key = SigV4.SigningKey(SigV4.Aws4Secret(_door.Secret), date, S3FrontDoor.Region);
        return $"{path}?{query}&X-Amz-Signature={SigV4.Sign(key, SigV4.StringToSign(amzDate, scope, canonical))}";
    }
}
