using System.Security.Cryptography;
using System.Text;
using Gateway.Testing;
using Gateway.Testing.Migrations;
using Xunit;

namespace Gateway.Bridges.Cloud.Tests.Migrations;

/// <summary>
/// A job learns what the target holds from the target's listing, walked beside the source's pages. Between a store that
/// lists in UTF-16 code-unit order (Azurite) and one that lists in UTF-8 byte order (the local store) the walk compared
/// keys in UTF-8 order only, so it stopped short of keys after a supplementary character: each was taken as absent, its
/// create-only write (the whole object read from the source) was refused by the object there, and the item was counted
/// as this job's copy (the session-48 migration probe: a sync of 3,257 identical objects reported 2,442 copied).
/// </summary>
public sealed class MigrationTargetWindowOrderTests : IAsyncLifetime
{
    private static readonly string[] Characters = ["\uE000", "\U0001F600", "\uFFFD", "\U00010000", "\uFF21", "\U0010FFFD", "z", "\uD7FF"];
    private readonly string _localRoot = Directory.CreateTempSubdirectory("window-order-").FullName;
    private GatewayServer _server = null!;
    private MigrationClient _api = null!;

    public async Task InitializeAsync()
    {
        CloudBackends.EnsureAnswers("azurite", CloudBackends.AzuriteEndpoint + "?comp=list");
        _server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Stores:azure:Kind"] = "azure-blob",
            ["Gateway:Stores:azure:ServiceUri"] = CloudBackends.AzuriteEndpoint,
            ["Gateway:Stores:azure:AccountName"] = CloudBackends.AzuriteAccount,
            ["Gateway:Stores:azure:AccountKey"] = CloudBackends.AzuriteKey,
            ["Gateway:Stores:disk:Kind"] = "local",
            ["Gateway:Stores:disk:Root"] = _localRoot,
        });
        _api = new MigrationClient(_server);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_localRoot, recursive: true);
    }

    [Theory]
    [InlineData("azure", "disk")]
    [InlineData("disk", "azure")]
    public async Task A_second_sync_between_stores_listing_in_different_orders_finds_every_object_identical(string from, string to)
    {
        var bucket = "window-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        await _api.CreateBucketAsync("azure", bucket);
        await _api.CreateBucketAsync("disk", bucket);
        var keys = Characters.SelectMany(c => Characters.Select(d => $"u/a{c}{d}")).ToList();
        foreach (var key in keys) await _api.PutAsync(from, bucket, key, Encoding.UTF8.GetBytes(key));

        object Sync() => new { source = new { store = from, bucket }, target = new { store = to, bucket }, mode = "sync" };
        var (_, first) = await _api.RunCompletedAsync(Sync());
        Assert.Equal(keys.Order(StringComparer.Ordinal), first.Keys.Order(StringComparer.Ordinal));
        Assert.All(first.Values, v => Assert.Equal("done/copy", v));

        var (status, second) = await _api.RunCompletedAsync(Sync());
        var copiedAgain = second.Where(i => i.Value != "skipped/identical").Select(i => $"{i.Key}: {i.Value}").ToList();
        Assert.True(copiedAgain.Count == 0, $"{copiedAgain.Count} of {keys.Count} not identical: {string.Join(", ", copiedAgain.Take(5))}");
        Assert.Equal(keys.Count, second.Count);
        Assert.Equal(0, status.GetProperty("bytes").GetProperty("done").GetInt64());
    }
}
