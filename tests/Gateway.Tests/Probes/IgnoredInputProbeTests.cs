using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Gateway.Tests.Probes;

/// <summary>
/// What a call that changes something would ignore, it refuses: a body on a route that takes none, and a query parameter
/// the route does not take (docs/errors.md). A route that takes no body refuses one (docs/errors.md, "HEAD, OPTIONS and 405"): every endpoint the app maps that
/// declares no body, enumerated from its <see cref="EndpointDataSource"/> so a route added later is probed too, answers a
/// request carrying one with a 415 problem and does nothing: no container started, stopped, restarted or removed, no
/// migration paused, resumed or cancelled, no bucket or object created or deleted, no Kubernetes write. What a client
/// sends for "no body" (no length, <c>Content-Length: 0</c> with or without a <c>Content-Type</c>, an empty chunked body,
/// <c>{}</c> as JSON) is still taken. Every POST, PUT, PATCH and DELETE route but the REST forwarder answers a query
/// parameter it does not take with a 400 naming it and the ones it takes, and does nothing.
/// </summary>
[Collection(ProbeGatewayCollection.Name)]
public sealed class IgnoredInputProbeTests : IAsyncLifetime
{
    private const string Empty = "bodyless-empty";
    private const string Fresh = "bodyless-fresh";
    private const string SlowSource = "bodyless-slow";
    private const string SlowTarget = "bodyless-slow-to";
    private ProbeGateway _gateway = null!;
    private string _archiveRoot = null!;
    private string _running = null!;
    private string _created = null!;
    private string _runningJob = null!;
    private string _pausedJob = null!;
    private readonly List<string> _failures = [];

    /// <summary>Bodies a bodyless route must refuse: JSON with members, text, and JSON bytes sent without a Content-Type.</summary>
    private static readonly (string Body, string? Type)[] Bodies = [("{\"t\":0}", "application/json"), ("restart it", "text/plain"), ("{}", null)];

