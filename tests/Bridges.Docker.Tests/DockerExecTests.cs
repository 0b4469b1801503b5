using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Testing;
using static Gateway.Testing.ProblemAssert;

namespace Gateway.Bridges.Docker.Tests;

/// <summary><c>POST /v1/docker/{host}/containers/{c}/exec</c> end to end: HTTP → gateway → Docker bridge → real dockerd.</summary>
[Collection(DockerCollection.Name)]
public sealed class DockerExecTests(DockerBackend backend) : DockerGatewayTestBase(backend)
{
    /// <summary>A container that runs until it is stopped; started unless <paramref name="start"/> is false.</summary>
    async Task<List<JsonElement>> ExecAsync(string container, object body)
    {
        using var response = await Http.PostAsJsonAsync($"v1/docker/local/containers/{container}/exec", body, Deadline());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    [Fact]
    public async Task A_command_runs_with_its_environment_directory_and_user_and_ends_with_its_exit_code()
    {
        var id = await RunningContainerAsync();
        var lines = await ExecAsync(id, new
        {
            command = new[] { "sh", "-c", "echo out; echo err >&2; echo \"$GREETING\"; pwd; id -u; exit 3" },
            env = new Dictionary<string, string> { ["GREETING"] = "hello there" },
            workingDir = "/tmp",
            user = "1234",
        });

        var output = lines.SkipLast(1).Select(l => (l.GetProperty("stream").GetString(), l.GetProperty("text").GetString())).ToList();
        Assert.Equal([("stdout", "out\n"), ("stdout", "hello there\n"), ("stdout", "/tmp\n"), ("stdout", "1234\n")],
            output.Where(o => o.Item1 == "stdout"));
        Assert.Equal([("stderr", "err\n")], output.Where(o => o.Item1 == "stderr"));
        var last = lines[^1];
        Assert.Equal(3, last.GetProperty("exitCode").GetInt32());
        Assert.False(last.TryGetProperty("text", out _));

        var audit = await Http.GetFromJsonAsync<JsonElement>("v1/audit?limit=1000");
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e => e.GetProperty("operation").GetString() == "containers.exec-container");
    }

    [Fact]
    public async Task Output_reaches_the_caller_while_the_command_still_runs()
    {
        var id = await RunningContainerAsync();
        var ct = Deadline();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"v1/docker/local/containers/{id}/exec")
        {
            Content = JsonContent.Create(new { command = new[] { "sh", "-c", "echo first; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo second" } }),
        };
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        Assert.Equal("first\n", JsonDocument.Parse((await reader.ReadLineAsync(ct))!).RootElement.GetProperty("text").GetString());

        // The first command waits for this file: its first line came through before it could end.
        var release = await ExecAsync(id, new { command = new[] { "touch", "/tmp/go" } });
        Assert.Equal(0, release[^1].GetProperty("exitCode").GetInt32());

