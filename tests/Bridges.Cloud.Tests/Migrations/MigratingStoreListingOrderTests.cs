using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Bridges.Cloud.Tests.Gcs;
using Gateway.Testing;
using Gateway.Testing.Migrations;
using Xunit;

namespace Gateway.Bridges.Cloud.Tests.Migrations;

/// <summary>
/// A migrating store between two stores that both page in UTF-16 code-unit order (Azurite, and the Firebase Storage
/// emulator, which pages so too) lists in that order. It merged and resumed in UTF-8 byte order, in which a key after a
/// supplementary character (<c>a😀</c>) sorts below keys in U+E000-U+FFFF (<c>a\uE000</c>, <c>a～</c>), so a listing
/// resumed after <c>a😀</c> skipped those.
/// </summary>
public sealed class MigratingStoreListingOrderTests : IAsyncLifetime
{
    private GcsTestEndpoint _endpoint = null!;
    private GatewayServer _server = null!;
    private MigrationClient _api = null!;

    public async Task InitializeAsync()
    {
        CloudBackends.EnsureAnswers("azurite", CloudBackends.AzuriteEndpoint + "?comp=list");
        CloudBackends.EnsureAnswers("gcs", CloudBackends.GcsEndpoint + "/storage/v1/b/ready-check/o");
        _endpoint = await GcsTestEndpoint.StartAsync(CloudBackends.GcsEndpoint, new GcsApiFront(CloudBackends.GcsEndpoint, CloudBackends.GcsProject));
        _server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Stores:azure:Kind"] = "azure-blob",
            ["Gateway:Stores:azure:ServiceUri"] = CloudBackends.AzuriteEndpoint,
            ["Gateway:Stores:azure:AccountName"] = CloudBackends.AzuriteAccount,
            ["Gateway:Stores:azure:AccountKey"] = CloudBackends.AzuriteKey,
            ["Gateway:Stores:gcs:Kind"] = "gcs",
            ["Gateway:Stores:gcs:Endpoint"] = _endpoint.Url,
            ["Gateway:Stores:gcs:ProjectId"] = CloudBackends.GcsProject,
            ["Gateway:Stores:gcs:Anonymous"] = "true",
            ["Gateway:Stores:gcs:ServerPagesInTheKindsOrder"] = "false",
            ["Gateway:Stores:live:Kind"] = "migrating",
            ["Gateway:Stores:live:From"] = "azure",
            ["Gateway:Stores:live:To"] = "gcs",
        });
        _api = new MigrationClient(_server);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _endpoint.DisposeAsync();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(1000)]
    public async Task Pages_of_a_migrating_store_over_two_utf16_stores_list_every_key_once_in_that_order(int pageSize)
    {
        var bucket = "order-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        await _api.CreateBucketAsync("azure", bucket);
        await _api.CreateBucketAsync("gcs", bucket);
        string[] fromKeys = ["a", "a😀", "a\uFF5E", "b\uE000", "c"];
        string[] toKeys = ["a\uE000", "a😀", "b😀", "b\uFF5E"];
        foreach (var key in fromKeys) await _api.PutAsync("azure", bucket, key, "from"u8.ToArray());
        foreach (var key in toKeys) await _api.PutAsync("gcs", bucket, key, "to"u8.ToArray());

        var listed = new List<string>();
        string? token = null;
        do
        {
            var page = await _server.Client.GetFromJsonAsync<JsonElement>($"v1/stores/live/buckets/{bucket}/objects?pageSize={pageSize}"
                + (token is null ? "" : $"&pageToken={Uri.EscapeDataString(token)}"));
            listed.AddRange(page.GetProperty("objects").EnumerateArray().Select(o => o.GetProperty("key").GetString()!));
            token = page.TryGetProperty("nextPageToken", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        } while (token is not null);

        var expected = fromKeys.Union(toKeys).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, listed);
    }
}
