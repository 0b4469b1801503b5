using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.OpenApi;

public sealed class OpenApiDocumentTests
{
    private static string CommittedPath => Path.Combine(Backends.RepositoryRoot, "openapi", "gateway.v1.json");

    [Fact]
    public async Task Served_document_matches_the_committed_one()
    {
        await using var server = await GatewayServer.StartAsync();
        var served = await server.Client.GetStringAsync("openapi/v1.json");
        var normalized = Normalize(served);
        // Checked in both modes, so regenerating cannot commit a document that lost its shape.
        var document = JsonNode.Parse(served)!;
        Assert.StartsWith("3.", document["openapi"]!.GetValue<string>());
        Assert.Equal("v1", document["info"]!["version"]!.GetValue<string>());
        var paths = document["paths"]!.AsObject();
        foreach (var path in new[] { "/v1/stores", "/v1/audit", "/v1/witnesses/{requestId}" })
            Assert.True(paths.ContainsKey(path), $"the document has no {path}");
        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(CommittedPath, normalized);
            Assert.Equal(normalized, Normalize(await File.ReadAllTextAsync(CommittedPath)));
            return;
        }
        Assert.True(File.Exists(CommittedPath), $"{CommittedPath} is missing; run: bash scripts/update-openapi.sh");
        var committed = Normalize(await File.ReadAllTextAsync(CommittedPath));
        Assert.True(committed == normalized,
            "The served OpenAPI document differs from openapi/gateway.v1.json. If the change is intended, run: bash scripts/update-openapi.sh\n" + FirstDifference(committed, normalized));
    }

    [Fact]
    public async Task Swagger_ui_is_served()
    {
        await using var server = await GatewayServer.StartAsync();
        var html = await server.Client.GetStringAsync("swagger/index.html");
        Assert.Contains("swagger-ui", html);
    }

    [Theory]
    [InlineData("swagger")]
    [InlineData("swagger/index.html")]
    public async Task Swagger_ui_answers_options_and_other_methods_as_every_route_does(string path)
    {
        await using var server = await GatewayServer.StartAsync();
        using var options = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Options, path));
        Assert.Equal(HttpStatusCode.NoContent, options.StatusCode);
        Assert.Equal(["GET", "HEAD", "OPTIONS"], options.Content.Headers.Allow);
        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch })
        {
            using var refused = await server.Client.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent("x") });
            Assert.Equal(HttpStatusCode.MethodNotAllowed, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal(["GET", "HEAD", "OPTIONS"], refused.Content.Headers.Allow);
        }
        using var get = await server.Client.GetAsync("swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
    }

    [Fact]
    public async Task Document_holds_no_secrets_of_the_configuration()
    {
        // Secrets of the kinds the gateway really holds (upstream credentials, a store root), in a configuration that
        // is live: the upstreams are listed as bridges, so the document is served by a gateway that holds them.
        var token = "tok-" + Guid.NewGuid().ToString("N");
        var apiKey = "key-" + Guid.NewGuid().ToString("N");
        var password = "pw-" + Guid.NewGuid().ToString("N");
        var root = Path.Combine(Path.GetTempPath(), "root-" + Guid.NewGuid().ToString("N"));
        await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Stores:other:Kind"] = "local",
            ["Gateway:Stores:other:Root"] = root,
            ["Gateway:Rest:Upstreams:bearer-up:BaseUrl"] = "http://127.0.0.1:9/",
            ["Gateway:Rest:Upstreams:bearer-up:Auth:Type"] = "Bearer",
            ["Gateway:Rest:Upstreams:bearer-up:Auth:Token"] = token,
            ["Gateway:Rest:Upstreams:key-up:BaseUrl"] = "http://127.0.0.1:9/",
            ["Gateway:Rest:Upstreams:key-up:Auth:Type"] = "ApiKey",
            ["Gateway:Rest:Upstreams:key-up:Auth:HeaderName"] = "X-Upstream-Key",
            ["Gateway:Rest:Upstreams:key-up:Auth:Key"] = apiKey,
            ["Gateway:Rest:Upstreams:basic-up:BaseUrl"] = "http://127.0.0.1:9/",
            ["Gateway:Rest:Upstreams:basic-up:Auth:Type"] = "Basic",
            ["Gateway:Rest:Upstreams:basic-up:Auth:Username"] = "svc",
            ["Gateway:Rest:Upstreams:basic-up:Auth:Password"] = password,
        });
        var bridges = await server.Client.GetStringAsync("v1/bridges");
        foreach (var name in new[] { "bearer-up", "key-up", "basic-up", "other" }) Assert.Contains(name, bridges);

        var served = await server.Client.GetStringAsync("openapi/v1.json");
        Assert.True(served.Length > 10_000, "the document is suspiciously small");
        var basic = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("svc:" + password));
        foreach (var secret in new[] { token, apiKey, password, basic, root, server.ApiKey! })
            Assert.DoesNotContain(secret, served);
        try { Directory.Delete(root, true); } catch (IOException) { }
    }

    private static string Normalize(string json) =>
        JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

    private static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var el = i < e.Length ? e[i] : "<end>";
            var al = i < a.Length ? a[i] : "<end>";
            if (el != al) return $"line {i + 1}: committed `{el.Trim()}`, served `{al.Trim()}`";
        }
        return "";
    }
}
