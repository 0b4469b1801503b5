using System.Security.Cryptography;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Channel.Tests;

public class SmokeTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Put_then_get_round_trips_through_the_channel(bool tcp)
    {
        await using var h = ChannelHarness.Create(tcp: tcp);
        var store = h.Remote;
        await store.CreateBucketAsync("bucket-one", default);
        var data = RandomNumberGenerator.GetBytes(1_000_000);
        var info = await store.PutObjectAsync("bucket-one", "a/b.bin", new MemoryStream(data), new PutObjectOptions(), default);
        Assert.Equal(data.Length, info.Size);
        await using var content = await store.GetObjectAsync("bucket-one", "a/b.bin", new GetObjectOptions(), default);
        var copy = new MemoryStream();
        await content.Body.CopyToAsync(copy);
        Assert.Equal(data, copy.ToArray());
        var entries = await h.Audit.ReadAsync(0, 100, default);
        Assert.Equal(["object-storage.create-bucket", "object-storage.put-object", "object-storage.get-object"], entries.Select(e => e.Operation));
    }
}