    public async Task InitializeAsync()
    {
        _archiveRoot = Directory.CreateTempSubdirectory("gw-bodyless-archive-").FullName;
        _gateway = await ProbeGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Stores:archive:Kind"] = "local",
            ["Gateway:Stores:archive:Root"] = _archiveRoot,
        });
        var client = _gateway.Server.Client;
        (await client.PutAsync($"v1/stores/local/buckets/{Empty}", null)).EnsureSuccessStatusCode();
        (await client.PutAsync($"v1/stores/local/buckets/{SlowSource}", null)).EnsureSuccessStatusCode();
        (await client.PutAsync($"v1/stores/archive/buckets/{SlowTarget}", null)).EnsureSuccessStatusCode();
        (await client.PutAsync($"v1/stores/local/buckets/{SlowSource}/objects/big.bin", new ByteArrayContent(new byte[1 << 20]))).EnsureSuccessStatusCode();
        // 1 MiB read at 1 KiB/s: both jobs would run for some 17 minutes, long past this test; one is paused at once.
        _runningJob = await StartSlowJobAsync(client);
        _pausedJob = await StartSlowJobAsync(client);
        using (var pause = await client.PostAsync($"v1/migrations/{_pausedJob}/pause", null)) Assert.Equal(HttpStatusCode.OK, pause.StatusCode);
        await WaitForRunningAsync(client, _runningJob);
        var image = Backends.Require("DOCKER_TEST_IMAGE", "dockerd");
        _running = await CreateContainerAsync(client, image);
        using (var start = await client.PostAsync($"v1/docker/engine/containers/{_running}/start", null)) Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        _created = await CreateContainerAsync(client, image);
    }

    public async Task DisposeAsync()
    {
        // The jobs end with the gateway; the containers it made are removed by the probe gateway.
        await _gateway.DisposeAsync();
        try { Directory.Delete(_archiveRoot, recursive: true); } catch (IOException) { }
    }

    private static async Task<string> StartSlowJobAsync(HttpClient client)
    {
        using var job = await client.PostAsJsonAsync("v1/migrations", new
        {
            source = new { store = "local", bucket = SlowSource },
            target = new { store = "archive", bucket = SlowTarget },
            bandwidthLimit = 1024,
            concurrency = 1,
        });
        Assert.Equal(HttpStatusCode.Accepted, job.StatusCode);
        return (await job.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>On the job's own progress stream, until it says running (a queued job would change state under the test).</summary>
    private static async Task WaitForRunningAsync(HttpClient client, string id)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var events = await client.GetAsync($"v1/migrations/{id}/events", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync(cts.Token));
        while (await reader.ReadLineAsync(cts.Token) is { } line)
            if (JsonSerializer.Deserialize<JsonElement>(line).GetProperty("state").GetString() == "running") return;
        Assert.Fail($"the job {id} ended before it was running");
    }

    private static async Task<string> CreateContainerAsync(HttpClient client, string image)
    {
        using var created = await client.PostAsJsonAsync("v1/docker/engine/containers", new { image, command = new[] { "sleep", "3600" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>
    /// Every route endpoint with methods and no declared body (no Accepts, not marked as reading any body itself), by
    /// method and route pattern; OPTIONS only describes the route and is left out.
    /// </summary>
    private List<(string Method, RouteEndpoint Endpoint)> BodylessRoutes()
    {
        var endpoints = _gateway.Server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        // The endpoints that read a body of any media type themselves: exactly these two, so no route is let off unseen.
        var anyBody = endpoints.Where(TakesAnyBody).Select(e => e.RoutePattern.RawText).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(new[] { "/v1/rest/{upstream}/{**path}", "/v1/stores/{store}/buckets/{bucket}/objects/{**key}" }, anyBody);
        return [.. endpoints
            .Where(e => e.Metadata.GetMetadata<IAcceptsMetadata>() is null && !TakesAnyBody(e))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Method: m, Endpoint: e)))
            .Where(r => r.Method != HttpMethods.Options)];
    }

    private static bool TakesAnyBody(Endpoint endpoint) => endpoint.Metadata.Any(m => m.GetType().Name == "TakesAnyBodyMetadata");

    /// <summary>A value for each route parameter that names what the request would change, were its body not refused.</summary>
    private string Value(string method, RoutePattern pattern, string parameter)
    {
        var route = pattern.RawText ?? "";
        return parameter switch
        {
            "container" when route.EndsWith("/start", StringComparison.Ordinal) || method == "DELETE" || route.EndsWith("/wait", StringComparison.Ordinal) => _created,
            "container" => _running,
            "id" when route.EndsWith("/resume", StringComparison.Ordinal) || route.EndsWith("/cancel", StringComparison.Ordinal) => _pausedJob,
            "id" => _runningJob,
            "bucket" when method == "PUT" => Fresh,
            "bucket" when method == "DELETE" && !route.Contains("/objects/", StringComparison.Ordinal) => Empty,
            "pod" or "deployment" => "web",
            _ => _gateway.WellFormed(parameter),
        };
    }

    private string Target(string method, RoutePattern pattern) => "/" + string.Join('/', pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
    {
        RoutePatternLiteralPart literal => literal.Content,
        RoutePatternSeparatorPart separator => separator.Content,
        RoutePatternParameterPart parameter => Value(method, pattern, parameter.Name),
        _ => throw new InvalidOperationException($"route part {part} of {pattern.RawText}"),
    }))));

    /// <summary>What a request that did something would have changed.</summary>
    private async Task<string> StateAsync()
    {
        var client = _gateway.Server.Client;
        var parts = new List<string> { await _gateway.SnapshotAsync(), $"kubernetes writes: {_gateway.KubeWritesHere}" };
        foreach (var container in new[] { _running, _created })
        {
            var state = (await client.GetFromJsonAsync<JsonElement>($"v1/docker/engine/containers/{container}")).GetProperty("state");
            parts.Add($"{container}: {state.GetProperty("status")} started {state.GetProperty("startedAt")} finished {state.GetProperty("finishedAt")}");
        }
        foreach (var job in new[] { _runningJob, _pausedJob })
            parts.Add($"{job}: {(await client.GetFromJsonAsync<JsonElement>($"v1/migrations/{job}")).GetProperty("state")}");
        return string.Join('\n', parts);
    }

    [Fact]
    public async Task Every_route_that_takes_no_body_refuses_one_with_a_415_and_does_nothing()
    {
        var routes = BodylessRoutes();
        var found = routes.Select(r => $"{r.Method} {r.Endpoint.RoutePattern.RawText}").ToHashSet(StringComparer.Ordinal);
        foreach (var expected in new[]
        {
            "POST /v1/docker/{host}/containers/{container}/start", "POST /v1/docker/{host}/containers/{container}/stop",
            "POST /v1/docker/{host}/containers/{container}/restart", "POST /v1/docker/{host}/containers/{container}/wait",
            "DELETE /v1/docker/{host}/containers/{container}", "POST /v1/migrations/{id}/pause", "POST /v1/migrations/{id}/resume",
            "POST /v1/migrations/{id}/cancel", "POST /v1/stores/{store}/cutover", "PUT /v1/stores/{store}/buckets/{bucket}",
            "DELETE /v1/stores/{store}/buckets/{bucket}", "DELETE /v1/stores/{store}/buckets/{bucket}/objects/{**key}",
            "DELETE /v1/kubernetes/{cluster}/namespaces/{namespace}/pods/{pod}",
            "POST /v1/kubernetes/{cluster}/namespaces/{namespace}/deployments/{deployment}/restart", "GET /v1/stores/", "HEAD /v1/stores/",
        })
            Assert.True(found.Contains(expected), $"{expected} is not among the bodyless routes found: {string.Join(", ", found.Order(StringComparer.Ordinal))}");

        var before = await StateAsync();
        foreach (var (method, endpoint) in routes)
        {
            var target = Target(method, endpoint.RoutePattern);
            foreach (var (body, type) in Bodies)
            {
                var what = $"{method} {target} [{type ?? "no Content-Type"}] {body}";
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                RawHttp.Response answer;
                try
                {
                    answer = await RawHttp.SendAsync(_gateway.Server, method, target, body, type is null ? [] : [$"Content-Type: {type}"], timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    _failures.Add($"{what}: no answer in 15 s (the body was not refused)");
                    continue;
                }
                if (answer.Status != 415) _failures.Add($"{what}: {answer.Status}, expected 415: {Trim(answer.Payload)}");
                else if (method != "HEAD") ExpectProblem(what, answer, "unsupported-media-type");
            }
        }
        var after = await StateAsync();
        if (after != before) _failures.Add($"refused requests changed the state:\nbefore:\n{before}\nafter:\n{after}");
        Assert.True(_failures.Count == 0, $"{_failures.Count} of {routes.Count * Bodies.Length} requests offend:\n" + string.Join("\n", _failures));
    }

    /// <summary>Every route endpoint of a method that changes something, by method and route pattern.</summary>
    private List<(string Method, RouteEndpoint Endpoint)> ChangingRoutes()
    {
        var endpoints = _gateway.Server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        // The endpoints that pass their query on: exactly the REST forwarder, so no route is let off unseen.
        var anyQuery = endpoints.Where(e => e.Metadata.Any(m => m.GetType().Name == "TakesAnyQueryMetadata")).Select(e => e.RoutePattern.RawText).Distinct().ToList();
        Assert.Equal(new[] { "/v1/rest/{upstream}/{**path}" }, anyQuery);
        return [.. endpoints
            .Where(e => !anyQuery.Contains(e.RoutePattern.RawText))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Method: m, Endpoint: e)))
            .Where(r => r.Method is "POST" or "PUT" or "PATCH" or "DELETE")];
    }

    [Fact]
    public async Task Every_route_that_changes_something_refuses_a_query_parameter_it_does_not_take_and_does_nothing()
    {
        var routes = ChangingRoutes();
        var found = routes.Select(r => $"{r.Method} {r.Endpoint.RoutePattern.RawText}").ToHashSet(StringComparer.Ordinal);
        foreach (var expected in new[]
        {
            "DELETE /v1/kubernetes/{cluster}/namespaces/{namespace}/pods/{pod}", "POST /v1/docker/{host}/containers/{container}/stop",
            "PUT /v1/stores/{store}/buckets/{bucket}/objects/{**key}", "POST /v1/stores/{store}/copy", "POST /v1/migrations/",
            "PUT /v1/kubernetes/{cluster}/namespaces/{namespace}/deployments/{deployment}/scale",
        })
            Assert.True(found.Contains(expected), $"{expected} is not among the routes found: {string.Join(", ", found.Order(StringComparer.Ordinal))}");

        var before = await StateAsync();
        foreach (var (method, endpoint) in routes)
        {
            // A near miss of a name the route takes, and a name no route takes.
            var near = endpoint.RoutePattern.RawText!.EndsWith("/pods/{pod}", StringComparison.Ordinal) ? "gracePeriod" : "timeout";
            foreach (var name in new[] { near, "dryRun" })
            {
                var target = $"{Target(method, endpoint.RoutePattern)}?{name}=0";
                // A body of the media type the route takes (the refusal comes before it is read).
                var (body, type) = endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is { } accepts ? ("{}", accepts.ContentTypes[0])
                    : TakesAnyBody(endpoint) ? ("new bytes", "text/plain") : ((string?)null, (string?)null);
                var what = $"{method} {target}";
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                var answer = await RawHttp.SendAsync(_gateway.Server, method, target, body, type is null ? [] : [$"Content-Type: {type}"], timeout.Token);
                if (answer.Status != 400) _failures.Add($"{what}: {answer.Status}, expected 400: {Trim(answer.Payload)}");
                else
                {
                    ExpectProblem(what, answer, "bad-request");
                    if (!answer.Payload.Contains($"'{name}' is not one this operation takes", StringComparison.Ordinal)) _failures.Add($"{what}: the refusal does not name {name}: {Trim(answer.Payload)}");
                }
            }
        }
        var after = await StateAsync();
        if (after != before) _failures.Add($"refused requests changed the state:\nbefore:\n{before}\nafter:\n{after}");
        Assert.True(_failures.Count == 0, $"{_failures.Count} of {routes.Count * 2} requests offend:\n" + string.Join("\n", _failures));
    }

    [Fact]
    public async Task A_refused_query_parameter_is_answered_with_the_names_the_route_takes_and_reads_still_ignore_one()
    {
        var pod = await RawHttp.SendAsync(_gateway.Server, "DELETE", "/v1/kubernetes/test/namespaces/default/pods/web?gracePeriod=0");
        Assert.True(pod.Status == 400 && pod.Payload.Contains("it takes gracePeriodSeconds)", StringComparison.Ordinal), $"{pod.Status} {pod.Payload}");
        var stop = await RawHttp.SendAsync(_gateway.Server, "POST", $"/v1/docker/engine/containers/{_running}/stop?timeout=0");
        Assert.True(stop.Status == 400 && stop.Payload.Contains("it takes t)", StringComparison.Ordinal), $"{stop.Status} {stop.Payload}");
        var bucket = await RawHttp.SendAsync(_gateway.Server, "DELETE", $"/v1/stores/local/buckets/{Empty}?force=true");
        Assert.True(bucket.Status == 400 && bucket.Payload.Contains("it takes none)", StringComparison.Ordinal), $"{bucket.Status} {bucket.Payload}");
        Assert.Equal("running", (await _gateway.Server.Client.GetFromJsonAsync<JsonElement>($"v1/docker/engine/containers/{_running}")).GetProperty("state").GetProperty("status").GetString());
        using (var kept = await _gateway.Server.Client.GetAsync($"v1/stores/local/buckets/{Empty}")) Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        // A read ignores a name it does not take (a cache buster), as before.
        using var read = await _gateway.Server.Client.GetAsync($"v1/stores/local/buckets/{Empty}?_=1733550000");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Fact]
    public async Task What_clients_send_for_no_body_is_taken()
    {
        var client = _gateway.Server.Client;
        // Content-Length: 0 without a type (curl -X POST sends none at all); an empty body with a type (curl -d '');
        // {} as JSON (a client library posting "nothing"); an empty chunked body.
        var paused = await RawHttp.SendAsync(_gateway.Server, "POST", $"/v1/migrations/{_runningJob}/pause", "");
        Assert.True(paused.Status == 200, $"pause with Content-Length: 0: {paused.Status} {paused.Payload}");
        Assert.Equal("paused", await StateOfAsync(client, _runningJob));
        var resumed = await RawHttp.SendAsync(_gateway.Server, "POST", $"/v1/migrations/{_runningJob}/resume", "", ["Content-Type: application/x-www-form-urlencoded"]);
        Assert.True(resumed.Status == 200, $"resume with an empty form body: {resumed.Status} {resumed.Payload}");
        Assert.NotEqual("paused", await StateOfAsync(client, _runningJob));
        var pausedAsJson = await RawHttp.SendAsync(_gateway.Server, "POST", $"/v1/migrations/{_runningJob}/pause", " { \r\n } ", ["Content-Type: application/json; charset=utf-8"]);
        Assert.True(pausedAsJson.Status == 200, $"pause with {{}} as JSON: {pausedAsJson.Status} {pausedAsJson.Payload}");
        Assert.Equal("paused", await StateOfAsync(client, _runningJob));
        using (var chunked = new HttpRequestMessage(HttpMethod.Post, $"v1/migrations/{_runningJob}/cancel") { Content = new StreamContent(new MemoryStream()) })
        {
            chunked.Headers.TransferEncodingChunked = true;
            using var cancelled = await client.SendAsync(chunked);
            Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        }
        Assert.Equal("cancelled", await StateOfAsync(client, _runningJob));

        // A chunked body that is not empty is a body all the same; and {} only as JSON, at most white space around it.
        var stopUrl = $"v1/docker/engine/containers/{_running}/stop?t=0";
        using (var chunked = new HttpRequestMessage(HttpMethod.Post, stopUrl) { Content = new StreamContent(new MemoryStream("{\"t\":0}"u8.ToArray())) })
        {
            chunked.Headers.TransferEncodingChunked = true;
            chunked.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var refused = await client.SendAsync(chunked);
            await ProblemAssert.Problem(refused, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        }
        foreach (var (body, type) in new[] { ("{}", "text/plain"), ("{}" + new string(' ', 100), "application/json"), ("{\"a\":{}}", "application/json"), ("[]", "application/json") })
        {
            var refused = await RawHttp.SendAsync(_gateway.Server, "POST", "/" + stopUrl, body, [$"Content-Type: {type}"]);
            Assert.True(refused.Status == 415, $"stop with {body.Trim()} as {type}: {refused.Status} {refused.Payload}");
        }
        Assert.Equal("running", (await client.GetFromJsonAsync<JsonElement>($"v1/docker/engine/containers/{_running}")).GetProperty("state").GetProperty("status").GetString());
        using var stopped = await client.PostAsync(stopUrl, JsonContent.Create(new { }));
        Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
        Assert.Equal("exited", (await client.GetFromJsonAsync<JsonElement>($"v1/docker/engine/containers/{_running}")).GetProperty("state").GetProperty("status").GetString());
    }

    private static async Task<string?> StateOfAsync(HttpClient client, string job) =>
        (await client.GetFromJsonAsync<JsonElement>($"v1/migrations/{job}")).GetProperty("state").GetString();

    private void ExpectProblem(string what, RawHttp.Response answer, string code)
    {
        if (answer.ContentType.Split(';')[0].Trim() != "application/problem+json")
        {
            _failures.Add($"{what} ({answer.Status}): {answer.ContentType}, not problem+json");
            return;
        }
        using var problem = JsonDocument.Parse(answer.Payload);
        if (problem.RootElement.GetProperty("code").GetString() != code || problem.RootElement.GetProperty("status").GetInt32() != answer.Status)
            _failures.Add($"{what} ({answer.Status}): {Trim(answer.Payload)}");
    }

    private static string Trim(string text) => text.Length > 200 ? text[..200] + $"...({text.Length})" : text;
}
