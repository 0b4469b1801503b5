using System.Runtime.CompilerServices;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Probes;

/// <summary>
/// The real gateway with every family configured, so hostile requests reach each endpoint's own checks rather than a
/// "no such host" 404: the local store (with a bucket, an object and a dry-run migration that exist), a REST upstream
/// and a Kubernetes API server on loopback (both answer anything, the API server with a Kubernetes 404), and the real
/// dockerd the lead started. A small JSON body limit, so a body over it is cheap to send.
/// </summary>
public sealed class ProbeGateway : IAsyncDisposable
{
    public const string Bucket = "probe-bucket";
    public const string TargetBucket = "probe-target";
    public const string Key = "probe.txt";
    public const long BodyLimit = 8 * 1024;

    private readonly WebApplication _upstream;
    private readonly string _kubeDirectory;
    private HashSet<string> _initialContainers = [];

    private ProbeGateway(GatewayServer server, WebApplication upstream, string kubeDirectory, string requestId, string migrationId, StrongBox<int> writes)
    {
        _writes = writes;
        Server = server;
        _upstream = upstream;
        _kubeDirectory = kubeDirectory;
        RequestId = requestId;
        MigrationId = migrationId;
    }

    public GatewayServer Server { get; }

    private static int _kubeWrites;

    /// <summary>Writes (PUT, PATCH, POST, DELETE) the Kubernetes API server received, in this test process.</summary>
    public static int KubeWrites => Volatile.Read(ref _kubeWrites);

    private readonly StrongBox<int> _writes;

    /// <summary>Writes the Kubernetes API server of this instance received (test classes run side by side).</summary>
    public int KubeWritesHere => Volatile.Read(ref _writes.Value);
    public string RequestId { get; }
    public string MigrationId { get; }

