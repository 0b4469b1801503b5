using System.Text.Json;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.Probes;

/// <summary>
/// A problem's <c>instance</c> is a URI reference (RFC 9457 §3.1.5), also when the caller's request target held characters
/// Kestrel takes raw but RFC 3986 leaves out of a path (hand probe, 2026-12-03): they are percent-encoded, the rest kept as sent.
/// </summary>
public sealed class ProblemInstanceProbeTests : IAsyncLifetime
{
    private GatewayServer _server = null!;

    public async Task InitializeAsync() => _server = await GatewayServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    // Not a URI reference as it came: '"', '<', '>', '{', '}', '|', '^' and '`' raw (the 404 of a missing bucket).
    [InlineData("/v1/stores/local/buckets/instance/objects/a\"b<c>{d}|^`", 404, "/v1/stores/local/buckets/instance/objects/a%22b%3Cc%3E%7Bd%7D%7C%5E%60")]
    // A '%' that starts no escape (the 400 refusing it named it raw).
    [InlineData("/v1/stores/local/buckets/instance/objects/a%zz", 400, "/v1/stores/local/buckets/instance/objects/a%25zz")]
    // What a path may hold stays as sent: escapes, sub-delims, ':' and '@'.
    [InlineData("/v1/stores/local/buckets/instance/objects/x%20y;v=1:a@b!$&'()*+,~", 404, "/v1/stores/local/buckets/instance/objects/x%20y;v=1:a@b!$&'()*+,~")]
    public async Task The_instance_is_a_uri_reference_of_the_path_as_sent(string target, int status, string instance)
    {
        var answer = await RawHttp.SendAsync(_server, "GET", target);
        Assert.True(answer.Status == status, $"{answer.Status} {answer.Payload}");
        var problem = JsonDocument.Parse(answer.Payload).RootElement;
        Assert.Equal(instance, problem.GetProperty("instance").GetString());
        Assert.True(Uri.TryCreate(instance, UriKind.Relative, out _), instance);
    }
}
