using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.Probes;

/// <summary>
/// HTTP's implied methods on every route (RFC 9110 §9.3.2, §9.3.7): a route that answers GET answers HEAD with the same
/// status and headers and no body; every route answers OPTIONS with 204 and an <c>Allow</c> header naming its methods;
/// any other method is a 405 problem+json whose <c>Allow</c> names the same methods. Driven by the committed OpenAPI
/// document plus the routes it leaves out (health, metrics, status, the document itself). HEAD and OPTIONS keep the
/// route's access rule.
/// </summary>
public sealed class HeadAndOptionsProbeTests : IAsyncLifetime
{
    private const string Bucket = "head-probe";
    private static readonly string[] Undocumented = ["/health/live", "/health/ready", "/metrics", "/status", "/openapi/v1.json"];
    private GatewayServer _server = null!;
    private string _requestId = null!;
    private string _migrationId = null!;
    private readonly List<string> _failures = [];

    public async Task InitializeAsync()
    {
        _server = await GatewayServer.StartAsync();
        var client = _server.Client;
        foreach (var bucket in new[] { Bucket, Bucket + "-to" })
            (await client.PutAsync($"v1/stores/local/buckets/{bucket}", null)).EnsureSuccessStatusCode();
        using var put = await client.PutAsync($"v1/stores/local/buckets/{Bucket}/objects/a.txt", new StringContent("hello"));
        put.EnsureSuccessStatusCode();
        _requestId = put.Headers.GetValues("X-Request-Id").Single();
        using var migration = await client.PostAsync("v1/migrations", new StringContent(
            $"{{\"source\":{{\"store\":\"local\",\"bucket\":\"{Bucket}\"}},\"target\":{{\"store\":\"local\",\"bucket\":\"{Bucket}-to\"}},\"dryRun\":true}}",
            Encoding.UTF8, "application/json"));
        migration.EnsureSuccessStatusCode();
        _migrationId = (await migration.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        // Its events stream ends once the job has: read it so a HEAD on it does not wait on a running job.
        using var events = await client.GetAsync($"v1/migrations/{_migrationId}/events");
        Assert.Contains("\"state\":\"completed\"", await events.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private string WellFormed(string parameter) => parameter switch
    {
        "store" => "local",
        "bucket" => Bucket,
        "key" => "a.txt",
        "requestId" => _requestId,
        "id" => _migrationId,
        "upstream" => "none",
        "path" => "x",
        _ => "probe-name",
    };

    /// <summary>Every documented route (but the REST forwarder, which passes every method on) and the undocumented ones.</summary>
    private IEnumerable<(string Target, HashSet<string> Methods)> Routes()
    {
        foreach (var route in SweepOperation.All().GroupBy(o => o.Path).Where(g => !g.Key.StartsWith("/v1/rest/", StringComparison.Ordinal)))
        {
            var methods = route.Select(o => o.Method).ToHashSet(StringComparer.Ordinal);
            yield return (route.First().Target(WellFormed), methods);
        }
        foreach (var path in Undocumented) yield return (path, ["GET", "HEAD"]);
    }

    [Fact]
    public async Task Every_route_that_answers_GET_answers_HEAD_with_its_status_and_headers_and_no_body()
    {
        foreach (var (target, methods) in Routes().Where(r => r.Methods.Contains("GET")))
        {
            var get = await RawHttp.SendAsync(_server, "GET", target);
            var head = await RawHttp.SendAsync(_server, "HEAD", target);
            if (head.Status != get.Status) _failures.Add($"HEAD {target}: {head.Status}, GET {get.Status}: {Trim(head.Payload)}");
            else if (MediaType(head.ContentType) != MediaType(get.ContentType)) _failures.Add($"HEAD {target}: Content-Type '{head.ContentType}', GET '{get.ContentType}'");
            if (head.Body.Length > 0) _failures.Add($"HEAD {target}: a body of {head.Body.Length} characters");
            if (Header(head, "Allow") is { } allow) _failures.Add($"HEAD {target}: Allow '{allow}' on a {head.Status}");
        }
        // The object's own HEAD is still the one that answers: the stored length and the same ETag as GET.
        var objectGet = await RawHttp.SendAsync(_server, "GET", $"/v1/stores/local/buckets/{Bucket}/objects/a.txt");
        var objectHead = await RawHttp.SendAsync(_server, "HEAD", $"/v1/stores/local/buckets/{Bucket}/objects/a.txt");
        Assert.Equal(200, objectHead.Status);
        Assert.Equal("5", Header(objectHead, "Content-Length"));
        Assert.Equal(Header(objectGet, "ETag"), Header(objectHead, "ETag"));
        Report();
    }

    [Fact]
    public async Task Every_route_answers_OPTIONS_with_Allow_and_other_methods_with_a_405_problem_naming_the_same_methods()
    {
        string[] probed = ["GET", "HEAD", "PUT", "POST", "DELETE", "PATCH"];
        foreach (var (target, documented) in Routes())
        {
            var expected = new HashSet<string>(documented, StringComparer.Ordinal) { "OPTIONS" };
            if (expected.Contains("GET")) expected.Add("HEAD");
            var options = await RawHttp.SendAsync(_server, "OPTIONS", target);
            if (options.Status != 204) _failures.Add($"OPTIONS {target}: {options.Status}: {Trim(options.Payload)}");
            ExpectAllow("OPTIONS", target, options, expected);
            foreach (var method in probed.Where(m => !expected.Contains(m)))
            {
                var refused = await RawHttp.SendAsync(_server, method, target, method is "PUT" or "POST" or "PATCH" ? "" : null);
                if (refused.Status != 405)
                {
                    _failures.Add($"{method} {target}: {refused.Status}, expected 405: {Trim(refused.Payload)}");
                    continue;
                }
                ExpectAllow(method, target, refused, expected);
                if (method != "HEAD") ExpectProblem(method, target, refused, "method-not-allowed");
            }
        }
        // A method the route has, with a body its endpoint does not accept, is a 415 (not a 405 naming that very method).
        // A Docker host this gateway lacks ("engine") comes first: 404, whatever the body (docs/errors.md, validation rules).
        foreach (var (target, type, status) in new[]
        {
            ("/v1/migrations", "text/json", 415), ("/v1/stores/local/copy", "text/plain", 415), ("/v1/docker/engine/images/load", "application/json", 404),
        })
        {
            var answer = await RawHttp.SendAsync(_server, "POST", target, "{}", ["Content-Type: " + type]);
            if (answer.Status != status) _failures.Add($"POST {target} [{type}]: {answer.Status}, expected {status}: {Trim(answer.Payload)}");
            else ExpectProblem("POST", target, answer, status == 415 ? "unsupported-media-type" : "not-found");
        }
        Report();
    }

    [Fact]
    public async Task Head_and_options_keep_the_access_rule_of_their_route()
    {
        foreach (var (method, target, status) in new[]
                 {
                     ("OPTIONS", "/v1/stores", 401), ("HEAD", "/v1/stores", 401), ("OPTIONS", "/v1/migrations", 401), ("HEAD", "/v1/audit/head", 401),
                     ("OPTIONS", $"/v1/stores/local/buckets/{Bucket}/objects/a.txt", 401), ("OPTIONS", "/v1/nothing", 401),
                     // Anonymous routes stay anonymous; a CORS preflight gets the plain answer (the gateway has no CORS).
                     ("OPTIONS", "/health/live", 204), ("HEAD", "/health/ready", 200),
                 })
        {
            var answer = await RawHttp.SendAsync(_server.BaseAddress, method, target, null, ["Origin: http://elsewhere.test", "Access-Control-Request-Method: DELETE"]);
            if (answer.Status != status) _failures.Add($"anonymous {method} {target}: {answer.Status}, expected {status}");
            if (Header(answer, "Access-Control-Allow-Origin") is { } origin) _failures.Add($"anonymous {method} {target}: Access-Control-Allow-Origin '{origin}'");
            if (status == 401 && method != "HEAD") ExpectProblem(method, target, answer, "unauthorized");
        }
        var caller = await RawHttp.SendAsync(_server, "OPTIONS", "/v1/nothing");
        if (caller.Status != 404) _failures.Add($"OPTIONS /v1/nothing: {caller.Status}, expected 404");
        Report();
    }

    private void ExpectAllow(string method, string target, RawHttp.Response answer, HashSet<string> expected)
    {
        var allow = Header(answer, "Allow");
        var listed = (allow ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        if (!listed.SetEquals(expected))
            _failures.Add($"{method} {target} ({answer.Status}): Allow '{allow}', expected {string.Join(", ", expected.Order(StringComparer.Ordinal))}");
    }

    private void ExpectProblem(string method, string target, RawHttp.Response answer, string code)
    {
        if (MediaType(answer.ContentType) != "application/problem+json")
        {
            _failures.Add($"{method} {target} ({answer.Status}): {answer.ContentType}, not problem+json");
            return;
        }
        using var problem = JsonDocument.Parse(answer.Payload);
        if (problem.RootElement.GetProperty("code").GetString() != code || problem.RootElement.GetProperty("status").GetInt32() != answer.Status)
            _failures.Add($"{method} {target} ({answer.Status}): {Trim(answer.Payload)}");
    }

    private static string? Header(RawHttp.Response answer, string name) =>
        answer.Head.Split("\r\n").FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))?[(name.Length + 1)..].Trim();

    private static string MediaType(string contentType) => contentType.Split(';')[0].Trim();

    private void Report() => Assert.True(_failures.Count == 0, $"{_failures.Count} offending requests:\n" + string.Join("\n", _failures));

    private static string Trim(string text) => text.Length > 160 ? text[..160] + $"...({text.Length})" : text;
}
