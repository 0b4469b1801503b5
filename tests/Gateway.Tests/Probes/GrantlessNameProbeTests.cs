using System.Security.Cryptography;
using System.Text;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.Probes;

/// <summary>
/// A caller without a grant on Docker hosts learns nothing of which host names exist from a refused media type: the
/// catch-all that answers 415 asks no grant, so the name check there runs only for a caller the endpoint admits
/// (session 27's review of NamedBridgeGuard: a configured host answered 415 and an unknown one 404).
/// </summary>
public sealed class GrantlessNameProbeTests : IAsyncLifetime
{
    private static readonly string OutsiderKey = "gwk_test_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
    private static readonly string StoreKeeperKey = "gwk_test_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
    private GatewayServer _server = null!;

    public async Task InitializeAsync() => _server = await GatewayServer.StartAsync(new Dictionary<string, string?>
    {
        ["Gateway:Docker:Hosts:engine:Endpoint"] = "unix:///nonexistent/gw-grantless-names.sock",
        ["Gateway:Security:ApiKeys:outsider:Hash"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(OutsiderKey))),
        ["Gateway:Security:ApiKeys:outsider:Scopes:0"] = "read:migrations",
        // Read and write on every store, so on "nostore" too: told that it does not exist whatever the body.
        ["Gateway:Security:ApiKeys:keeper:Hash"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(StoreKeeperKey))),
        ["Gateway:Security:ApiKeys:keeper:Scopes:0"] = "read,write:stores/**",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_refused_media_type_answers_the_same_for_a_configured_and_an_unknown_host()
    {
        string[] outsider = [$"X-Api-Key: {OutsiderKey}", "Content-Type: text/plain"];
        var configured = await RawHttp.SendAsync(_server.BaseAddress, "POST", "/v1/docker/engine/containers", "{}", outsider);
        var unknown = await RawHttp.SendAsync(_server.BaseAddress, "POST", "/v1/docker/nosuchhost/containers", "{}", outsider);

        Assert.Equal(415, configured.Status);
        Assert.Equal(415, unknown.Status);
    }

    [Theory]
    // The copy's grant is decided by its body (read on the source, write on the target): a store not configured was a 404
    // for any caller before the body was judged, while a configured one answered 403 (or 400, 415) to a caller without a grant.
    [InlineData("{\"source\":{\"bucket\":\"b\",\"key\":\"k\"},\"target\":{\"bucket\":\"b\",\"key\":\"k2\"}}", "application/json", 403)]
    [InlineData("{}", "application/json", 400)]
    [InlineData("{}", "text/plain", 415)]
    public async Task A_copy_answers_a_caller_without_a_grant_the_same_for_a_configured_and_an_unknown_store(string body, string type, int status)
    {
        string[] outsider = [$"X-Api-Key: {OutsiderKey}", $"Content-Type: {type}"];
        var configured = await RawHttp.SendAsync(_server.BaseAddress, "POST", "/v1/stores/local/copy", body, outsider);
        var unknown = await RawHttp.SendAsync(_server.BaseAddress, "POST", "/v1/stores/nostore/copy", body, outsider);

        Assert.Equal(status, configured.Status);
        Assert.Equal(status, unknown.Status);
    }

    [Fact]
    public async Task A_copy_by_a_caller_holding_the_whole_store_still_hears_of_an_unknown_store_first()
    {
        string[] keeper = [$"X-Api-Key: {StoreKeeperKey}", "Content-Type: application/json"];
        var unknown = await RawHttp.SendAsync(_server.BaseAddress, "POST", "/v1/stores/nostore/copy", "{}", keeper);
        var configured = await RawHttp.SendAsync(_server.BaseAddress, "POST", "/v1/stores/local/copy", "{}", keeper);

        Assert.Equal(404, unknown.Status);
        Assert.Equal(400, configured.Status);
    }
}