        Assert.Equal("second\n", JsonDocument.Parse((await reader.ReadLineAsync(ct))!).RootElement.GetProperty("text").GetString());
        Assert.Equal(0, JsonDocument.Parse((await reader.ReadLineAsync(ct))!).RootElement.GetProperty("exitCode").GetInt32());
        Assert.Null(await reader.ReadLineAsync(ct));
    }

    [Fact]
    public async Task Waiting_for_a_container_answers_its_exit_code_once_it_stops()
    {
        var create = await Http.PostAsJsonAsync("v1/docker/local/containers", new
        {
            image = Backend.TestImage,
            command = new[] { "sh", "-c", "while [ ! -e /tmp/go ]; do sleep 0.05; done; exit 7" },
            labels = RunLabels,
        });
        var id = (await create.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await Http.PostAsync($"v1/docker/local/containers/{id}/start", null)).StatusCode);

        // The container cannot end before /tmp/go exists: the wait answers only after the release, with the exit code.
        // The release is a copied-in file, not an exec: an exec still ending when the container stops may be given
        // the engine's exit code for a killed process instead of its own.
        var waiting = Http.PostAsync($"v1/docker/local/containers/{id}/wait", null, Deadline());
        using var release = await Http.PutAsync($"v1/docker/local/containers/{id}/archive?path=/tmp", Tar(("go", [])), Deadline());
        Assert.Equal(HttpStatusCode.NoContent, release.StatusCode);

        using var waited = await waiting;
        Assert.Equal(HttpStatusCode.OK, waited.StatusCode);
        Assert.Equal(7, (await waited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("exitCode").GetInt32());

        // A container that has stopped answers at once, and a missing one is 404.
        var again = await Http.PostAsync($"v1/docker/local/containers/{id}/wait", null, Deadline());
        Assert.Equal(7, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("exitCode").GetInt32());
        await Problem(await Http.PostAsync($"v1/docker/local/containers/gw-missing-{Guid.NewGuid():N}/wait", null), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task A_program_the_container_lacks_ends_with_the_runtimes_exit_code()
    {
        var id = await RunningContainerAsync();
        var lines = await ExecAsync(id, new { command = new[] { "no-such-program-here" } });
        Assert.Contains(lines[^1].GetProperty("exitCode").GetInt32(), new[] { 126, 127 });
    }

    [Fact]
    public async Task A_stopped_container_is_409_and_a_missing_one_404()
    {
        var stopped = await RunningContainerAsync(start: false);
        var body = new { command = new[] { "true" } };
        await Problem(await Http.PostAsJsonAsync($"v1/docker/local/containers/{stopped}/exec", body), HttpStatusCode.Conflict, "conflict");
        await Problem(await Http.PostAsJsonAsync($"v1/docker/local/containers/gw-missing-{Guid.NewGuid():N}/exec", body), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Running_a_command_needs_a_grant_on_the_exec_resource_not_only_on_the_container()
    {
        var id = await RunningContainerAsync();
        const string operatorKey = "operator-key-0123456789abcdef0123456789", runnerKey = "runner-key-0123456789abcdef0123456789";
        static string Hash(string key) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        await using var scoped = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Docker:Hosts:local:Endpoint"] = Backend.Endpoint.ToString(),
            ["Gateway:Security:ApiKeys:operator:Hash"] = Hash(operatorKey),
            ["Gateway:Security:ApiKeys:operator:Scopes:0"] = "read,write:docker/local/containers/*",
            ["Gateway:Security:ApiKeys:runner:Hash"] = Hash(runnerKey),
            ["Gateway:Security:ApiKeys:runner:Scopes:0"] = "write:docker/local/containers/*/exec",
        });
        HttpRequestMessage Exec(string key) => new(HttpMethod.Post, $"v1/docker/local/containers/{id}/exec")
        {
            Content = JsonContent.Create(new { command = new[] { "sh", "-c", "echo ran" } }),
            Headers = { { "X-Api-Key", key } },
        };
        using var http = scoped.CreateClient();

        using var start = new HttpRequestMessage(HttpMethod.Post, $"v1/docker/local/containers/{id}/start") { Headers = { { "X-Api-Key", operatorKey } } };
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(start)).StatusCode);
        await Problem(await http.SendAsync(Exec(operatorKey)), HttpStatusCode.Forbidden, "forbidden");

        using var ran = await http.SendAsync(Exec(runnerKey));
        Assert.Equal(HttpStatusCode.OK, ran.StatusCode);
        Assert.Contains("\"text\":\"ran\\n\"", await ran.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Bad_exec_bodies_are_400_without_reaching_the_engine()
    {
        object[] bodies =
        [
            new { },
            new { command = Array.Empty<string>() },
            new { command = new[] { "" } },
            new { command = new[] { "sh", "a\0b" } },
            // A misspelt field is refused, not ignored.
            new { cmd = new[] { "true" } },
            new { command = new[] { "true" }, env = new Dictionary<string, string> { ["1BAD"] = "x" } },
            new { command = new[] { "true" }, workingDir = "relative/dir" },
            new { command = new[] { "true" }, user = "root; rm -rf /" },
            new { command = new[] { "true" }, user = "a:b:c" },
        ];
        foreach (var body in bodies)
            await Problem(await Http.PostAsJsonAsync("v1/docker/nowhere/containers/okname/exec", body), HttpStatusCode.BadRequest, "bad-request");

        await Problem(await Http.PostAsJsonAsync("v1/docker/nowhere/containers/-bad/exec", new { command = new[] { "true" } }), HttpStatusCode.BadRequest, "bad-request");
        var malformed = new StringContent("{\"command\": [1,2]", System.Text.Encoding.UTF8, "application/json");
        await Problem(await Http.PostAsync("v1/docker/nowhere/containers/okname/exec", malformed), HttpStatusCode.BadRequest, "bad-request");
        await Problem(await Http.PostAsync("v1/docker/nowhere/containers/okname/exec", null), HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }
}
