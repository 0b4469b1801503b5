using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Channel.Families;
using Gateway.Channel.Identity;
using Gateway.Contracts.Clusters;
using Gateway.Contracts.Containers;
using Gateway.Contracts.ObjectStorage;
using Gateway.Contracts.Rest;
using Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Gateway.Bridges.Kubernetes.Tests;

/// <summary>
/// Remote mode with every family: the bridges (an S3 store with its credentials, a Docker engine, a cluster, a REST
/// upstream) are configured only on a bridge host running as its own process (the gateway binary with
/// --role bridge-host). The edge gateway, in this test process, has no platform settings and no credentials at all:
/// it learns the instances from the host's catalog and builds none of them.
/// </summary>
public sealed class RemoteModeFamiliesTests
{
    [Fact]
    public async Task A_remote_gateway_without_platform_settings_serves_every_family_through_a_separate_bridge_host()
    {
        var root = Directory.CreateTempSubdirectory("gateway-remote-families-").FullName;
        using var kube = new KubeApiServer();
        kube.Json("GET", "/api/v1/namespaces", "namespaces.json");
        using var upstream = WireMockServer.Start();
        upstream.Given(Request.Create().WithPath("/orders/7").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/plain").WithBody("order seven"));
        using var hostKey = HybridSigningKey.Generate();
        using var edgeKey = HybridSigningKey.Generate();
        var hostFiles = KeyFiles.Write(hostKey, Path.Combine(root, "keys"), "host");
        var edgeFiles = KeyFiles.Write(edgeKey, Path.Combine(root, "keys"), "edge");
        var hostData = Directory.CreateDirectory(Path.Combine(root, "host")).FullName;

        await using var host = await GatewayProcess.StartAsync(hostData, new Dictionary<string, string>
        {
            ["Gateway:Role"] = "bridge-host",
            ["Gateway:Channel:KeyFile"] = hostFiles.PrivatePath,
            ["Gateway:Channel:Listen"] = "127.0.0.1:0",
            ["Gateway:Channel:AllowedClients:0"] = edgeFiles.PublicPath,
            ["Gateway:Stores:archive:Kind"] = "s3",
            ["Gateway:Stores:archive:ServiceUrl"] = Backends.Require("S3_ENDPOINT", "s3"),
            ["Gateway:Stores:archive:ForcePathStyle"] = "true",
            ["Gateway:Stores:archive:PlainPayloads"] = "true", // s3rver does not decode aws-chunked bodies
            ["Gateway:Stores:archive:AccessKeyId"] = Backends.Require("S3_ACCESS_KEY", "s3"),
            ["Gateway:Stores:archive:SecretAccessKey"] = Backends.Require("S3_SECRET_KEY", "s3"),
            // Narrowed on the host: the edge must learn this from the catalog and refuse ranged reads itself.
            ["Gateway:Stores:archive:Capabilities:Ranges"] = "false",
            ["Gateway:Docker:Hosts:engine:Endpoint"] = Backends.Require("DOCKER_ENDPOINT", "dockerd"),
            ["Gateway:Kubernetes:Clusters:prod:KubeConfig"] = kube.WriteKubeConfig(root),
            ["Gateway:Kubernetes:Clusters:prod:Resilience:BaseDelay"] = "00:00:00",
            ["Gateway:Rest:Upstreams:orders:BaseUrl"] = upstream.Url!,
        });

        var port = await host.BridgeHostPortAsync();
        await using var edge = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            // No store, Docker, cluster or upstream settings: only the test server's default local store section, which
            // a remote-mode gateway neither reads nor builds (the host's catalog lists its own "local").
            ["Gateway:Channel:Mode"] = "remote",
            ["Gateway:Channel:KeyFile"] = edgeFiles.PrivatePath,
            ["Gateway:Channel:Remote:Address"] = $"127.0.0.1:{port}",
            ["Gateway:Channel:Remote:HostKey"] = hostKey.PublicKey.ToText(),
        });
        var http = edge.Client;

