using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.Testing;

namespace Gateway.Security.Tests;

/// <summary>Issue 13 items 7-8 and issue 12's request ids: how refusals look, whatever refused them.</summary>
public sealed class ProblemAnswerTests(SecuredGatewayFixture fixture) : IClassFixture<SecuredGatewayFixture>
{
    private SecuredGateway G => fixture.Gateway;

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Theory]
    [InlineData("v1/audit?limit=abc", "limit")]
    [InlineData("v1/stores/local/buckets/reports/objects?pageSize=ten", "pageSize")]
    [InlineData("v1/kubernetes/test/namespaces?limit=1.5", "limit")]
    public async Task A_query_value_that_does_not_bind_is_the_gateways_own_400_naming_the_parameter(string url, string parameter)
    {
        using var client = G.Client("admin");
        using var response = await client.GetAsync(url);
        var problem = await ProblemAsync(response, 400);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Equal("bad-request", problem.GetProperty("code").GetString());
        Assert.Contains($"'{parameter}'", detail);
        foreach (var internals in new[] { "Failed to bind", "Nullable", "Int32", "parameter \"", "abc", "ten" })
            Assert.DoesNotContain(internals, detail);
    }

    [Fact]
    public async Task A_missing_json_body_is_a_plain_400()
    {
        using var client = G.Client("admin");
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/stores/local/copy") { Content = new ByteArrayContent([]) };
        request.Content.Headers.ContentType = new("application/json");
        using var response = await client.SendAsync(request);
        var problem = await ProblemAsync(response, 400);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.DoesNotContain("Implicit body", detail);
        Assert.DoesNotContain("Service", detail);
    }

    [Fact]
    public async Task A_json_endpoint_given_another_media_type_is_415_problem()
    {
        using var client = G.Client("admin");
        using var response = await client.PostAsync("v1/stores/local/copy", new StringContent("{}", Encoding.UTF8, "text/plain"));
        var problem = await ProblemAsync(response, 415);
        Assert.Equal("unsupported-media-type", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task No_answer_names_the_server_software()
    {
        using var client = G.Client("admin");
        using (var ok = await client.GetAsync("v1/stores")) Assert.False(ok.Headers.Contains("Server"), "Server header on a 200");
        var bare = await RawHttp.SendAsync(G.Server.BaseAddress, "GET", "/v1/stores/a b");
        Assert.Equal(400, bare.Status);
        Assert.DoesNotContain("Server:", bare.Head, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Refusals_carry_a_request_id()
    {
        using (var stranger = G.Client())
        using (var unauthorized = await stranger.GetAsync("v1/stores"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
            Assert.Matches("^[0-9a-f]{32}$", unauthorized.Headers.GetValues("X-Request-Id").Single());
        }
        using (var reports = G.Client("reports"))
        using (var forbidden = await reports.GetAsync("v1/stores/local/buckets/secret/objects/hidden.txt"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
            Assert.Matches("^[0-9a-f]{32}$", forbidden.Headers.GetValues("X-Request-Id").Single());
        }
        var guarded = await RawHttp.SendAsync(G.Server.BaseAddress, "GET", "/v1/stores/local/buckets/%2e%2e/objects/x", extraHeaders: [$"X-Api-Key: {G.Keys["admin"]}"]);
        Assert.Equal(400, guarded.Status);
        Assert.Contains("X-Request-Id:", guarded.Head);
    }

    [Fact]
    public async Task A_problem_names_the_path_as_the_caller_sent_it_without_the_query()
    {
        const string sent = "/v1/rest/legacy/%2e%2e/%2E%2E/etc/passwd";
        var refused = await RawHttp.SendAsync(G.Server.BaseAddress, "GET", sent + "?token=secret-value", extraHeaders: [$"X-Api-Key: {G.Keys["admin"]}"]);
        Assert.Equal(400, refused.Status);
        var problem = JsonDocument.Parse(refused.Payload).RootElement;
        Assert.Equal(sent, problem.GetProperty("instance").GetString());
        Assert.DoesNotContain("secret-value", refused.Payload);
    }
}
