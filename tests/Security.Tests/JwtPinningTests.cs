using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Security.Tests;

/// <summary>A gateway whose JWT issuer keeps the defaults: inline grants off, algorithm and token type pinned.</summary>
public sealed class DefaultJwtGatewayFixture : IAsyncLifetime
{
    /// <summary>A second symmetric key, long enough for HS384 and HS512, so only the pinning can refuse those.</summary>
    public byte[] LongKey { get; } = System.Security.Cryptography.RandomNumberGenerator.GetBytes(64);
    public SecuredGateway Gateway { get; private set; } = null!;
    public async Task InitializeAsync() => Gateway = await SecuredGateway.StartAsync(new Dictionary<string, string?>
    {
        ["Gateway:Security:Jwt:AllowInlineGrants"] = null,
        ["Gateway:Security:Jwt:SigningKeys:1"] = Convert.ToBase64String(LongKey),
    });
    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}

/// <summary>Issue 12 item 11: JWT algorithms and types are pinned, inline grants are opt-in per issuer, and the
/// OpenAPI text says what the signature handler does about <c>expires</c>.</summary>
public sealed class JwtPinningTests(DefaultJwtGatewayFixture fixture) : IClassFixture<DefaultJwtGatewayFixture>
{
    private const string Obj = "v1/stores/local/buckets/reports/objects/";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("by jwt");
    private SecuredGateway G => fixture.Gateway;

    private Task<Answer> Put(string token, string key) => BadRequests.Send(G.Client(), HttpMethod.Put, Obj + key, Body,
        r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token));

    private bool Exists(string key)
    {
        using var admin = G.Client("admin");
        return admin.GetAsync(Obj + key).GetAwaiter().GetResult().IsSuccessStatusCode;
    }

    [Fact]
    public async Task A_token_naming_a_policy_with_the_pinned_algorithm_and_type_is_accepted()
    {
        var answer = await Put(G.Jwt("erin", "reports-rw"), "policy.txt");
        Assert.True(answer.Status == 200, answer.Body);
        answer = await Put(G.Jwt("erin", "reports-rw", type: "at+jwt"), "policy-at.txt");
        Assert.True(answer.Status == 200, answer.Body);
        answer = await Put(G.Jwt("erin", "reports-rw", key: fixture.LongKey), "policy-long.txt");
        Assert.True(answer.Status == 200, answer.Body);
    }

    [Theory]
    [InlineData(SecurityAlgorithms.HmacSha384)]
    [InlineData(SecurityAlgorithms.HmacSha512)]
    public async Task A_token_signed_with_another_algorithm_is_refused(string algorithm)
    {
        var answer = await Put(G.Jwt("erin", "reports-rw", algorithm: algorithm, key: fixture.LongKey), "alg.txt");
        Assert.Equal(401, answer.Status);
        Assert.False(Exists("alg.txt"));
    }

    [Theory]
    [InlineData("dpop+jwt")]
    [InlineData("secevent+jwt")]
    [InlineData("id+jwt")]
    public async Task A_token_of_another_type_is_refused(string type)
    {
        var answer = await Put(G.Jwt("erin", "reports-rw", type: type), "typ.txt");
        Assert.Equal(401, answer.Status);
        Assert.False(Exists("typ.txt"));
    }

    [Theory]
    [InlineData("admin:**")]
    [InlineData("read,write:stores/local/buckets/reports/**")]
    [InlineData("read,write,delete,admin:**")]
    public async Task Inline_grants_in_scopes_are_ignored_unless_the_issuer_opts_in(string scope)
    {
        var answer = await Put(G.Jwt("mallory", scope), "inline.txt");
        Assert.Equal(403, answer.Status);
        Assert.False(Exists("inline.txt"));
    }

    [Fact]
    public async Task A_signature_without_expires_is_accepted_and_the_OpenAPI_text_says_it_is_optional()
    {
        var answer = await BadRequests.Signed(G, G.Ed, HttpMethod.Put, Obj + "no-expires.txt", Encoding.UTF8.GetBytes("signed"));
        Assert.True(answer.Status == 200, answer.Body);
        var expired = await BadRequests.Signed(G, G.Ed, HttpMethod.Put, Obj + "expired.txt", Encoding.UTF8.GetBytes("signed"), expires: BadRequests.Now() - 1);
        Assert.Equal(401, expired.Status);

        using var admin = G.Client("admin");
        using var document = JsonDocument.Parse(await admin.GetStringAsync("openapi/v1.json"));
        var text = document.RootElement.GetProperty("components").GetProperty("securitySchemes").EnumerateObject()
            .Single(s => s.Value.TryGetProperty("name", out var n) && n.GetString() == "Signature").Value.GetProperty("description").GetString()!;
        Assert.Contains("expires optional", text);
        Assert.DoesNotContain("expires, nonce and keyid parameters required", text);
    }
}
