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
    private GatewayServer _server = null!;

    public async Task InitializeAsync() => _server = await GatewayServer.StartAsync(new Dictionary<string, string?>
    {
        ["Gateway:Docker:Hosts:engine:Endpoint"] = "unix:///nonexistent/gw-grantless-names.sock",
        ["Gateway:Security:ApiKeys:outsider:Hash"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(OutsiderKey))),
        ["Gateway:Security:ApiKeys:outsider:Scopes:0"] = "read:migrations",
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
}
