using Docker.DotNet.Models;
using PortBinding = Gateway.Contracts.Containers.PortBinding;
using Gateway.Contracts.Containers;
using Gateway.Contracts.Errors;

namespace Gateway.Bridges.Docker.Tests;

/// <summary>The bridge against a real dockerd, running real containers from the imported busybox image.</summary>
[Collection(DockerCollection.Name)]
public sealed class DockerContainerHostTests(DockerBackend backend) : IAsyncLifetime
{
    // Every container a test makes carries this label, so DisposeAsync can clean up whatever happened.
    readonly string _runLabel = "gateway-test.run=" + Guid.NewGuid().ToString("N")[..12];
    DockerContainerHost _host = null!;

    static CancellationToken Deadline(int seconds = 30) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    public Task InitializeAsync()
    {
        _host = new DockerContainerHost("test", backend.Endpoint);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await backend.RemoveLabelledAsync(_runLabel);
        _host.Dispose();
    }

    string UniqueName(string what) => $"gw-{what}-{Guid.NewGuid():N}"[..30];

    ContainerCreateRequest Busybox(string script, string? name = null) => new(
        backend.TestImage, name ?? UniqueName("c"), Command: ["sh", "-c", script],
        Labels: new Dictionary<string, string> { [_runLabel.Split('=')[0]] = _runLabel.Split('=')[1] });

    [Fact]
    public async Task Version_and_info_describe_the_engine()
    {
        var version = await _host.GetVersionAsync(Deadline());
        var info = await _host.GetInfoAsync(Deadline());
        var direct = await backend.Direct.System.GetVersionAsync();

        Assert.Equal(direct.Version, version.Version);
        Assert.Equal(direct.APIVersion, version.ApiVersion);
        Assert.Equal("linux", version.Os);
        Assert.Equal(version.Version, info.ServerVersion);
        Assert.True(info.Images >= 1, "the test image is there");
    }

    [Fact]
    public async Task Logs_stream_while_the_container_runs_then_end_when_it_stops()
    {
        var created = await _host.CreateContainerAsync(Busybox(
            "trap 'echo bye; exit 0' TERM; echo first; echo oops >&2; while true; do sleep 0.1; done"), Deadline());
        Assert.True(await _host.StartContainerAsync(created.Id, Deadline()));

        var ct = Deadline(60);
        await using var lines = _host.StreamLogsAsync(created.Id, new ContainerLogsQuery(Follow: true), ct).GetAsyncEnumerator(ct);
        var seen = new List<ContainerLogLine>();
        while (!(seen.Any(l => l.Text == "first\n") && seen.Any(l => l.Text == "oops\n")))
        {
            Assert.True(await lines.MoveNextAsync(), "the log ended before the container printed both lines");
            seen.Add(lines.Current);
        }

        // Both lines arrived while the container is still running: the log is streamed, not read after the fact.
        Assert.True((await _host.InspectContainerAsync(created.Id, Deadline())).State.Running);
        Assert.Contains(seen, l => l is { Stream: ContainerLogStream.Stdout, Text: "first\n" });
        Assert.Contains(seen, l => l is { Stream: ContainerLogStream.Stderr, Text: "oops\n" });

        Assert.True(await _host.StopContainerAsync(created.Id, 10, Deadline()));
        while (await lines.MoveNextAsync()) seen.Add(lines.Current);
        Assert.Equal("bye\n", seen[^1].Text);

        var state = (await _host.InspectContainerAsync(created.Id, Deadline())).State;
        Assert.False(state.Running);
        Assert.Equal(0, state.ExitCode);
        Assert.False(await _host.StopContainerAsync(created.Id, 1, Deadline()));

        await _host.RemoveContainerAsync(created.Id, force: false, removeVolumes: true, Deadline());
        var ex = await Assert.ThrowsAsync<GatewayException>(() => _host.InspectContainerAsync(created.Id, Deadline()));
        Assert.Equal(ErrorCode.NotFound, ex.Code);
    }

