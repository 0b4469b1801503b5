using Gateway.Testing;
using Gateway.Channel.Audit;
using System.Text;
using System.Text.Json;
using Gateway.Contracts.Clusters;
using Gateway.Contracts.Errors;
using Gateway.Channel.Families;
using Gateway.Channel.Families.Clusters;
using k8s;

namespace Gateway.Bridges.Kubernetes.Tests;

/// <summary>The Kubernetes bridge behind a real CTP-96 channel over an in-memory pipe, against the WireMock API server.</summary>
public sealed class KubernetesOverChannelTests : IAsyncDisposable
{
    readonly KubeApiServer _api = new();
    readonly string _dir = Directory.CreateTempSubdirectory("gw-kube-channel-").FullName;
    readonly KubernetesCluster _cluster;
    readonly InMemoryFamilyChannel<IClusterClient> _channel;
    readonly IClusterClient _remote;

    public KubernetesOverChannelTests()
    {
        _cluster = new KubernetesCluster("test", KubernetesClientConfiguration.BuildConfigFromConfigFile(_api.WriteKubeConfig(_dir)));
        _channel = new InMemoryFamilyChannel<IClusterClient>(ClustersFamily.Declaration, "test", _cluster);
        _remote = _channel.Remote;
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        _cluster.Dispose();
        _api.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    static CancellationToken Deadline(int seconds = 30) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    [Fact]
    public async Task Reads_writes_and_errors_travel_the_channel_witnessed()
    {
        _api.Json("GET", "/api/v1/namespaces/shop/pods", "pods-web.json");
        _api.Json("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web/scale", "scale-web.json");
        _api.Json("GET", "/api/v1/namespaces/shop/pods/ghost", "status-404.json", 404);

        var pods = await _remote.ListPodsAsync("shop", new ClusterListQuery("app=web"), Deadline());
        Assert.Equal(["web-54c98d69cd-lqx4r", "web-54c98d69cd-z8m2p"], pods.Items.Select(p => p.Name));
        Assert.Equal("ImagePullBackOff", pods.Items[1].Containers.Single(c => c.Name == "web").Reason);
        Assert.Equal("app=web", KubeApiServer.Query(_api.Requests[0], "labelSelector"));

        Assert.Equal(new DeploymentScale("shop", "web", 5, 3), await _remote.ScaleDeploymentAsync("shop", "web", 5, Deadline()));
        Assert.Equal(5, JsonDocument.Parse(_api.Requests[1].Body!).RootElement.GetProperty("spec").GetProperty("replicas").GetInt32());

        var missing = await Assert.ThrowsAsync<GatewayException>(() => _remote.GetPodAsync("shop", "ghost", Deadline()));
        Assert.Equal((ErrorCode.NotFound, "pods \"ghost\" not found"), (missing.Code, missing.Message));

        var bad = await Assert.ThrowsAsync<GatewayException>(() => _remote.GetPodAsync("Shop", "x", Deadline()));
        Assert.Equal(ErrorCode.BadRequest, bad.Code);
        Assert.Equal(3, _api.Requests.Count);

        var entries = await _channel.Audit.ReadAsync(0, 100, Deadline());
        Assert.Equal(["clusters.list-pods", "clusters.scale-deployment", "clusters.get-pod"], entries.Select(e => e.Operation));
        Assert.Equal("not-found", entries[2].Status);
        var verification = AuditLog.Verify(_channel.Audit.DatabasePath, [_channel.HostKey]);
        Assert.True(verification.Ok, verification.Problem);
    }

    [Fact]
    public async Task A_followed_pod_log_streams_through_the_channel()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _api.StreamedLog("/api/v1/namespaces/shop/pods/web-54c98d69cd-lqx4r/log", "pod-web-logs-first.txt", "pod-web-logs-rest.txt", release.Task);

        await using var log = await _remote.OpenPodLogsAsync("shop", "web-54c98d69cd-lqx4r", new PodLogsQuery(Container: "web", Follow: true), Deadline());
        using var reader = new StreamReader(log, Encoding.UTF8);
        // The first line, newline included, arrives while the API server still holds back the rest.
        Assert.Equal(File.ReadAllText(KubeApiServer.Fixture("pod-web-logs-first.txt")).TrimEnd('\n'), await reader.ReadLineAsync(Deadline()));
        release.SetResult();
        Assert.Equal(File.ReadAllText(KubeApiServer.Fixture("pod-web-logs-rest.txt")), await reader.ReadToEndAsync(Deadline()));
        Assert.Equal("true", KubeApiServer.Query(Assert.Single(_api.Requests), "follow"));
    }
}
