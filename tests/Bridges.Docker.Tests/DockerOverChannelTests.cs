using Gateway.Testing;
using Gateway.Channel.Audit;
using Gateway.Contracts.Containers;
using Gateway.Contracts.Errors;
using Gateway.Channel.Families;
using Gateway.Channel.Families.Containers;

namespace Gateway.Bridges.Docker.Tests;

/// <summary>
/// The Docker bridge behind a real CTP-96 channel (handshake, encrypted frames, witnesses) over an in-memory pipe:
/// the "containers" family's generic client and dispatcher against the real dockerd.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class DockerOverChannelTests(DockerBackend backend) : IAsyncLifetime
{
    readonly string _runLabel = "gateway-test.run=" + Guid.NewGuid().ToString("N")[..12];
    DockerContainerHost _bridge = null!;
    InMemoryFamilyChannel<IContainerHost> _channel = null!;
    IContainerHost _remote = null!;

    static CancellationToken Deadline(int seconds = 30) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    public Task InitializeAsync()
    {
        _bridge = new DockerContainerHost("local", backend.Endpoint);
        _channel = new InMemoryFamilyChannel<IContainerHost>(ContainersFamily.Declaration, "local", _bridge);
        _remote = _channel.Remote;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _channel.DisposeAsync();
        _bridge.Dispose();
        await backend.RemoveLabelledAsync(_runLabel);
    }

    [Fact]
    public async Task A_container_lives_and_logs_through_the_channel_with_every_call_witnessed()
    {
        var created = await _remote.CreateContainerAsync(new ContainerCreateRequest(backend.TestImage,
            Command: ["sh", "-c", "trap 'echo bye; exit 0' TERM; echo first; echo oops >&2; while true; do sleep 0.1; done"],
            Labels: new Dictionary<string, string> { [_runLabel.Split('=')[0]] = _runLabel.Split('=')[1] }), Deadline());
        Assert.True(await _remote.StartContainerAsync(created.Id, Deadline()));

        var ct = Deadline(60);
        await using var lines = _remote.StreamLogsAsync(created.Id, new ContainerLogsQuery(Follow: true, Timestamps: true), ct).GetAsyncEnumerator(ct);
        var seen = new List<ContainerLogLine>();
        while (!(seen.Any(l => l.Text == "first\n") && seen.Any(l => l.Text == "oops\n")))
        {
            Assert.True(await lines.MoveNextAsync(), "the log ended before the container printed both lines");
            seen.Add(lines.Current);
        }
        Assert.True((await _remote.InspectContainerAsync(created.Id, Deadline())).State.Running);
        Assert.Contains(seen, l => l is { Stream: ContainerLogStream.Stderr, Text: "oops\n" });
        Assert.All(seen, l => Assert.NotNull(l.Timestamp));

        Assert.True(await _remote.StopContainerAsync(created.Id, 10, Deadline()));
        while (await lines.MoveNextAsync()) seen.Add(lines.Current);
        Assert.Equal("bye\n", seen[^1].Text);

        var listed = await _remote.ListContainersAsync(new ContainerListQuery(All: true,
            Filters: new Dictionary<string, IReadOnlyList<string>> { ["label"] = [_runLabel] }), Deadline());
        Assert.Equal([created.Id], listed.Select(c => c.Id));
        await _remote.RemoveContainerAsync(created.Id, false, false, Deadline());

        var missing = await Assert.ThrowsAsync<GatewayException>(() => _remote.InspectContainerAsync(created.Id, Deadline()));
        Assert.Equal(ErrorCode.NotFound, missing.Code);
        var missingLog = await Assert.ThrowsAsync<GatewayException>(async () =>
        {
            await foreach (var _ in _remote.StreamLogsAsync(created.Id, new ContainerLogsQuery(), Deadline())) { }
        });
        Assert.Equal(ErrorCode.NotFound, missingLog.Code);

        // Every call ended in a witness the gateway verified and appended to its audit chain.
        var entries = await _channel.Audit.ReadAsync(0, 1000, Deadline());
        foreach (var operation in new[] { "create-container", "start-container", "container-logs", "stop-container", "remove-container" })
            Assert.Contains(entries, e => e.Operation == $"containers.{operation}");
        var verification = AuditLog.Verify(_channel.Audit.DatabasePath, [_channel.HostKey]);
        Assert.True(verification.Ok, verification.Problem);
    }

    [Fact]
    public async Task Version_images_and_load_travel_the_channel()
    {
        Assert.Equal((await _bridge.GetVersionAsync(Deadline())).Version, (await _remote.GetVersionAsync(Deadline())).Version);
        Assert.Contains(await _remote.ListImagesAsync(false, Deadline()), i => i.RepoTags.Contains(backend.TestImage));
        await using var tar = File.OpenRead(backend.LoadableImageTar);
        Assert.Contains(backend.LoadableImage, (await _remote.LoadImagesAsync(tar, Deadline(60))).Loaded);

        var conflictName = $"gw-chan-{Guid.NewGuid():N}"[..24];
        var request = new ContainerCreateRequest(backend.TestImage, conflictName, Command: ["true"],
            Labels: new Dictionary<string, string> { [_runLabel.Split('=')[0]] = _runLabel.Split('=')[1] });
        await _remote.CreateContainerAsync(request, Deadline());
        var clash = await Assert.ThrowsAsync<GatewayException>(() => _remote.CreateContainerAsync(request, Deadline()));
        Assert.Equal(ErrorCode.Conflict, clash.Code);
    }
}
