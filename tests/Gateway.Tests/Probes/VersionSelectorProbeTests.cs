using System.Net;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.Probes;

/// <summary>
/// A platform's version or part selector on an object route (S3's versionId, GCS's generation, Azure's snapshot) is a 400
/// that changes nothing: until session 27 it was ignored, so a DELETE meant for an old version removed the current object.
/// </summary>
public sealed class VersionSelectorProbeTests : IAsyncLifetime
{
    private const string Object = "v1/stores/local/buckets/versioned/objects/current.txt";
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await GatewayServer.StartAsync();
        (await _server.Client.PutAsync("v1/stores/local/buckets/versioned", null)).EnsureSuccessStatusCode();
        (await _server.Client.PutAsync(Object, new StringContent("current"))).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("DELETE", "versionId=3HL4kqtJlcpXroDTDmJ")]
    [InlineData("DELETE", "VERSIONID=1")]
    [InlineData("GET", "versionId=old")]
    [InlineData("HEAD", "generation=1700000000000000")]
    [InlineData("GET", "snapshot=2026-01-01T00:00:00.0000000Z")]
    [InlineData("GET", "partNumber=1")]
    [InlineData("PUT", "uploadId=abc&partNumber=2")]
    public async Task A_version_or_part_selector_is_refused_and_nothing_changes(string method, string query)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), Object + "?" + query);
        if (method == "PUT") request.Content = new StringContent("replaced");
        using var answer = await _server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        if (method != "HEAD")
        {
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            Assert.Contains("selects an object version or part", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal("current", await _server.Client.GetStringAsync(Object));
    }

    [Fact]
    public async Task Other_unknown_parameters_are_still_ignored()
    {
        Assert.Equal("current", await _server.Client.GetStringAsync(Object + "?cachebust=12345"));
    }
}
