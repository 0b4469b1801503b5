using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Operations.Multipart;
using Xunit;

namespace Gateway.Tests.S3Api;

public sealed class PartLayoutTests
{
    private static ObjectInfo Completed(string? layout, long size, int parts)
    {
        var metadata = new Dictionary<string, string> { [MultipartMetadata.ETagKey] = $"0123456789abcdef0123456789abcdef-{parts}" };
        if (layout is not null) metadata[PartLayout.Key] = layout;
        return new ObjectInfo { Key = "k", Size = size, ETag = "\"x\"", LastModified = DateTimeOffset.UnixEpoch, Metadata = metadata };
    }

    [Fact]
    public void Runs_of_equal_parts_are_written_once_and_read_back()
    {
        long[] sizes = [8_388_608, 8_388_608, 8_388_608, 1234, 5_242_880, 5_242_880];
        var layout = PartLayout.Encode(sizes);
        Assert.Equal("8388608*3,1234,5242880*2", layout);
        Assert.Equal(sizes, PartLayout.Decode(Completed(layout, sizes.Sum(), sizes.Length)));
        Assert.Equal(6, PartLayout.PartsCount(Completed(layout, sizes.Sum(), sizes.Length)));
    }

    [Fact]
    public void Ten_thousand_equal_parts_fit_and_a_layout_too_long_is_not_kept()
    {
        Assert.Equal("5242880*10000", PartLayout.Encode(Enumerable.Repeat(5_242_880L, 10_000).ToArray()));
        Assert.Null(PartLayout.Encode(Enumerable.Range(0, 200).Select(i => 5_242_880L + i).ToArray()));
    }

    [Theory]
    [InlineData("5*2", 11)]      // sizes do not add up to the object's
    [InlineData("5*x", 10)]
    [InlineData("5,-1", 4)]
    [InlineData("1*10001", 10001)]
    [InlineData("", 0)]
    public void A_layout_that_does_not_describe_the_object_is_not_used(string layout, long size) =>
        Assert.Null(PartLayout.Decode(Completed(layout, size, 2)));

    [Fact]
    public void A_single_part_object_has_no_parts_count() =>
        Assert.Null(PartLayout.PartsCount(new ObjectInfo { Key = "k", Size = 1, ETag = "\"x\"", LastModified = DateTimeOffset.UnixEpoch }));
}