    [Fact]
    public async Task Logs_of_a_finished_container_honour_streams_tail_and_timestamps()
    {
        var created = await _host.CreateContainerAsync(Busybox("echo one; echo two; echo three; echo err >&2; printf tail-without-newline"), Deadline());
        await _host.StartContainerAsync(created.Id, Deadline());
        var exit = await backend.Direct.Containers.WaitContainerAsync(created.Id, Deadline());
        Assert.Equal(0, exit.StatusCode);

        async Task<List<ContainerLogLine>> Read(ContainerLogsQuery q)
        {
            var result = new List<ContainerLogLine>();
            await foreach (var line in _host.StreamLogsAsync(created.Id, q, Deadline())) result.Add(line);
            return result;
        }

        var all = await Read(new ContainerLogsQuery());
        Assert.Equal(["one\n", "two\n", "three\n", "tail-without-newline"], all.Where(l => l.Stream == ContainerLogStream.Stdout).Select(l => l.Text));
        Assert.Equal(["err\n"], all.Where(l => l.Stream == ContainerLogStream.Stderr).Select(l => l.Text));
        Assert.All(all, l => Assert.Null(l.Timestamp));

        var stderrOnly = await Read(new ContainerLogsQuery(Stdout: false));
        Assert.Equal(["err\n"], stderrOnly.Select(l => l.Text));

        // The engine counts the tail over its one log (both streams, in the order it read them) and then filters.
        var tail = await Read(new ContainerLogsQuery(Tail: 3));
        Assert.Equal(all.TakeLast(3), tail);
        var tailStdout = await Read(new ContainerLogsQuery(Stderr: false, Tail: 3));
        Assert.Equal(all.TakeLast(3).Where(l => l.Stream == ContainerLogStream.Stdout), tailStdout);
        Assert.Contains(tailStdout, l => l.Text == "tail-without-newline");

        var stamped = await Read(new ContainerLogsQuery(Stderr: false, Timestamps: true));
        Assert.Equal(["one\n", "two\n", "three\n", "tail-without-newline"], stamped.Select(l => l.Text));
        Assert.All(stamped, l => Assert.True(DateTimeOffset.TryParse(l.Timestamp, out var t) && t > DateTimeOffset.UtcNow.AddHours(-1), $"timestamp '{l.Timestamp}'"));
    }

    [Fact]
    public async Task Create_passes_env_labels_ports_and_command_to_the_engine()
    {
        var request = Busybox("echo $GREETING") with
        {
            Env = new Dictionary<string, string> { ["GREETING"] = "hello world" },
            PortBindings = [new PortBinding(8080, "tcp", 0, "127.0.0.1"), new PortBinding(53, "udp")],
            WorkingDir = "/tmp",
        };
        var created = await _host.CreateContainerAsync(request, Deadline());

        var details = await _host.InspectContainerAsync(created.Id, Deadline());
        Assert.Equal(request.Name, details.Name);
        Assert.Equal(backend.TestImage, details.Image);
        Assert.Equal(["sh", "-c", "echo $GREETING"], details.Command);
        Assert.Contains("GREETING=hello world", details.Env);
        Assert.Equal(_runLabel.Split('=')[1], details.Labels[_runLabel.Split('=')[0]]);
        Assert.Contains(new PortBinding(8080, "tcp", null, "127.0.0.1"), details.PortBindings);
        Assert.Contains(new PortBinding(53, "udp", null, null), details.PortBindings);
        Assert.Equal("created", details.State.Status);

        await _host.StartContainerAsync(created.Id, Deadline());
        await backend.Direct.Containers.WaitContainerAsync(created.Id, Deadline());
        var lines = new List<string>();
        await foreach (var line in _host.StreamLogsAsync(created.Id, new ContainerLogsQuery(), Deadline())) lines.Add(line.Text);
        Assert.Equal(["hello world\n"], lines);
    }

