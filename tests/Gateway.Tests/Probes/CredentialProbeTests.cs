using System.Text.Json;
using Gateway.Testing;
using Gateway.Testing.OpenApi;
using Xunit;

namespace Gateway.Tests.Probes;

/// <summary>
/// A credential in a form the gateway does not take (a bearer token where no JWT issuer is configured, Basic, another
/// scheme) is a 401 whose detail says so; it said "Credentials are required", as if none had been sent. Nothing is written.
/// </summary>
public sealed class CredentialProbeTests : IAsyncLifetime
{
    private GatewayServer _server = null!;
    private readonly OpenApiContract _contract = OpenApiContract.Load();

    public async Task InitializeAsync() => _server = await GatewayServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln")]
    [InlineData("Authorization: Basic Zm9vOmJhcg==")]
    [InlineData("Authorization: Negotiate abc")]
    public async Task An_authorization_scheme_the_gateway_does_not_take_is_a_401_that_says_so(string header)
    {
        var answer = await RawHttp.SendAsync(_server.BaseAddress, "PUT", "/v1/stores/local/buckets/not-made", "", [header]);
        Assert.True(answer.Status == 401, $"{answer.Status} {answer.Payload}");
        Assert.Null(_contract.Check("PUT", "/v1/stores/{store}/buckets/{bucket}", answer));
        Assert.Contains("\r\nWWW-Authenticate:", answer.Head, StringComparison.OrdinalIgnoreCase);
        using var problem = JsonDocument.Parse(answer.Payload);
        Assert.Contains("The Authorization header carries no credential this gateway accepts", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var missing = await RawHttp.SendAsync(_server.BaseAddress, "PUT", "/v1/stores/local/buckets/not-made", "");
        using (var none = JsonDocument.Parse(missing.Payload))
            Assert.StartsWith("Credentials are required", none.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(404, (await RawHttp.SendAsync(_server, "GET", "/v1/stores/local/buckets/not-made")).Status);
    }
}
