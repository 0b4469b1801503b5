using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Contracts.Containers;
using Gateway.Testing;
using static Gateway.Testing.ProblemAssert;

namespace Gateway.Bridges.Docker.Tests;

/// <summary>The /v1/docker/{host} endpoints end to end: HTTP → gateway → Docker bridge → real dockerd.</summary>
[Collection(DockerCollection.Name)]
public sealed class DockerGatewayTests(DockerBackend backend) : DockerGatewayTestBase(backend)
{
    object CreateBody(string script, string? name = null) => new
    {
        image = Backend.TestImage,
        name,
        command = new[] { "sh", "-c", script },
        labels = RunLabels,
    };

    [Fact]
    public async Task Hosts_version_and_info_are_served()
    {
        var hosts = await Http.GetFromJsonAsync<JsonElement>("v1/docker");
        Assert.Equal(["local", "nowhere"], hosts.GetProperty("hosts").EnumerateArray().Select(h => h.GetString()));

        var version = await Http.GetFromJsonAsync<JsonElement>("v1/docker/local/version");
        Assert.Equal((await Backend.Direct.System.GetVersionAsync()).Version, version.GetProperty("version").GetString());
        var info = await Http.GetFromJsonAsync<JsonElement>("v1/docker/local/info");
        Assert.Equal(version.GetProperty("version").GetString(), info.GetProperty("serverVersion").GetString());

        await Problem(await Http.GetAsync("v1/docker/unknown/version"), HttpStatusCode.NotFound, "not-found");
        await Problem(await Http.GetAsync("v1/docker/nowhere/version"), HttpStatusCode.ServiceUnavailable, "unavailable");

        // Both hosts are bridge instances with a health view: the one that answered is healthy, the other not.
        var bridges = (await Http.GetFromJsonAsync<JsonElement>("v1/bridges")).GetProperty("bridges").EnumerateArray()
            .Where(b => b.GetProperty("kind").GetString() == "docker")
            .ToDictionary(b => b.GetProperty("name").GetString()!, b => b.GetProperty("health").GetString());
        Assert.Equal("healthy", bridges["local"]);
        Assert.NotEqual("healthy", bridges["nowhere"]);
    }

