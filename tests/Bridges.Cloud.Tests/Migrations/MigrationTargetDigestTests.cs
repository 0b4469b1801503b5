using System.Security.Cryptography;
using Gateway.Testing;
using Gateway.Testing.Migrations;
using Xunit;

namespace Gateway.Bridges.Cloud.Tests.Migrations;

/// <summary>
/// A target that keeps other bytes than it was sent must fail the move, never be vouched for with the sender's own MD5.
/// A real one: s3rver does not decode aws-chunked uploads and stores the chunk framing as the object, so an S3 store
/// without <c>PlainPayloads</c> in front of it answers a PUT with the ETag (MD5) of bytes that are not the body.
/// </summary>
public sealed class MigrationTargetDigestTests : IAsyncLifetime
{
    private GatewayServer _server = null!;
    private MigrationClient _api = null!;

    public async Task InitializeAsync()
    {
        CloudBackends.EnsureAnswers("s3", CloudBackends.S3Endpoint);
        var settings = CloudBackends.S3AndAzureStores().ToDictionary(kv => kv.Key, kv => (string?)kv.Value);
        foreach (var (key, value) in CloudBackends.S3AndAzureStores().Where(kv => kv.Key.StartsWith("Gateway:Stores:s3:", StringComparison.Ordinal)))
            settings["Gateway:Stores:s3-chunked:" + key["Gateway:Stores:s3:".Length..]] = value;
        settings["Gateway:Stores:s3-chunked:PlainPayloads"] = "false";
        _server = await GatewayServer.StartAsync(settings);
        _api = new MigrationClient(_server);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_target_that_stored_other_bytes_than_were_sent_fails_each_item_and_counts_none_done()
    {
        var (src, dst) = ("dig-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), "dig-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        await _api.CreateBucketAsync("s3", src);
        await _api.CreateBucketAsync("s3-chunked", dst);
        var keys = new[] { "a.bin", "dir/b c.bin", "ü+%.bin" };
        foreach (var key in keys) await _api.PutAsync("s3", src, key, RandomNumberGenerator.GetBytes(1500));

        var id = await _api.StartAsync(new { source = new { store = "s3", bucket = src }, target = new { store = "s3-chunked", bucket = dst } });
        var end = await _api.WaitForEndAsync(id);

        Assert.True(end.GetProperty("state").GetString() == "failed", end.ToString());
        Assert.Equal(0, end.GetProperty("objects").GetProperty("done").GetInt64());
        var failed = await _api.ItemsAsync(id, "failed");
        Assert.Equal(keys.Order(StringComparer.Ordinal), failed.Select(i => i.GetProperty("key").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(failed, i => Assert.Equal("the target's MD5 does not match the bytes sent", i.GetProperty("error").GetString()));
        await _api.AssertTotalsMatchItemsAsync(id);
    }
}
