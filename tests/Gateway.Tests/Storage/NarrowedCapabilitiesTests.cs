using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Testing;
using Gateway.Testing.Conformance;
using Xunit;

namespace Gateway.Tests.Storage;

/// <summary>
/// Issue 10 item 6: a store whose features are switched off (Gateway:Stores:{name}:Capabilities) says so in its flags,
/// and a call that needs one answers 501 not-implemented without reaching the store.
/// </summary>
public sealed class NarrowedCapabilitiesTests : IAsyncLifetime
{
    private const string Store = "narrow";
    private readonly string _root = Directory.CreateTempSubdirectory("gateway-narrow-").FullName;
    private GatewayServer _server = null!;
    private HttpClient Http => _server.Client;

    public async Task InitializeAsync()
    {
        _server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            [$"Gateway:Stores:{Store}:Kind"] = "local",
            [$"Gateway:Stores:{Store}:Root"] = _root,
            [$"Gateway:Stores:{Store}:Capabilities:ListBuckets"] = "false",
            [$"Gateway:Stores:{Store}:Capabilities:ServerSideCopy"] = "false",
            [$"Gateway:Stores:{Store}:Capabilities:Ranges"] = "false",
            [$"Gateway:Stores:{Store}:Capabilities:UserMetadata"] = "false",
            [$"Gateway:Stores:{Store}:Capabilities:ConditionalRequests"] = "false",
            [$"Gateway:Stores:{Store}:Capabilities:CreateOnly"] = "false",
        });
        using var create = await Http.PutAsync($"v1/stores/{Store}/buckets/bkt", null);
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        using var put = await Http.PutAsync($"v1/stores/{Store}/buckets/bkt/objects/plain", new StringContent("0123456789"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task The_store_lists_the_switched_off_flags_as_false_and_keeps_the_rest()
    {
        var stores = await Http.GetFromJsonAsync<JsonElement>("v1/stores");
        var flags = stores.GetProperty("stores").EnumerateArray().Single(s => s.GetProperty("name").GetString() == Store).GetProperty("capabilities");
        foreach (var off in new[] { "listBuckets", "serverSideCopy", "ranges", "userMetadata", "conditionalRequests", "createOnly" })
            Assert.False(flags.GetProperty(off).GetBoolean(), off);
        Assert.True(flags.GetProperty("createBuckets").GetBoolean());
    }

    [Fact]
    public async Task Listing_buckets_is_501()
    {
        using var response = await Http.GetAsync($"v1/stores/{Store}/buckets");
        await AssertNotImplementedAsync(response, "listing buckets");
    }

    [Fact]
    public async Task A_server_side_copy_is_501_and_creates_no_target()
    {
        using var copy = await Http.PostAsJsonAsync($"v1/stores/{Store}/copy", new
        {
            source = new { bucket = "bkt", key = "plain" },
            target = new { bucket = "bkt", key = "copy" },
        });
        await AssertNotImplementedAsync(copy, "server-side copy");
        await AssertAbsentAsync("copy");
    }

    [Fact]
    public async Task A_ranged_get_is_501_while_a_whole_get_works()
    {
        var ranged = new HttpRequestMessage(HttpMethod.Get, $"v1/stores/{Store}/buckets/bkt/objects/plain");
        ranged.Headers.Range = new(2, 4);
        using (var response = await Http.SendAsync(ranged)) await AssertNotImplementedAsync(response, "ranged reads");
        // A HEAD answers a Range as the GET does, so it is refused the same way.
        var rangedHead = new HttpRequestMessage(HttpMethod.Head, $"v1/stores/{Store}/buckets/bkt/objects/plain");
        rangedHead.Headers.Range = new(2, 4);
        using (var response = await Http.SendAsync(rangedHead)) Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
        Assert.Equal("0123456789", await Http.GetStringAsync($"v1/stores/{Store}/buckets/bkt/objects/plain"));
    }

    [Fact]
    public async Task A_put_with_metadata_is_501_and_stores_nothing()
    {
        var put = new HttpRequestMessage(HttpMethod.Put, $"v1/stores/{Store}/buckets/bkt/objects/with-meta") { Content = new StringContent("x") };
        put.Headers.Add("x-meta-owner", "team-a");
        using (var response = await Http.SendAsync(put)) await AssertNotImplementedAsync(response, "user metadata");
        await AssertAbsentAsync("with-meta");
    }

    [Fact]
    public async Task A_create_only_put_and_a_conditional_get_are_501_and_change_nothing()
    {
        var createOnly = new HttpRequestMessage(HttpMethod.Put, $"v1/stores/{Store}/buckets/bkt/objects/fresh") { Content = new StringContent("x") };
        createOnly.Headers.IfNoneMatch.Add(System.Net.Http.Headers.EntityTagHeaderValue.Any);
        using (var response = await Http.SendAsync(createOnly)) await AssertNotImplementedAsync(response, "create-only writes");
        await AssertAbsentAsync("fresh");

        var conditional = new HttpRequestMessage(HttpMethod.Get, $"v1/stores/{Store}/buckets/bkt/objects/plain");
        conditional.Headers.IfNoneMatch.Add(new("\"anything\""));
        using (var response = await Http.SendAsync(conditional)) await AssertNotImplementedAsync(response, "conditional requests");
    }

    [Fact]
    public async Task An_unknown_capability_flag_stops_the_gateway_naming_it()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var _ = await GatewayServer.StartAsync(new Dictionary<string, string?>
            {
                ["Gateway:Stores:odd:Kind"] = "local",
                ["Gateway:Stores:odd:Root"] = Path.Combine(_root, "odd"),
                ["Gateway:Stores:odd:Capabilities:Teleport"] = "false",
            });
        });
        Assert.Contains("Gateway:Stores:odd:Capabilities", error.ToString());
        Assert.Contains("Teleport", error.ToString());
    }

    private async Task AssertAbsentAsync(string key)
    {
        using var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"v1/stores/{Store}/buckets/bkt/objects/{key}"));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }

    private static async Task AssertNotImplementedAsync(HttpResponseMessage response, string feature)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.NotImplemented, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(text);
        Assert.Equal("https://gateway.dev/problems/not-implemented", problem.RootElement.GetProperty("type").GetString());
        Assert.Contains(feature, problem.RootElement.GetProperty("detail").GetString());
    }
}

/// <summary>The whole conformance suite on a local store with features switched off: what it lacks is skipped, the rest must pass.</summary>
public sealed class NarrowedLocalStoreConformanceTests : ObjectStoreConformanceTests
{
    private static readonly string Root = Directory.CreateTempSubdirectory("gateway-narrow-conf-").FullName;

    protected override IReadOnlyDictionary<string, string?> StoreSettings => new Dictionary<string, string?>
    {
        ["Kind"] = "local",
        ["Root"] = Root,
        ["Capabilities:ServerSideCopy"] = "false",
        ["Capabilities:Ranges"] = "false",
        ["Capabilities:UserMetadata"] = "false",
    };

    protected override void EnsureBackendAvailable() { }

    protected override long LargeObjectBytes => 16L * 1024 * 1024;
}
