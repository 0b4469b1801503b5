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
    // Empty segments are segments: '//x' below the route is '//x' below the base, as 'a//x' is 'a//x' (until 2026-12-05 the
    // leading ones were dropped, so '/v1/rest/legacy//x' reached an upstream at the root as '/x', another resource).
    [InlineData("/v1/rest/legacy//x", "/base//x")]
    [InlineData("/v1/rest/legacy///x/", "/base///x/")]
    [InlineData("/v1/rest/legacy/a//x", "/base/a//x")]
    // Trailing dots and dots inside a segment are no dot segments: forwarded as sent.
    [InlineData("/v1/rest/legacy/x./a..b/...", "/base/x./a..b/...")]
    // The query goes as sent: a stray '%' stays one (it arrived as '%25zz', another value, until session 42).
    [InlineData("/v1/rest/legacy/x?a=1&a=2&b=%zz&c=%00&d=%41", "/base/x?a=1&a=2&b=%zz&c=%00&d=%41")]
    public async Task A_segment_reaches_the_upstream_escaped_only_where_rfc_3986_requires(string target, string expected)
    {
        await using var upstream = new RawUpstream("HTTP/1.1 204 No Content\r\n\r\n");
        await using var gateway = await GatewayServer.StartAsync(Upstream("legacy", upstream.Url + "/base"));

        var answer = await RawHttp.SendAsync(gateway, "GET", target);

        Assert.True(answer.Status == 204, $"{answer.Status} {answer.Body}");
        Assert.Equal($"GET {expected} HTTP/1.1", Assert.Single(upstream.RequestLines));
    }

    [Theory]
    [InlineData("/v1/rest/root//x", "//x")]
    [InlineData("/v1/rest/root///x", "///x")]
    [InlineData("/v1/rest/root/x", "/x")]
    public async Task Below_an_upstream_at_the_root_a_leading_empty_segment_is_kept(string target, string expected)
    {
        await using var upstream = new RawUpstream("HTTP/1.1 204 No Content\r\n\r\n");
        await using var gateway = await GatewayServer.StartAsync(Upstream("root", upstream.Url + "/"));

        var answer = await RawHttp.SendAsync(gateway, "GET", target);

        Assert.True(answer.Status == 204, $"{answer.Status} {answer.Body}");
        Assert.Equal($"GET {expected} HTTP/1.1", Assert.Single(upstream.RequestLines));
    }
}
