using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Gateway.Tests.Observability;

/// <summary>
/// Known secrets (the gateway API key, an upstream bearer token, an OAuth2 client secret and the token it buys, a cloud
/// account key, and credentials a caller forged) configured or sent, calls that fail in every way the test can drive,
/// and then every JSON log line, the Prometheus scrape and every exported span searched for them.
/// </summary>
public sealed class SecretsTests
{
    private static string Secret(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    [Fact]
    public async Task No_secret_reaches_the_logs_the_metrics_or_the_traces()
    {
        var apiKey = Secret("gwk_admin_");
        var forgedKey = Secret("gwk_forged_");
        var forgedBearer = Secret("forged-bearer-");
        var bearerToken = Secret("upstream-bearer-");
        var clientSecret = Secret("client-secret-");
        var issuedToken = Secret("issued-token-");
        var accountKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));
        var queryKey = Secret("upstream-query-key-");
        var callerQuerySecret = Secret("caller-signature-");
        string[] secrets = [apiKey, forgedKey, forgedBearer, bearerToken, clientSecret, issuedToken, accountKey, queryKey, callerQuerySecret];

        await using var upstream = await FailingUpstream.StartAsync(issuedToken);
        var spans = new SpanCollector();
        JsonLogCapture? logs = null;
        await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Debug",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug",
            ["Gateway:Observability:Logs:Format"] = "json",
            ["Gateway:Observability:Tracing:Enabled"] = "true",
            ["Gateway:Security:ApiKeys:admin:Hash"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey))),
            ["Gateway:Security:ApiKeys:admin:Scopes:0"] = "admin",
            ["Gateway:Rest:Upstreams:bearer:BaseUrl"] = upstream.Url + "fail/",
            ["Gateway:Rest:Upstreams:bearer:Auth:Type"] = "Bearer",
            ["Gateway:Rest:Upstreams:bearer:Auth:Token"] = bearerToken,
            ["Gateway:Rest:Upstreams:querykey:BaseUrl"] = upstream.Url + "fail/",
            ["Gateway:Rest:Upstreams:querykey:Auth:Type"] = "ApiKey",
            ["Gateway:Rest:Upstreams:querykey:Auth:QueryName"] = "api_key",
            ["Gateway:Rest:Upstreams:querykey:Auth:Key"] = queryKey,
            ["Gateway:Rest:Upstreams:down:BaseUrl"] = $"http://127.0.0.1:{ClosedPort()}/",
            ["Gateway:Rest:Upstreams:down:Auth:Type"] = "Bearer",
            ["Gateway:Rest:Upstreams:down:Auth:Token"] = bearerToken,
            ["Gateway:Rest:Upstreams:oauth:BaseUrl"] = upstream.Url + "unauthorized/",
            ["Gateway:Rest:Upstreams:oauth:Auth:Type"] = "OAuth2ClientCredentials",
            ["Gateway:Rest:Upstreams:oauth:Auth:TokenUrl"] = upstream.Url + "token",
            ["Gateway:Rest:Upstreams:oauth:Auth:ClientId"] = "gateway",
            ["Gateway:Rest:Upstreams:oauth:Auth:ClientSecret"] = clientSecret,
            ["Gateway:Rest:Upstreams:refused:BaseUrl"] = upstream.Url + "fail/",
            ["Gateway:Rest:Upstreams:refused:Auth:Type"] = "OAuth2ClientCredentials",
            ["Gateway:Rest:Upstreams:refused:Auth:TokenUrl"] = upstream.Url + "token-refused",
            ["Gateway:Rest:Upstreams:refused:Auth:ClientId"] = "gateway",
            ["Gateway:Rest:Upstreams:refused:Auth:ClientSecret"] = clientSecret,
            ["Gateway:Stores:azure:Kind"] = "azure-blob",
            ["Gateway:Stores:azure:ServiceUri"] = Backends.Require("AZURITE_BLOB_ENDPOINT", "azurite"),
            ["Gateway:Stores:azure:AccountName"] = Backends.Require("AZURITE_ACCOUNT_NAME", "azurite"),
            ["Gateway:Stores:azure:AccountKey"] = accountKey,
            ["Gateway:Security:Limits:MaxRequestBodyBytes"] = "4096",
        }, services: s =>
        {
            spans.Register(s);
            JsonLogCapture.Register(s, c => logs = c);
        });

        using var admin = server.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        using var anonymous = server.CreateClient();
        (HttpClient Client, HttpMethod Method, string Path, Action<HttpRequestMessage>? Extra, HttpStatusCode Expected)[] calls =
        [
            (anonymous, HttpMethod.Get, "v1/stores", r => r.Headers.Add("X-Api-Key", forgedKey), HttpStatusCode.Unauthorized),
            (anonymous, HttpMethod.Get, "v1/stores", r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + forgedBearer), HttpStatusCode.Unauthorized),
            (anonymous, HttpMethod.Get, "metrics", r => r.Headers.Add("X-Api-Key", forgedKey), HttpStatusCode.Unauthorized),
            (anonymous, HttpMethod.Get, $"v1/stores?X-Amz-Signature={callerQuerySecret}", null, HttpStatusCode.Unauthorized),
            (admin, HttpMethod.Get, $"v1/stores/local/buckets/none-here/objects?sig={callerQuerySecret}", null, HttpStatusCode.NotFound),
            (admin, HttpMethod.Get, "v1/rest/bearer/items/1", null, HttpStatusCode.InternalServerError),
            (admin, HttpMethod.Post, "v1/rest/bearer/items", r => r.Content = new StringContent("{}", Encoding.UTF8, "application/json"), HttpStatusCode.InternalServerError),
            (admin, HttpMethod.Get, "v1/rest/down/items/1", null, HttpStatusCode.BadGateway),
            (admin, HttpMethod.Get, "v1/rest/querykey/items/1?page=2", null, HttpStatusCode.InternalServerError),
            (admin, HttpMethod.Get, "v1/rest/oauth/items/1", null, HttpStatusCode.Unauthorized),
            (admin, HttpMethod.Get, "v1/rest/refused/items/1", null, HttpStatusCode.ServiceUnavailable),
            (admin, HttpMethod.Get, "v1/stores/azure/buckets", null, HttpStatusCode.Forbidden),
            (admin, HttpMethod.Put, "v1/stores/azure/buckets/secret-test", null, HttpStatusCode.Forbidden),
            (admin, HttpMethod.Get, "v1/stores/azure/buckets/secret-test/objects/a.txt", null, HttpStatusCode.Forbidden),
            // Refusals of bad input carrying the key: over the body limit, malformed JSON, a method the path lacks, an empty condition.
            (admin, HttpMethod.Post, "v1/stores/local/copy", r => r.Content = new StringContent(new string('x', 8192), Encoding.UTF8, "application/json"), HttpStatusCode.RequestEntityTooLarge),
            (admin, HttpMethod.Post, "v1/stores/local/copy", r => r.Content = new StringContent("{not json", Encoding.UTF8, "application/json"), HttpStatusCode.BadRequest),
            (admin, HttpMethod.Post, "health/live", null, HttpStatusCode.MethodNotAllowed),
            (admin, HttpMethod.Delete, "v1/stores/local/buckets/none-here/objects/a.txt", r => r.Headers.TryAddWithoutValidation("If-Match", ""), HttpStatusCode.BadRequest),
            (anonymous, HttpMethod.Post, "v1/stores/local/copy", r =>
            {
                r.Headers.Add("X-Api-Key", forgedKey);
                r.Content = new StringContent(new string('x', 8192), Encoding.UTF8, "application/json");
            }, HttpStatusCode.Unauthorized),
        ];
        var answers = new List<string>();
        var bodies = new List<string>();
        using var caller = TracePropagationTests.Caller();
        foreach (var (client, method, path, extra, _) in calls)
        {
            using var request = new HttpRequestMessage(method, path);
            extra?.Invoke(request);
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            bodies.Add(body + " " + string.Join(" ", response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(",", h.Value)}")));
            answers.Add($"{method} {path}: {(int)response.StatusCode} {body}");
            Assert.False(response.IsSuccessStatusCode, answers[^1]);
        }
        caller.Stop();
        // Each failed in the way this test means it to (a wrong expectation would leave a path unexercised).
        for (var i = 0; i < calls.Length; i++)
            Assert.True(answers[i].Contains($": {(int)calls[i].Expected} ", StringComparison.Ordinal), string.Join("\n", answers));

        using var scrape = await admin.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        var metrics = await scrape.Content.ReadAsStringAsync();
        Assert.Contains("gateway_bridge_call_duration_seconds_count{", metrics);
        await spans.WaitForAsync(s => s.TraceId == caller.TraceId && s.Kind == ActivityKind.Server && s.DisplayName == "rest forward", "of the REST bridge host");

        var lines = logs!.Lines.ToList();
        Assert.True(lines.Count > 20, $"only {lines.Count} log lines were captured");
        Assert.All(lines, l => JsonDocument.Parse(l).Dispose());
        var spanText = spans.Spans.Select(Describe).ToList();
        Assert.Contains(spanText, s => s.Contains("rest forward", StringComparison.Ordinal));
        foreach (var secret in secrets)
        {
            var leak = lines.FirstOrDefault(l => l.Contains(secret, StringComparison.Ordinal));
            Assert.True(leak is null, $"a secret ({secret[..8]}...) is in a log line: {leak}");
            Assert.DoesNotContain(secret, metrics, StringComparison.Ordinal);
            Assert.DoesNotContain(spanText, s => s.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(bodies, a => a.Contains(secret, StringComparison.Ordinal));
        }
    }

    /// <summary>A loopback port nothing listens on (taken, then released).</summary>
    internal static int ClosedPort()
    {
        var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    /// <summary>Everything a span exports: names, every tag, status, events and links.</summary>
    private static string Describe(Activity span) =>
        string.Join(" | ", new[] { span.DisplayName, span.OperationName, span.StatusDescription ?? "", span.TraceStateString ?? "" }
            .Concat(span.TagObjects.Select(t => $"{t.Key}={t.Value}"))
            .Concat(span.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name}:{t.Key}={t.Value}")))
            .Concat(span.Baggage.Select(b => $"{b.Key}={b.Value}")));

    /// <summary>A real HTTP upstream on loopback that fails: 500 under /fail, 401 under /unauthorized, a token endpoint and a refusing one.</summary>
    private sealed class FailingUpstream : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private FailingUpstream(WebApplication app, string url) => (_app, Url) = (app, url);
        public string Url { get; }

        public static async Task<FailingUpstream> StartAsync(string issuedToken)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            app.MapPost("/token", () => Results.Json(new { access_token = issuedToken, token_type = "Bearer", expires_in = 3600 }));
            app.MapPost("/token-refused", () => Results.Json(new { error = "invalid_client" }, statusCode: 401));
            app.Map("/fail/{**rest}", () => Results.StatusCode(500));
            app.Map("/unauthorized/{**rest}", () => Results.StatusCode(401));
            await app.StartAsync();
            return new FailingUpstream(app, app.Urls.First() + "/");
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
