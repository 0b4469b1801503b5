using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using static Gateway.Bridges.Rest.Tests.RestTestKit;

namespace Gateway.Bridges.Rest.Tests;

/// <summary>
/// Issue 12 item 1: answers without a body (HEAD, an upstream 204 or 304) are witnessed and audited like any other:
/// each request id has its witness, with the status the caller got and the digest of an empty body.
/// </summary>
public sealed class BodilessAnswerWitnessTests : IAsyncLifetime
{
    private static readonly string EmptySha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([]));
    private readonly WireMockServer _upstream = WireMockServer.Start();
    private GatewayServer _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayServer.StartAsync(Upstream("legacy", _upstream.Url!));

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _upstream.Stop();
    }

    [Fact]
    public async Task A_head_request_has_a_witness()
    {
        _upstream.Given(Request.Create().WithPath("/items/1").UsingHead())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Length", "42").WithHeader("ETag", "\"h1\""));
        using var response = await _gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "v1/rest/legacy/items/1"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var witness = await WitnessOfAsync(response);
        Assert.Equal("legacy/HEAD /items/1", witness.GetProperty("target").GetString());
        Assert.Equal(EmptySha256, witness.GetProperty("responseBodySha256").GetString());
    }

    [Fact]
    public async Task A_delete_answered_204_has_a_witness()
    {
        _upstream.Given(Request.Create().WithPath("/items/2").UsingDelete()).RespondWith(Response.Create().WithStatusCode(204));
        using var response = await _gateway.Client.DeleteAsync("v1/rest/legacy/items/2");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var witness = await WitnessOfAsync(response);
        Assert.Equal("legacy/DELETE /items/2", witness.GetProperty("target").GetString());
        Assert.Equal(EmptySha256, witness.GetProperty("responseBodySha256").GetString());
    }

    [Fact]
    public async Task A_304_answer_has_a_witness()
    {
        _upstream.Given(Request.Create().WithPath("/items/3").UsingGet()).RespondWith(Response.Create().WithStatusCode(304).WithHeader("ETag", "\"same\""));
        var request = new HttpRequestMessage(HttpMethod.Get, "v1/rest/legacy/items/3");
        request.Headers.IfNoneMatch.Add(new("\"same\""));
        using var response = await _gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        var witness = await WitnessOfAsync(response);
        Assert.Equal("legacy/GET /items/3", witness.GetProperty("target").GetString());
    }

    private async Task<JsonElement> WitnessOfAsync(HttpResponseMessage response)
    {
        var requestId = Assert.Single(response.Headers.GetValues("X-Request-Id"));
        var list = await _gateway.Client.GetFromJsonAsync<JsonElement>($"v1/witnesses/{requestId}");
        var witness = Assert.Single(list.GetProperty("witnesses").EnumerateArray());
        Assert.Equal("rest.forward", witness.GetProperty("operation").GetString());
        Assert.Equal("released", witness.GetProperty("outcome").GetString());
        return witness;
    }
}
