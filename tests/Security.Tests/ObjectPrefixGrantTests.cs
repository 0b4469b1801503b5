using System.Net;

namespace Gateway.Security.Tests;

/// <summary>A grant on a key prefix (<c>.../objects/team/**</c>) covers the keys under <c>team/</c>, not an object named <c>team</c>.</summary>
public sealed class ObjectPrefixGrantTests(SecuredGatewayFixture fixture) : IClassFixture<SecuredGatewayFixture>
{
    private SecuredGateway G => fixture.Gateway;

    [Fact]
    public async Task A_prefix_grant_does_not_reach_the_object_named_as_the_prefix()
    {
        using var admin = G.Client("admin");
        (await admin.PutAsync("v1/stores/local/buckets/reports/objects/team", new StringContent("sibling"))).EnsureSuccessStatusCode();
        (await admin.PutAsync("v1/stores/local/buckets/reports/objects/team/a.txt", new StringContent("inside"))).EnsureSuccessStatusCode();
        using var caller = G.Client();
        caller.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + G.Jwt("dave", "read:stores/local/buckets/reports/objects/team/**"));

        using (var inside = await caller.GetAsync("v1/stores/local/buckets/reports/objects/team/a.txt"))
            Assert.Equal(HttpStatusCode.OK, inside.StatusCode);
        using (var sibling = await caller.GetAsync("v1/stores/local/buckets/reports/objects/team"))
            Assert.Equal(HttpStatusCode.Forbidden, sibling.StatusCode);
        using (var listing = await caller.GetAsync("v1/stores/local/buckets/reports/objects?prefix=team/"))
            Assert.Equal(HttpStatusCode.OK, listing.StatusCode);
    }
}