    /// <param name="settings">Settings added to the probe's own (another store, say).</param>
    public static async Task<ProbeGateway> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var upstream = builder.Build();
        // The REST upstream answers everything; the Kubernetes API server is the same listener under /kube, and
        // answers as a real one does for what does not exist.
        var writes = new StrongBox<int>();
        upstream.Map("/kube/{**rest}", (HttpContext context) =>
        {
            if (!HttpMethods.IsGet(context.Request.Method))
            {
                Interlocked.Increment(ref _kubeWrites);
                Interlocked.Increment(ref writes.Value);
            }
            return Results.Json(new { kind = "Status", apiVersion = "v1", status = "Failure", reason = "NotFound", code = 404, message = "not found" }, statusCode: 404);
        });
        upstream.Map("/{**rest}", () => Results.Text("upstream ok"));
        await upstream.StartAsync();
        var url = upstream.Urls.First();
        var kubeDirectory = Directory.CreateTempSubdirectory("gw-probe-kube-").FullName;
        var kubeConfig = Path.Combine(kubeDirectory, "kubeconfig.yaml");
        await File.WriteAllTextAsync(kubeConfig, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: test
              cluster:
                server: {url}/kube
            contexts:
            - name: test
              context:
                cluster: test
                user: tester
            current-context: test
            users:
            - name: tester
              user:
                token: probe-token-not-a-secret
            """);
        var config = new Dictionary<string, string?>
        {
            ["Gateway:Rest:Upstreams:up:BaseUrl"] = url + "/",
            ["Gateway:Kubernetes:Clusters:test:KubeConfig"] = kubeConfig,
            ["Gateway:Kubernetes:Clusters:test:Resilience:BaseDelay"] = "00:00:00",
            ["Gateway:Docker:Hosts:engine:Endpoint"] = Backends.Require("DOCKER_ENDPOINT", "dockerd"),
            ["Gateway:Security:Limits:MaxRequestBodyBytes"] = BodyLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) config[key] = value;
        var server = await GatewayServer.StartAsync(config);
        var client = server.Client;
        (await client.PutAsync($"v1/stores/local/buckets/{Bucket}", null)).EnsureSuccessStatusCode();
        (await client.PutAsync($"v1/stores/local/buckets/{TargetBucket}", null)).EnsureSuccessStatusCode();
        var put = await client.PutAsync($"v1/stores/local/buckets/{Bucket}/objects/{Key}", new StringContent("hello"));
        put.EnsureSuccessStatusCode();
        var requestId = put.Headers.GetValues("X-Request-Id").Single();
        var migration = await client.PostAsJsonAsync("v1/migrations", new
        {
            source = new { store = "local", bucket = Bucket },
            target = new { store = "local", bucket = TargetBucket },
            dryRun = true,
        });
        migration.EnsureSuccessStatusCode();
        var migrationId = (await migration.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        // A snapshot must not see the dry run move on by itself: wait for it to end (bounded).
        for (var i = 0; ; i++)
        {
            var state = (await client.GetFromJsonAsync<JsonElement>($"v1/migrations/{migrationId}")).GetProperty("state").GetString()!;
            if (Gateway.Migrations.MigrationStates.IsTerminal(state)) break;
            if (i == 300) throw new TimeoutException($"The dry-run migration {migrationId} is still '{state}' after 30 s.");
            await Task.Delay(100);
        }
        var containers = await client.GetFromJsonAsync<JsonElement>("v1/docker/engine/containers?all=true");
        var initial = containers.GetProperty("containers").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToHashSet(StringComparer.Ordinal);
        return new ProbeGateway(server, upstream, kubeDirectory, requestId, migrationId, writes) { _initialContainers = initial };
    }

    /// <summary>A well-formed value for a path parameter, naming something that exists where the gateway has it.</summary>
    public string WellFormed(string parameter) => parameter switch
    {
        "store" => "local",
        "bucket" => Bucket,
        "key" => Key,
        "upstream" => "up",
        "path" => "some/where",
        "requestId" => RequestId,
        "id" => MigrationId,
        "host" => "engine",
        "container" => "gw-probe-missing",
        "cluster" => "test",
        "namespace" => "default",
        _ => "probe-name",
    };

    /// <summary>
    /// What the gateway holds that a refused request must not change: buckets, their objects (key and ETag),
    /// migrations, and the Docker engine's containers.
    /// </summary>
    public async Task<string> SnapshotAsync()
    {
        var client = Server.Client;
        var parts = new List<string>();
        var buckets = await client.GetFromJsonAsync<JsonElement>("v1/stores/local/buckets");
        parts.Add(buckets.GetRawText());
        foreach (var bucket in buckets.GetProperty("buckets").EnumerateArray())
        {
            var name = bucket.GetProperty("name").GetString();
            parts.Add(name + ": " + (await client.GetStringAsync($"v1/stores/local/buckets/{name}/objects")));
        }
        var migrations = await client.GetFromJsonAsync<JsonElement>("v1/migrations");
        parts.Add(string.Join(",", migrations.GetProperty("migrations").EnumerateArray().Select(m => m.GetProperty("id").GetString() + "/" + m.GetProperty("state").GetString())));
        var containers = await client.GetFromJsonAsync<JsonElement>("v1/docker/engine/containers?all=true");
        parts.Add(string.Join(",", containers.GetProperty("containers").EnumerateArray().Select(c => c.GetProperty("id").GetString()).Order(StringComparer.Ordinal)));
        return string.Join("\n", parts);
    }

    public async ValueTask DisposeAsync()
    {
        // A container a refused request created anyway (the snapshot check reports it) is not left on the shared engine.
        try
        {
            var containers = await Server.Client.GetFromJsonAsync<JsonElement>("v1/docker/engine/containers?all=true");
            foreach (var c in containers.GetProperty("containers").EnumerateArray())
                if (!_initialContainers.Contains(c.GetProperty("id").GetString()!))
                    await Server.Client.DeleteAsync($"v1/docker/engine/containers/{c.GetProperty("id").GetString()}?force=true");
        }
        catch (HttpRequestException) { }
        await Server.DisposeAsync();
        await _upstream.DisposeAsync();
        try { Directory.Delete(_kubeDirectory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// The test classes that start a <see cref="ProbeGateway"/>: each snapshots every container of the shared dockerd and removes,
/// when it ends, those it did not see at its start, so they must not run side by side (one would take the other's
/// containers for its own leftovers).
/// </summary>
[Xunit.CollectionDefinition(Name)]
public sealed class ProbeGatewayCollection
{
    public const string Name = "probe gateway on the shared dockerd";
}
