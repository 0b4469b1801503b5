using System.Net;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.Probes;

/// <summary>
/// Methods are case-sensitive (RFC 9110 §9.1), and Kestrel reads <c>head</c> as a method of its own (hand probe,
/// 2026-12-05): routed as HEAD it was a bare 500, <c>delete</c> deleted and <c>get</c> read. Each is now the 405 with
/// <c>Allow</c> that any method the route lacks gets, and changes nothing.
/// </summary>
public sealed class MethodCaseProbeTests : IAsyncLifetime
{
    private const string ObjectPath = "/v1/stores/local/buckets/methods/objects/kept.txt";
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await GatewayServer.StartAsync();
        (await _server.Client.PutAsync("v1/stores/local/buckets/methods", null)).EnsureSuccessStatusCode();
        (await _server.Client.PutAsync(ObjectPath[1..], new StringContent("kept"))).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("head", "")]
    [InlineData("get", "")]
    [InlineData("delete", "")]
    [InlineData("Delete", "")]
    [InlineData("put", "replaced")]
    public async Task A_method_in_another_case_is_405_with_allow_and_changes_nothing(string method, string body)
    {
        var answer = await RawHttp.SendAsync(_server, method, ObjectPath, body);

        Assert.True(answer.Status == 405, answer.Head);
        Assert.Contains("Allow: GET, HEAD, PUT, DELETE, OPTIONS", answer.Head);
        Assert.Contains("application/problem+json", answer.ContentType);
        using var read = await _server.Client.GetAsync(ObjectPath[1..]);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("kept", await read.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_methods_in_their_own_case_still_answer()
    {
        Assert.Equal(200, (await RawHttp.SendAsync(_server, "HEAD", ObjectPath, "")).Status);
        Assert.Equal(200, (await RawHttp.SendAsync(_server, "GET", ObjectPath, "")).Status);
    }
}