        // The edge process built no bridge of any family: no SDK client, no credentials.
        Assert.Empty(edge.Services.GetRequiredService<BridgeRegistry<IObjectStore>>().Built);
        Assert.Empty(edge.Services.GetRequiredService<BridgeRegistry<IContainerHost>>().Built);
        Assert.Empty(edge.Services.GetRequiredService<BridgeRegistry<IClusterClient>>().Built);
        Assert.Empty(edge.Services.GetRequiredService<BridgeRegistry<IRestUpstream>>().Built);

        // Object storage: the store, its kind and its narrowed capabilities come from the host's catalog.
        var stores = await http.GetFromJsonAsync<JsonElement>("v1/stores");
        var archive = stores.GetProperty("stores").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "archive");
        Assert.Equal("s3", archive.GetProperty("kind").GetString());
        Assert.False(archive.GetProperty("capabilities").GetProperty("ranges").GetBoolean());
        var bucket = "remote-" + Guid.NewGuid().ToString("N")[..12];
        using (var created = await http.PutAsync($"v1/stores/archive/buckets/{bucket}", null))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using (var put = await http.PutAsync($"v1/stores/archive/buckets/{bucket}/objects/note.txt", new StringContent("through the bridge host")))
            Assert.True(put.IsSuccessStatusCode, $"{(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
        Assert.Equal("through the bridge host", await http.GetStringAsync($"v1/stores/archive/buckets/{bucket}/objects/note.txt"));
        using (var ranged = new HttpRequestMessage(HttpMethod.Get, $"v1/stores/archive/buckets/{bucket}/objects/note.txt"))
        {
            ranged.Headers.Range = new RangeHeaderValue(0, 6);
            using var refused = await http.SendAsync(ranged);
            Assert.Equal(HttpStatusCode.NotImplemented, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        // REST, Docker and Kubernetes, each by the name only the bridge host's settings give.
        Assert.Equal("order seven", await http.GetStringAsync("v1/rest/orders/orders/7"));
        Assert.Single(upstream.LogEntries, e => e.RequestMessage!.Path == "/orders/7");
        var dockerHosts = await http.GetFromJsonAsync<JsonElement>("v1/docker");
        Assert.Equal(["engine"], dockerHosts.GetProperty("hosts").EnumerateArray().Select(h => h.GetString()));
        var version = await http.GetFromJsonAsync<JsonElement>("v1/docker/engine/version");
        Assert.False(string.IsNullOrEmpty(version.GetProperty("apiVersion").GetString()));
        var namespaces = await http.GetFromJsonAsync<JsonElement>("v1/kubernetes/prod/namespaces");
        Assert.Equal(["default", "shop", "old-batch"], namespaces.GetProperty("items").EnumerateArray().Select(n => n.GetProperty("name").GetString()));
        Assert.Contains(kube.Requests, r => r.Path == "/api/v1/namespaces");

        // GET /v1/bridges lists the host's instances; the catalog itself was a witnessed call in the edge's audit log,
        // and the refused ranged read reached no bridge host (no call, no witness).
        var bridges = await http.GetFromJsonAsync<JsonElement>("v1/bridges");
        var listed = bridges.GetProperty("bridges").EnumerateArray().Select(b => b.GetProperty("kind").GetString() + "/" + b.GetProperty("name").GetString()).ToList();
        Assert.Contains("s3/archive", listed);
        Assert.Contains("docker/engine", listed);
        Assert.Contains("kubernetes/prod", listed);
        Assert.Contains("rest/orders", listed);
        var audit = await http.GetFromJsonAsync<JsonElement>("v1/audit?after=0&limit=1000");
        var operations = audit.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("operation").GetString()).ToList();
        Assert.Contains("bridge-catalog.describe", operations);
        Assert.Single(operations, o => o == "object-storage.get-object");
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
    }

}
