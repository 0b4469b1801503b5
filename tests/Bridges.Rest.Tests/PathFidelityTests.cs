using Gateway.Testing;
using static Gateway.Bridges.Rest.Tests.RestTestKit;

namespace Gateway.Bridges.Rest.Tests;

/// <summary>The request target the upstream receives, byte for byte, for what a caller may put in a path segment.</summary>
public sealed class PathFidelityTests
{
    [Theory]
    // RFC 3986 lets a segment carry sub-delims, ':' and '@' as they are: they reach the upstream unescaped, as YARP sends them.
    [InlineData("/v1/rest/legacy/items;v=2/a:b@c/x!$&'()*+,", "/base/items;v=2/a:b@c/x!$&'()*+,")]
    // What a segment cannot carry is escaped: space, '%', '"', non-ASCII (UTF-8), and an escaped ';' arrives as ';' (decoded first).
    [InlineData("/v1/rest/legacy/a%20b/100%25/%22q%22/%C3%A9t%C3%A9/x%3By", "/base/a%20b/100%25/%22q%22/%C3%A9t%C3%A9/x;y")]
    public async Task A_segment_reaches_the_upstream_escaped_only_where_rfc_3986_requires(string target, string expected)
    {
        await using var upstream = new RawUpstream("HTTP/1.1 204 No Content\r\n\r\n");
        await using var gateway = await GatewayServer.StartAsync(Upstream("legacy", upstream.Url + "/base"));

        var answer = await RawHttp.SendAsync(gateway, "GET", target);

        Assert.True(answer.Status == 204, $"{answer.Status} {answer.Body}");
        Assert.Equal($"GET {expected} HTTP/1.1", Assert.Single(upstream.RequestLines));
    }
}
