using System.Security.Cryptography;
using Amazon.S3;
using Gateway.Bridges.S3;
using Xunit;

namespace Gateway.Bridges.Cloud.Tests.S3;

/// <summary>
/// An S3 ETag names the body's MD5 only for a single-part object stored in the clear or under SSE-S3. Under SSE-KMS,
/// DSSE-KMS or SSE-C S3 answers another value, so HEAD, GET and PUT state no MD5 there: a migration or a caller that
/// compared the bytes with it would refuse a good object.
/// </summary>
public sealed class S3EtagMd5Tests
{
    static readonly byte[] Body = RandomNumberGenerator.GetBytes(1000);
    static readonly string Etag = $"\"{Convert.ToHexStringLower(MD5.HashData(Body))}\"";

    public static TheoryData<string?, string?, bool> Encryptions => new()
    {
        { null, null, true },
        { "AES256", null, true },
        { "aws:kms", null, false },
        { "aws:kms:dsse", null, false },
        { null, "AES256", false },
        { "AES256", "AES256", false },
    };

    [Theory]
    [MemberData(nameof(Encryptions))]
    public void The_etag_is_the_md5_only_in_the_clear_or_under_sse_s3(string? sse, string? customer, bool stated)
    {
        var md5 = S3Metadata.Md5FromETag(Etag, sse is null ? null : ServerSideEncryptionMethod.FindValue(sse),
            customer is null ? null : ServerSideEncryptionCustomerMethod.FindValue(customer));
        Assert.Equal(stated ? Convert.ToBase64String(MD5.HashData(Body)) : null, md5);
    }

    [Fact]
    public void A_multipart_etag_names_no_md5_whatever_the_encryption() =>
        Assert.Null(S3Metadata.Md5FromETag("\"0123456789abcdef0123456789abcdef-3\"", ServerSideEncryptionMethod.AES256, null));
}