    [Theory]
    [InlineData("Gateway:Docker:Hosts:broken:Endpoint", "", "Gateway:Docker:Hosts:broken:Endpoint is required")]
    [InlineData("Gateway:Docker:Hosts:broken:Endpoint", "ftp://x", "Gateway:Docker:Hosts:broken:Endpoint must be a unix:// or tcp:// URI")]
    [InlineData("Gateway:Docker:Hosts:Bad Name:Endpoint", "unix:///x.sock", "Gateway:Docker:Hosts:Bad Name")]
    [InlineData("Gateway:Docker:Hosts:broken:Resilience:MaxRetryAttempts", "99", "Gateway:Docker:Hosts:broken:Resilience:MaxRetryAttempts")]
    public async Task Bad_host_settings_stop_theGateway_naming_the_setting(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { [key] = value };
        if (!key.EndsWith(":Endpoint")) settings["Gateway:Docker:Hosts:broken:Endpoint"] = "unix:///x.sock";
        var ex = await Assert.ThrowsAnyAsync<Exception>(async () => { await using var _ = await GatewayServer.StartAsync(settings); });
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public async Task A_container_runs_its_whole_life_through_theGateway_with_logs_streamed_as_ndjson()
    {
        var name = $"gw-e2e-{Guid.NewGuid():N}"[..24];
        var create = await Http.PostAsJsonAsync("v1/docker/local/containers",
            CreateBody("trap 'echo bye; exit 0' TERM; echo first; echo oops >&2; while true; do sleep 0.1; done", name));
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var id = (await create.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.EndsWith($"/v1/docker/local/containers/{id}", create.Headers.Location!.ToString());

        var start = await Http.PostAsync($"v1/docker/local/containers/{name}/start", null);
        Assert.True((await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("changed").GetBoolean());

        var ct = Deadline(60);
        using var logs = await Http.GetAsync($"v1/docker/local/containers/{name}/logs?follow=true&timestamps=true",
            HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal(HttpStatusCode.OK, logs.StatusCode);
        Assert.Equal("application/x-ndjson", logs.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await logs.Content.ReadAsStreamAsync(ct));
        var lines = new List<JsonElement>();
        while (!(lines.Any(l => l.GetProperty("text").GetString() == "first\n") && lines.Any(l => l.GetProperty("text").GetString() == "oops\n")))
        {
            var line = await reader.ReadLineAsync(ct);
            Assert.NotNull(line);
            lines.Add(JsonDocument.Parse(line).RootElement.Clone());
        }

        // Both lines came through while the container still runs.
        var inspect = await Http.GetFromJsonAsync<JsonElement>($"v1/docker/local/containers/{id}");
        Assert.True(inspect.GetProperty("state").GetProperty("running").GetBoolean());
        Assert.Equal(name, inspect.GetProperty("name").GetString());
        Assert.Contains(lines, l => l.GetProperty("stream").GetString() == "stdout" && l.GetProperty("text").GetString() == "first\n");
        Assert.Contains(lines, l => l.GetProperty("stream").GetString() == "stderr" && l.GetProperty("text").GetString() == "oops\n");
        Assert.All(lines, l => Assert.True(DateTimeOffset.TryParse(l.GetProperty("ts").GetString(), out _)));

        var stop = await Http.PostAsync($"v1/docker/local/containers/{id}/stop?t=10", null, Deadline());
        Assert.True((await stop.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("changed").GetBoolean());
        var rest = await reader.ReadToEndAsync(ct);
        Assert.Contains("\"text\":\"bye\\n\"", rest);

        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync($"v1/docker/local/containers/{id}")).StatusCode);

        // Each call rode CTP-96 and left a verified witness in the audit chain.
        var audit = await Http.GetFromJsonAsync<JsonElement>("v1/audit?limit=1000");
        var operations = audit.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("operation").GetString()).ToList();
        foreach (var op in new[] { "create-container", "start-container", "container-logs", "stop-container", "remove-container" })
            Assert.Contains($"containers.{op}", operations);
        await Problem(await Http.GetAsync($"v1/docker/local/containers/{id}"), HttpStatusCode.NotFound, "not-found");
        await Problem(await Http.GetAsync($"v1/docker/local/containers/{id}/logs"), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Log_times_keep_their_fraction_as_unix_seconds_or_rfc_3339()
    {
        // Three lines 0.3 s apart, so the times between them are fractions of a second the engine must be given whole.
        var name = $"gw-times-{Guid.NewGuid():N}"[..24];
        Assert.Equal(HttpStatusCode.Created, (await Http.PostAsJsonAsync("v1/docker/local/containers",
            CreateBody("echo a; sleep 0.3; echo b; sleep 0.3; echo c", name))).StatusCode);
        await Http.PostAsync($"v1/docker/local/containers/{name}/start", null);
        var ct = Deadline(60);

        async Task<List<(string Text, DateTimeOffset Ts)>> Read(string query)
        {
            using var response = await Http.GetAsync($"v1/docker/local/containers/{name}/logs?timestamps=true&{query}", ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            return (await response.Content.ReadAsStringAsync(ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => JsonDocument.Parse(l).RootElement)
                .Select(l => (l.GetProperty("text").GetString()!.TrimEnd(), DateTimeOffset.Parse(l.GetProperty("ts").GetString()!, System.Globalization.CultureInfo.InvariantCulture)))
                .ToList();
        }

        // follow=true ends when the container does: then all three lines are there.
        var all = await Read("follow=true");
        Assert.Equal(["a", "b", "c"], all.Select(l => l.Text));
        var betweenAandB = all[0].Ts + (all[1].Ts - all[0].Ts) / 2;
        var betweenBandC = all[1].Ts + (all[2].Ts - all[1].Ts) / 2;

        static string Unix(DateTimeOffset t)
        {
            var ticks = t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
            return FormattableString.Invariant($"{ticks / TimeSpan.TicksPerSecond}.{ticks % TimeSpan.TicksPerSecond:D7}");
        }
        static string Rfc3339(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'", System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(["b", "c"], (await Read($"since={Unix(betweenAandB)}")).Select(l => l.Text));
        Assert.Equal(["a", "b"], (await Read($"until={Unix(betweenBandC)}")).Select(l => l.Text));
        Assert.Equal(["b"], (await Read($"since={Unix(betweenAandB)}&until={Unix(betweenBandC)}")).Select(l => l.Text));
        Assert.Equal(["b", "c"], (await Read($"since={Uri.EscapeDataString(Rfc3339(betweenAandB))}")).Select(l => l.Text));
        Assert.Equal(["a", "b"], (await Read($"until={Uri.EscapeDataString(Rfc3339(betweenBandC))}")).Select(l => l.Text));
    }

    [Fact]
    public async Task Name_clash_is_409_and_lists_filter_by_label()
    {
        var name = $"gw-clash-{Guid.NewGuid():N}"[..24];
        Assert.Equal(HttpStatusCode.Created, (await Http.PostAsJsonAsync("v1/docker/local/containers", CreateBody("true", name))).StatusCode);
        var clash = await Problem(await Http.PostAsJsonAsync("v1/docker/local/containers", CreateBody("true", name)), HttpStatusCode.Conflict, "conflict");
        Assert.Contains(name, clash.GetProperty("detail").GetString());

        var filters = Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, string[]> { ["label"] = [RunLabel] }));
        var list = await Http.GetFromJsonAsync<JsonElement>($"v1/docker/local/containers?all=true&filters={filters}");
        var names = list.GetProperty("containers").EnumerateArray().SelectMany(c => c.GetProperty("names").EnumerateArray()).Select(n => n.GetString());
        Assert.Equal([$"/{name}"], names);

        await Problem(await Http.GetAsync("v1/docker/local/containers?filters=not-json"), HttpStatusCode.BadRequest, "bad-request");
        await Problem(await Http.GetAsync($"v1/docker/local/containers?filters={Uri.EscapeDataString("{\"bogus\":[\"x\"]}")}"), HttpStatusCode.BadRequest, "bad-request");
    }

    [Fact]
    public async Task Images_are_listed_and_loaded_from_a_streamed_tar_upload()
    {
        try { await Backend.Direct.Images.DeleteImageAsync(Backend.LoadableImage, new() { Force = true }); }
        catch (global::Docker.DotNet.DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound) { }

        await using var tar = File.OpenRead(Backend.LoadableImageTar);
        var content = new StreamContent(tar);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        var load = await Http.PostAsync("v1/docker/local/images/load", content, Deadline(60));
        Assert.Equal(HttpStatusCode.OK, load.StatusCode);
        Assert.Contains(Backend.LoadableImage, (await load.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("loaded").EnumerateArray().Select(e => e.GetString()));

        var images = await Http.GetFromJsonAsync<JsonElement>("v1/docker/local/images");
        var tags = images.GetProperty("images").EnumerateArray().SelectMany(i => i.GetProperty("repoTags").EnumerateArray()).Select(t => t.GetString()).ToList();
        Assert.Contains(Backend.LoadableImage, tags);
        Assert.Contains(Backend.TestImage, tags);

        var garbage = new ByteArrayContent("not a tar"u8.ToArray());
        garbage.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        await Problem(await Http.PostAsync("v1/docker/local/images/load", garbage), HttpStatusCode.BadRequest, "bad-request");
        var json = JsonContent.Create(new { });
        await Problem(await Http.PostAsync("v1/docker/local/images/load", json), HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }

    [Theory]
    [InlineData("GET", "v1/docker/nowhere/containers/-bad")]
    [InlineData("GET", "v1/docker/nowhere/containers/a")]
    [InlineData("GET", "v1/docker/nowhere/containers/sp%20ace")]
    [InlineData("GET", "v1/docker/nowhere/containers/semi%3Bcolon/logs")]
    [InlineData("POST", "v1/docker/nowhere/containers/x%2F..%2Fy/start")]
    [InlineData("POST", "v1/docker/nowhere/containers/%2Detc/stop")]
    [InlineData("DELETE", "v1/docker/nowhere/containers/-rf")]
    [InlineData("GET", "v1/docker/nowhere/containers/okname/logs?tail=lots")]
    [InlineData("GET", "v1/docker/nowhere/containers/okname/logs?stdout=false&stderr=false")]
    [InlineData("POST", "v1/docker/nowhere/containers/okname/stop?t=-1")]
    [InlineData("GET", "v1/docker/Bad_Host/version")]
    public async Task Bad_names_and_options_are_400_without_reaching_the_engine(string method, string path)
    {
        using var response = await Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        await Problem(response, HttpStatusCode.BadRequest, "bad-request");
    }

    /// <summary>
    /// A filter given twice is ambiguous (a JSON reader keeps one of the two), a null one says nothing: both are refused
    /// naming the filter, on the host whose engine does not exist, so a 400 proves nothing was passed on.
    /// </summary>
    [Theory]
    [InlineData("{\"label\":[\"a=b\"],\"label\":[\"c=d\"]}", "label")]
    [InlineData("{\"status\":[\"running\"],\"label\":[\"a\"],\"status\":[\"exited\"]}", "status")]
    [InlineData("{\"label\":[\"a\"],\"lab\\u0065l\":[\"b\"]}", "label")]
    [InlineData("{\"label\":null}", "label")]
    [InlineData("{\"label\":[\"a\",null]}", "label")]
    [InlineData("{\"name\":[null]}", "name")]
    public async Task A_list_filter_given_twice_or_null_is_400_naming_it(string filters, string name)
    {
        var problem = await Problem(await Http.GetAsync($"v1/docker/nowhere/containers?filters={Uri.EscapeDataString(filters)}"),
            HttpStatusCode.BadRequest, "bad-request");
        Assert.Contains($"'{name}'", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{\"label\":\"a\"}")]
    [InlineData("{\"label\":[1]}")]
    // An escaped lone surrogate is valid JSON but no text (was a 500: InvalidOperationException reading it).
    [InlineData("{\"label\":[\"\\udc00\"]}")]
    [InlineData("{\"\\ud800\":[\"a\"]}")]
    public async Task A_filters_value_that_is_no_map_of_string_arrays_is_400(string filters) =>
        await Problem(await Http.GetAsync($"v1/docker/nowhere/containers?filters={Uri.EscapeDataString(filters)}"),
            HttpStatusCode.BadRequest, "bad-request");

    /// <summary>The engine reads a filter's values as a set: the same value twice is the value once (it was a 500).</summary>
    [Theory]
    [InlineData("{\"since\":[\"no-such-container-here\"]}")]
    [InlineData("{\"before\":[\"..\"]}")]
    [InlineData("{\"exited\":[\"abc\"]}")]
    [InlineData("{\"expose\":[\"99999\"]}")]
    [InlineData("{\"publish\":[\"abc/xyz\"]}")]
    public async Task A_filter_value_the_engine_cannot_read_is_400_not_503(string filters)
    {
        // The engine answers these with its 500, which the gateway passed on as 503 unavailable (seventh probe): the
        // caller's filter, not a failing engine.
        var problem = await Problem(await Http.GetAsync($"v1/docker/local/containers?all=true&filters={Uri.EscapeDataString(filters)}"),
            HttpStatusCode.BadRequest, "bad-request");
        Assert.StartsWith("The engine refused a filter value", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_filter_value_given_twice_lists_as_given_once()
    {
        var name = $"gw-twice-{Guid.NewGuid():N}"[..24];
        Assert.Equal(HttpStatusCode.Created, (await Http.PostAsJsonAsync("v1/docker/local/containers", CreateBody("true", name))).StatusCode);
        var filters = Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, string[]> { ["label"] = [RunLabel, RunLabel] }));
        using var response = await Http.GetAsync($"v1/docker/local/containers?all=true&filters={filters}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var names = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("containers").EnumerateArray()
            .SelectMany(c => c.GetProperty("names").EnumerateArray()).Select(n => n.GetString());
        Assert.Equal([$"/{name}"], names);
    }

    /// <summary>
    /// A label whose value is null, or whose key or value holds NUL, is refused before the engine is asked: sent to the real
    /// engine, and the containers carrying this run's label are the same before and after.
    /// </summary>
    [Theory]
    [InlineData("\"odd\":null")]
    [InlineData("\"odd\\u0000key\":\"x\"")]
    [InlineData("\"odd\":\"a\\u0000b\"")]
    public async Task A_null_label_value_or_a_nul_in_a_label_is_400_and_creates_nothing(string label)
    {
        var (key, value) = (RunLabel.Split('=')[0], RunLabel.Split('=')[1]);
        var body = $"{{\"image\":\"{Backend.TestImage}\",\"command\":[\"true\"],\"labels\":{{\"{key}\":\"{value}\",{label}}}}}";
        // The engine's own list of this run's containers (the body carries the run label, so anything created would be in it).
        async Task<int> Count() => (await Backend.Direct.Containers.ListContainersAsync(new global::Docker.DotNet.Models.ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [RunLabel] = true } },
        })).Count;
        var before = await Count();

        var problem = await Problem(await Http.PostAsync("v1/docker/local/containers",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "bad-request");
        Assert.Contains("label", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await Count());
    }

    [Fact]
    public async Task Bad_create_bodies_are_400_without_reaching_the_engine()
    {
        object[] bodies =
        [
            new { image = "UPPER/case:1" },
            new { image = Backend.TestImage, name = "-leading-dash" },
            new { image = Backend.TestImage, env = new Dictionary<string, string> { ["1BAD"] = "x" } },
            new { image = Backend.TestImage, portBindings = new[] { new { containerPort = 0 } } },
            new { name = "no-image" },
            // Misspelt fields are refused, not ignored (the container would run the image's own command).
            new { image = Backend.TestImage, cmd = new[] { "sh", "-c", "echo hi" } },
            new { image = Backend.TestImage, portBindings = new[] { new { containerPort = 80, protocl = "udp" } } },
        ];
        foreach (var body in bodies)
            await Problem(await Http.PostAsJsonAsync("v1/docker/nowhere/containers", body), HttpStatusCode.BadRequest, "bad-request");

        var malformed = new StringContent("{\"image\": [1,2]", System.Text.Encoding.UTF8, "application/json");
        await Problem(await Http.PostAsync("v1/docker/nowhere/containers", malformed), HttpStatusCode.BadRequest, "bad-request");
    }
}
