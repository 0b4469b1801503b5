using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Operations;
using Gateway.S3Api.Operations.Multipart;
using Xunit;

namespace Gateway.Tests.S3Api;

/// <summary>CRC-64/NVME, the CRC combination behind S3's FULL_OBJECT multipart checksums, and the part checksums kept on an object.</summary>
public sealed class ChecksumCrcTests
{
    private static byte[] Crc64(ReadOnlySpan<byte> data)
    {
        var crc = new Crc64Nvme();
        crc.Append(data);
        return crc.GetCurrentHash();
    }

    /// <summary>Bit by bit from the definition, to hold the eight-bytes-a-step implementation to.</summary>
    private static ulong Crc64BitByBit(ReadOnlySpan<byte> data)
    {
        var crc = ulong.MaxValue;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x9A6C9329AC4BC9B5UL : crc >> 1;
        }
        return ~crc;
    }

    [Fact]
    public void Crc64_nvme_gives_the_standard_check_value()
    {
        Assert.Equal(0xAE8B14860A799888UL, BinaryPrimitives.ReadUInt64BigEndian(Crc64("123456789"u8)));
    }

    /// <summary>Values computed by AWS's own implementation, the npm package @aws-sdk/crc64-nvme 3.972.49 (its Crc64Nvme
    /// digest, base64); botocore's CRC64NVME needs awscrt, which is not installed here.</summary>
    [Theory]
    [InlineData("", "AAAAAAAAAAA=")]
    [InlineData("123456789", "rosUhgp5mIg=")]
    [InlineData("checksummed body", "x9P/nHUVchk=")]
    public void Crc64_nvme_matches_the_aws_sdk(string text, string expected)
    {
        Assert.Equal(expected, Convert.ToBase64String(Crc64(Encoding.ASCII.GetBytes(text))));
    }

    [Fact]
    public void Crc64_nvme_matches_the_aws_sdk_over_a_longer_pattern()
    {
        var pattern = Enumerable.Range(0, 1000).Select(i => (byte)((i * 7 + 3) & 255)).ToArray();
        Assert.Equal("OH6Gi9FN6+0=", Convert.ToBase64String(Crc64(pattern)));
    }

    [Fact]
    public void Crc64_nvme_is_the_same_appended_in_any_pieces_and_matches_the_bitwise_definition()
    {
        var data = new byte[10_007];
        new Random(17).NextBytes(data);
        var whole = BinaryPrimitives.ReadUInt64BigEndian(Crc64(data));
        Assert.Equal(Crc64BitByBit(data), whole);
        var pieces = new Crc64Nvme();
        for (int at = 0, step = 1; at < data.Length; at += step, step = step % 13 + 1) pieces.Append(data.AsSpan(at, Math.Min(step, data.Length - at)));
        Assert.Equal(whole, BinaryPrimitives.ReadUInt64BigEndian(pieces.GetCurrentHash()));
    }

    private static ulong Crc(string algorithm, ReadOnlySpan<byte> data) => algorithm switch
    {
        "crc32" => System.IO.Hashing.Crc32.HashToUInt32(data),
        "crc32c" => Crc32COf(data),
        _ => BinaryPrimitives.ReadUInt64BigEndian(Crc64(data)),
    };

    private static uint Crc32COf(ReadOnlySpan<byte> data)
    {
        var crc = new Crc32C();
        crc.Append(data);
        return BinaryPrimitives.ReadUInt32BigEndian(crc.GetCurrentHash());
    }

    [Theory]
    [InlineData("crc32")]
    [InlineData("crc32c")]
    [InlineData("crc64nvme")]
    public void Combining_the_crcs_of_two_buffers_gives_the_crc_of_their_concatenation(string algorithm)
    {
        var random = new Random(algorithm.Length);
        var combine = CrcCombine.For(algorithm)!;
        foreach (var (first, second) in new[] { (0, 0), (0, 5), (5, 0), (1, 1), (7, 8), (1000, 1), (3, 100_003), (65_536, 65_536), (12_345, 1_048_576) })
        {
            var a = new byte[first];
            var b = new byte[second];
            random.NextBytes(a);
            random.NextBytes(b);
            Assert.Equal(Crc(algorithm, [.. a, .. b]), combine.Combine(Crc(algorithm, a), Crc(algorithm, b), b.Length));
        }
    }

    [Theory]
    [InlineData("crc32")]
    [InlineData("crc32c")]
    [InlineData("crc64nvme")]
    public void A_full_object_checksum_is_the_crc_of_the_parts_end_to_end(string algorithm)
    {
        var random = new Random(41);
        var parts = new[] { 5 * 1024 * 1024, 5 * 1024 * 1024 + 3, 17 }.Select(n =>
        {
            var part = new byte[n];
            random.NextBytes(part);
            return part;
        }).ToList();
        string Base64(ulong crc) => Convert.ToBase64String(algorithm == "crc64nvme"
            ? BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(crc))
            : BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness((uint)crc)));
        var sum = new UploadChecksum(algorithm, UploadChecksum.FullObject);
        var whole = Base64(Crc(algorithm, parts.SelectMany(p => p).ToArray()));
        Assert.Equal(whole, sum.Of([.. parts.Select(p => (Base64(Crc(algorithm, p)), (long)p.Length))]));
    }

    private static ObjectInfo Completed(string checksum, string? partChecksums, int parts)
    {
        var metadata = new Dictionary<string, string>
        {
            [MultipartMetadata.ETagKey] = $"0123456789abcdef0123456789abcdef-{parts}",
            [StoredChecksum.Key] = checksum,
        };
        if (partChecksums is not null) metadata[KeptPartChecksums.Key] = partChecksums;
        return new ObjectInfo { Key = "k", Size = 1, ETag = "\"x\"", LastModified = DateTimeOffset.UnixEpoch, Metadata = metadata };
    }

    [Fact]
    public void Part_checksums_are_kept_end_to_end_and_read_back_by_part_number()
    {
        string[] values = ["AAAAAQ==", "AAAAAg==", "/////w=="];
        var kept = KeptPartChecksums.Encode("crc32", values);
        var info = Completed("crc32:AAAAAA==-3", kept, 3);
        Assert.Equal(values, KeptPartChecksums.All(info)!.Value.Values);
        Assert.Equal(("crc32", "AAAAAg=="), KeptPartChecksums.Of(info, 2));
        Assert.Null(KeptPartChecksums.Of(info, 4));
        // A list that does not match the part count or the algorithm's size is not one this front door wrote.
        Assert.Null(KeptPartChecksums.All(Completed("crc32:AAAAAA==-4", kept, 4)));
        Assert.Null(KeptPartChecksums.All(Completed("sha256:AAAAAA==-3", kept, 3)));
    }

    [Fact]
    public void A_part_checksum_list_too_long_for_metadata_is_not_kept()
    {
        var sha256 = Convert.ToBase64String(new byte[32]);
        Assert.NotNull(KeptPartChecksums.Encode("sha256", Enumerable.Repeat(sha256, 24).ToList()));
        Assert.Null(KeptPartChecksums.Encode("sha256", Enumerable.Repeat(sha256, 25).ToList()));
    }
}