    [Fact]
    public async Task A_name_in_use_is_a_conflict_and_a_missing_container_not_found()
    {
        var name = UniqueName("clash");
        await _host.CreateContainerAsync(Busybox("true", name), Deadline());
        var clash = await Assert.ThrowsAsync<GatewayException>(() => _host.CreateContainerAsync(Busybox("true", name), Deadline()));
        Assert.Equal(ErrorCode.Conflict, clash.Code);
        Assert.Contains(name, clash.Message);

        var missing = UniqueName("missing");
        foreach (var call in new Func<Task>[]
        {
            () => _host.InspectContainerAsync(missing, Deadline()),
            () => _host.StartContainerAsync(missing, Deadline()),
            () => _host.StopContainerAsync(missing, 1, Deadline()),
            () => _host.RestartContainerAsync(missing, 1, Deadline()),
            () => _host.RemoveContainerAsync(missing, true, false, Deadline()),
            async () => { await foreach (var _ in _host.StreamLogsAsync(missing, new ContainerLogsQuery(), Deadline())) { } },
        })
        {
            var ex = await Assert.ThrowsAsync<GatewayException>(call);
            Assert.Equal(ErrorCode.NotFound, ex.Code);
        }

        var image = await Assert.ThrowsAsync<GatewayException>(() =>
            _host.CreateContainerAsync(Busybox("true") with { Image = "gateway-test/no-such-image:1" }, Deadline()));
        Assert.Equal(ErrorCode.NotFound, image.Code);
    }

    [Fact]
    public async Task Start_restart_and_list_with_filters()
    {
        var running = await _host.CreateContainerAsync(Busybox("while true; do sleep 0.1; done"), Deadline());
        var stopped = await _host.CreateContainerAsync(Busybox("true"), Deadline());
        Assert.True(await _host.StartContainerAsync(running.Id, Deadline()));
        Assert.False(await _host.StartContainerAsync(running.Id, Deadline()));
        var startedAt = (await _host.InspectContainerAsync(running.Id, Deadline())).State.StartedAt;

        await _host.RestartContainerAsync(running.Id, 0, Deadline());
        var after = (await _host.InspectContainerAsync(running.Id, Deadline())).State;
        Assert.True(after.Running);
        Assert.True(after.StartedAt > startedAt, $"restarted: {after.StartedAt} after {startedAt}");

        var label = new Dictionary<string, IReadOnlyList<string>> { ["label"] = [_runLabel] };
        var onlyRunning = await _host.ListContainersAsync(new ContainerListQuery(Filters: label), Deadline());
        Assert.Equal([running.Id], onlyRunning.Select(c => c.Id));
        Assert.Equal("running", onlyRunning[0].State);
        Assert.Equal(backend.TestImage, onlyRunning[0].Image);

        var both = await _host.ListContainersAsync(new ContainerListQuery(All: true, Filters: label), Deadline());
        Assert.Equal(new[] { running.Id, stopped.Id }.Order(), both.Select(c => c.Id).Order());

        var byStatus = await _host.ListContainersAsync(new ContainerListQuery(All: true, Filters: new Dictionary<string, IReadOnlyList<string>>
        {
            ["label"] = [_runLabel], ["status"] = ["created"],
        }), Deadline());
        Assert.Equal([stopped.Id], byStatus.Select(c => c.Id));

        await _host.RemoveContainerAsync(running.Id, force: true, removeVolumes: false, Deadline());
        Assert.Empty(await _host.ListContainersAsync(new ContainerListQuery(Filters: label), Deadline()));
    }

    [Fact]
    public async Task Images_list_and_load_from_a_saved_archive()
    {
        var images = await _host.ListImagesAsync(all: false, Deadline());
        Assert.Contains(images, i => i.RepoTags.Contains(backend.TestImage));

        await RemoveImageIfPresent(backend.LoadableImage);
        Assert.DoesNotContain(await _host.ListImagesAsync(false, Deadline()), i => i.RepoTags.Contains(backend.LoadableImage));

        await using (var tar = File.OpenRead(backend.LoadableImageTar))
        {
            var loaded = await _host.LoadImagesAsync(tar, Deadline(60));
            Assert.Contains(backend.LoadableImage, loaded.Loaded);
        }
        Assert.Contains(await _host.ListImagesAsync(false, Deadline()), i => i.RepoTags.Contains(backend.LoadableImage));

        using var garbage = new MemoryStream("this is not a tar archive"u8.ToArray());
        var ex = await Assert.ThrowsAsync<GatewayException>(() => _host.LoadImagesAsync(garbage, Deadline()));
        Assert.Equal(ErrorCode.BadRequest, ex.Code);
    }

