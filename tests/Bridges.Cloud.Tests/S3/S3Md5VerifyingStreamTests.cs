using System.Security.Cryptography;
using Gateway.Bridges.S3;
using Gateway.Contracts.Errors;
using Xunit;

namespace Gateway.Bridges.Cloud.Tests.S3;

/// <summary>
/// Issue 16 item 2: a whole-object S3 GET is checked against its ETag's MD5 by the bridge (AWSSDK.S3 checks only GETs
/// without a range). Bytes that differ from the ETag must never end cleanly.
/// </summary>
public sealed class S3Md5VerifyingStreamTests
{
    static readonly byte[] Body = RandomNumberGenerator.GetBytes(300_000);

    [Fact]
    public async Task Bytes_that_match_the_md5_pass_through_whole_and_end()
    {
        await using var stream = new S3Md5VerifyingStream(new MemoryStream(Body), Convert.ToBase64String(MD5.HashData(Body)));
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy, 64 * 1024);
        Assert.Equal(Body, copy.ToArray());
    }

    [Fact]
    public async Task Bytes_that_differ_from_the_md5_fail_the_read_that_reaches_the_end()
    {
        var altered = (byte[])Body.Clone();
        altered[^1] ^= 1;
        await using var stream = new S3Md5VerifyingStream(new MemoryStream(altered), Convert.ToBase64String(MD5.HashData(Body)));
        var buffer = new byte[64 * 1024];
        long read = 0;
        var error = await Assert.ThrowsAsync<GatewayException>(async () =>
        {
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0) read += n;
        });
        Assert.Equal(ErrorCode.Unavailable, error.Code);
        Assert.Equal(altered.Length, read); // every byte came through; only the end was refused
    }
}
