using System.Net;
using System.Text;

namespace Gateway.Security.Tests;

/// <summary>The other side of the table: genuine credentials within their grant are let through (so the refusals mean something).</summary>
public sealed class AcceptedCredentialsTests(SecuredGatewayFixture fixture) : IClassFixture<SecuredGatewayFixture>
{
    private const string Obj = "v1/stores/local/buckets/reports/objects/";
    private SecuredGateway G => fixture.Gateway;

    private string Stored(string key)
    {
        using var admin = G.Client("admin");
        return admin.GetStringAsync(Obj + key).GetAwaiter().GetResult();
    }

    [Fact]
    public async Task Api_key_in_either_header()
    {
        Assert.Equal(200, (await BadRequests.Send(G.Client("admin"), HttpMethod.Get, Obj + "q1.txt")).Status);
        Assert.Equal(200, (await BadRequests.Send(G.Client(), HttpMethod.Get, Obj + "q1.txt", null,
            r => r.Headers.TryAddWithoutValidation("Authorization", "ApiKey " + G.Keys["admin"]))).Status);
    }

    [Fact]
    public async Task A_bucket_grant_reads_writes_and_lists_its_bucket()
    {
        var put = await BadRequests.Send(G.Client("reports"), HttpMethod.Put, Obj + "granted.txt", Encoding.UTF8.GetBytes("mine"));
        Assert.Equal(200, put.Status);
        Assert.Equal("mine", Stored("granted.txt"));
        Assert.Equal(200, (await BadRequests.Send(G.Client("reports"), HttpMethod.Get, "v1/stores/local/buckets/reports/objects?prefix=gr")).Status);
    }

    [Fact]
    public async Task Ed25519_signed_put_with_content_digest_is_stored()
    {
        var body = Encoding.UTF8.GetBytes("signed with ed25519");
        var answer = await BadRequests.Signed(G, G.Ed, HttpMethod.Put, Obj + "ed.txt", body);
        Assert.True(answer.Status == 200, answer.Body);
        Assert.Equal("signed with ed25519", Stored("ed.txt"));
    }

    [Fact]
    public async Task Hmac_signed_chunked_put_within_the_grant_is_stored()
    {
        var body = Encoding.UTF8.GetBytes(new string('h', 200_000));
        var answer = await BadRequests.Signed(G, G.Hmac, HttpMethod.Put, Obj + "hmac.txt", body, chunked: true, expires: BadRequests.Now() + 60);
        Assert.True(answer.Status == 200, answer.Body);
        Assert.Equal(200_000, Stored("hmac.txt").Length);
    }

    [Fact]
    public async Task Signed_get_reaches_the_upstream_without_gateway_credentials()
    {
        var before = G.Rest.LogEntries.Count();
        var answer = await BadRequests.Signed(G, G.Ed, HttpMethod.Get, "v1/rest/legacy/public/thing");
        Assert.True(answer.Status == 200, answer.Body);
        var seen = G.Rest.LogEntries.Skip(before).Single();
        Assert.DoesNotContain(seen.RequestMessage!.Headers!.Keys, h => h.Equals("Signature", StringComparison.OrdinalIgnoreCase)
            || h.Equals("Signature-Input", StringComparison.OrdinalIgnoreCase) || h.Equals("X-Api-Key", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Api_key_is_not_forwarded_to_an_upstream()
    {
        var before = G.Rest.LogEntries.Count();
        Assert.Equal(200, (await BadRequests.Send(G.Client("rest-reader"), HttpMethod.Get, "v1/rest/legacy/public/items")).Status);
        var seen = G.Rest.LogEntries.Skip(before).Single();
        Assert.DoesNotContain(seen.RequestMessage!.Headers!.Keys, h => h.Equals("X-Api-Key", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Jwt_with_a_grant_scope_writes_its_bucket()
    {
        var token = G.Jwt("carol", "read,write:stores/local/buckets/reports/**");
        var answer = await BadRequests.Send(G.Client(), HttpMethod.Put, Obj + "jwt.txt", Encoding.UTF8.GetBytes("by jwt"),
            r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token));
        Assert.True(answer.Status == 200, answer.Body);
        Assert.Equal("by jwt", Stored("jwt.txt"));
    }

    [Fact]
    public async Task Health_is_open_and_unknown_routes_are_404_to_callers()
    {
        using var anonymous = G.Client();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("health/live")).StatusCode);
        Assert.Equal(404, (await BadRequests.Send(G.Client("admin"), HttpMethod.Get, "v1/nothing-here")).Status);
    }

    [Fact]
    public void Every_endpoint_declares_its_access_or_is_health()
    {
        var endpoints = ((Microsoft.AspNetCore.Routing.EndpointDataSource)G.Server.Services.GetService(typeof(Microsoft.AspNetCore.Routing.EndpointDataSource))!)
            .Endpoints.OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>().ToList();
        Assert.NotEmpty(endpoints);
        var undeclared = endpoints.Where(e => e.Metadata.GetMetadata<GatewayAccessMetadata>() is null
                && e.Metadata.GetMetadata<GatewayAccessFilterMetadata>() is null
                && e.Metadata.GetMetadata<GatewayAnonymousMetadata>() is null
                // OPTIONS and the 405 of every route (Routing/HeadAndOptionsEndpoints): any authenticated caller.
                && e.Metadata.GetMetadata<GatewayMethodListMetadata>() is null)
            .Select(e => e.RoutePattern.RawText).ToList();
        Assert.True(undeclared.Count == 0, "endpoints without an access declaration (refused by default deny): " + string.Join(", ", undeclared));
        var anonymous = endpoints.Where(e => e.Metadata.GetMetadata<GatewayAnonymousMetadata>() is not null).Select(e => e.RoutePattern.RawText!).ToList();
        Assert.All(anonymous, route => Assert.StartsWith("/health", "/" + route.TrimStart('/')));
    }
}