    async Task RemoveImageIfPresent(string tag)
    {
        try
        {
            await backend.Direct.Images.DeleteImageAsync(tag, new ImageDeleteParameters { Force = true });
        }
        catch (global::Docker.DotNet.DockerImageNotFoundException)
        {
        }
        catch (global::Docker.DotNet.DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
        }
    }

    [Theory]
    [InlineData("-starts-with-dash")]
    [InlineData("a")]
    [InlineData("has/slash")]
    [InlineData("../etc")]
    [InlineData("sp ace")]
    [InlineData("semi;colon")]
    [InlineData("")]
    public async Task Bad_container_names_are_refused_before_any_engine_call(string name)
    {
        // An engine that does not exist: reaching it would be Unavailable, not BadRequest.
        using var nowhere = new DockerContainerHost("nowhere", new Uri("unix:///nonexistent/docker.sock"));
        Assert.Equal(ErrorCode.BadRequest, (await Assert.ThrowsAsync<GatewayException>(() => nowhere.InspectContainerAsync(name, Deadline()))).Code);
        Assert.Equal(ErrorCode.BadRequest, (await Assert.ThrowsAsync<GatewayException>(() => nowhere.RemoveContainerAsync(name, true, true, Deadline()))).Code);
        Assert.Equal(ErrorCode.BadRequest, (await Assert.ThrowsAsync<GatewayException>(() =>
            nowhere.CreateContainerAsync(new ContainerCreateRequest(backend.TestImage, name), Deadline()))).Code);
        Assert.Equal(ErrorCode.BadRequest, (await Assert.ThrowsAsync<GatewayException>(async () =>
        {
            await foreach (var _ in nowhere.StreamLogsAsync(name, new ContainerLogsQuery(), Deadline())) { }
        })).Code);
    }

    [Fact]
    public async Task Bad_create_requests_are_refused_before_any_engine_call()
    {
        using var nowhere = new DockerContainerHost("nowhere", new Uri("unix:///nonexistent/docker.sock"));
        ContainerCreateRequest[] bad =
        [
            new("UPPER/case:1"),
            new("image:tag with space"),
            new(backend.TestImage, Env: new Dictionary<string, string> { ["1BAD"] = "x" }),
            new(backend.TestImage, Labels: new Dictionary<string, string> { ["a=b"] = "x" }),
            new(backend.TestImage, PortBindings: [new PortBinding(70000)]),
            new(backend.TestImage, PortBindings: [new PortBinding(80, "icmp")]),
            new(backend.TestImage, WorkingDir: "relative"),
            new(backend.TestImage, Labels: new Dictionary<string, string> { ["odd"] = null! }),
            new(backend.TestImage, Labels: new Dictionary<string, string> { ["odd\0key"] = "x" }),
            new(backend.TestImage, Labels: new Dictionary<string, string> { ["odd"] = "a\0b" }),
        ];
        foreach (var request in bad)
        {
            var ex = await Assert.ThrowsAsync<GatewayException>(() => nowhere.CreateContainerAsync(request, Deadline()));
            Assert.Equal(ErrorCode.BadRequest, ex.Code);
        }
        var filter = await Assert.ThrowsAsync<GatewayException>(() => nowhere.ListContainersAsync(
            new ContainerListQuery(Filters: new Dictionary<string, IReadOnlyList<string>> { ["bogus"] = ["x"] }), Deadline()));
        Assert.Equal(ErrorCode.BadRequest, filter.Code);
        foreach (var values in new[] { null!, new[] { "a", null! } })
        {
            var ex = await Assert.ThrowsAsync<GatewayException>(() => nowhere.ListContainersAsync(
                new ContainerListQuery(Filters: new Dictionary<string, IReadOnlyList<string>> { ["label"] = values }), Deadline()));
            Assert.Equal(ErrorCode.BadRequest, ex.Code);
            Assert.Contains("'label'", ex.Message);
        }
    }

    [Fact]
    public async Task An_unreachable_engine_is_unavailable_and_named()
    {
        using var nowhere = new DockerContainerHost("nowhere", new Uri("unix:///nonexistent/docker.sock"));
        var ex = await Assert.ThrowsAsync<GatewayException>(() => nowhere.GetVersionAsync(Deadline()));
        Assert.Equal(ErrorCode.Unavailable, ex.Code);
        Assert.Contains("'nowhere'", ex.Message);
    }
}
