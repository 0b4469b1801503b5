using Gateway.ChannelHosting;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Bridges.Local;
using Gateway.Channel.Connections;
using Gateway.Channel.Handshake;
using Gateway.Channel.Identity;
using Gateway.Channel.Families;
using Gateway.Channel.Families.ObjectStorage;
using Gateway.Contracts.ObjectStorage;
using Gateway.Channel.Rpc;
using Gateway.Channel.Transport;
using Gateway.Channel.Witnesses;
using Gateway.Testing;

namespace Gateway.Channel.Tests;

/// <summary>The real gateway (Kestrel on loopback) with its object stores behind the channel.</summary>
public class GatewayChannelTests
{
    [Fact]
    public async Task Requests_carry_an_id_whose_witnesses_and_audit_entries_can_be_fetched()
    {
        await using var server = await GatewayServer.StartAsync();
        using (var created = await server.Client.PutAsync("v1/stores/local/buckets/bucket-one", null))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var put = await server.Client.PutAsync("v1/stores/local/buckets/bucket-one/objects/hello.txt", new StringContent("hello"));
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        var requestId = Assert.Single(put.Headers.GetValues("X-Request-Id"));

        using var witnesses = await server.Client.GetAsync($"v1/witnesses/{requestId}");
        Assert.Equal(HttpStatusCode.OK, witnesses.StatusCode);
        var doc = await witnesses.Content.ReadFromJsonAsync<JsonElement>();
        var w = Assert.Single(doc.GetProperty("witnesses").EnumerateArray());
        Assert.Equal("object-storage.put-object", w.GetProperty("operation").GetString());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("hello"u8)), w.GetProperty("requestBodySha256").GetString());

        using var audit = await server.Client.GetAsync("v1/audit?after=0&limit=10");
        var page = await audit.Content.ReadFromJsonAsync<JsonElement>();
        var ops = page.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("operation").GetString()).ToList();
        Assert.Equal(["object-storage.create-bucket", "object-storage.put-object"], ops);

        using var missing = await server.Client.GetAsync("v1/witnesses/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var badLimit = await server.Client.GetAsync("v1/audit?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
        Assert.Equal("application/problem+json", badLimit.Content.Headers.ContentType?.MediaType);

        // Development generated the node key under the data directory, private file mode 0600.
        var keyFile = Path.Combine(server.DataDirectory, "keys", "node.key");
        Assert.True(File.Exists(keyFile));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));

        // The CLI verifies the chain offline with the node's public key, and names an edited entry.
        var db = Path.Combine(server.DataDirectory, "audit.db");
        var pub = Path.Combine(server.DataDirectory, "keys", "node.pub");
        var output = new StringWriter();
        Assert.Equal(0, ChannelCli.TryRun(["audit", "verify", "--db", db, "--host-key", pub], output, output));
        Assert.Contains("2 entries verified", output.ToString());
    }

    [Fact]
    public async Task Cli_generates_keys_and_names_the_first_bad_audit_entry()
    {
        var dir = Directory.CreateTempSubdirectory("ctp96-cli-").FullName;
        try
        {
            var output = new StringWriter();
            Assert.Equal(0, ChannelCli.TryRun(["keys", "generate", "--out", dir, "--name", "edge"], output, output));
            Assert.Contains("fingerprint: sha256:", output.ToString());
            using var key = KeyFiles.ReadPrivate(Path.Combine(dir, "edge.key"));
            Assert.Equal(1, ChannelCli.TryRun(["keys", "generate", "--out", dir, "--name", "edge"], output, output));

            await using var h = ChannelHarness.Create();
            await h.Remote.CreateBucketAsync("bucket-one", default);
            await h.Remote.CreateBucketAsync("bucket-two", default);
            var db = h.Audit.DatabasePath;
            h.Audit.Dispose();
            using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Pooling=False"))
            {
                c.Open();
                using var cmd = c.CreateCommand();
                cmd.CommandText = "UPDATE audit_entries SET target = 'local/other' WHERE seq = 2";
                cmd.ExecuteNonQuery();
            }
            var err = new StringWriter();
            Assert.Equal(1, ChannelCli.TryRun(["audit", "verify", "--db", db, "--host-key", TestKeys.Host.PublicKey.ToText()], output, err));
            Assert.Contains("BROKEN at entry 2", err.ToString());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task Production_refuses_to_start_without_a_configured_key()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => GatewayServer.StartAsync(environment: "Production"));
        Assert.Contains("Gateway:Channel:KeyFile", e.ToString());
    }

    /// <summary>A bridge host under the test's control (it can forge witnesses), reached over TCP by a real gateway.</summary>
    private sealed class RogueHost : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly System.Net.Sockets.TcpListener _listener;
        private readonly Task _listening;
        public string Dir { get; } = Directory.CreateTempSubdirectory("ctp96-rogue-").FullName;
        public ChannelHost Host { get; }
        public LocalObjectStore Store { get; }
        public string HostKeyText => TestKeys.Host.PublicKey.ToText();
        public string GatewayKeyFile { get; }
        public int Port { get; }

        public RogueHost()
        {
            Store = new LocalObjectStore("conf", new LocalStoreOptions { Root = Path.Combine(Dir, "objects") });
            var gatewayKey = HybridSigningKey.Generate();
            GatewayKeyFile = KeyFiles.Write(gatewayKey, Path.Combine(Dir, "keys"), "edge").PrivatePath;
            Host = new ChannelHost(new ChannelOptions { LocalKey = TestKeys.Host, PinnedPeers = PeerPins.Of(gatewayKey.PublicKey) },
                [new FamilyDispatcher<IObjectStore>(ObjectStorageFamily.Declaration, n => n == "conf" ? Store : null)]);
            _listener = TcpTransport.Listen(new IPEndPoint(IPAddress.Loopback, 0));
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _listening = Host.ListenAsync(_listener, _stop.Token);
        }

        public Dictionary<string, string?> EdgeSettings() => new()
        {
            ["Gateway:Stores:conf:Kind"] = "local",
            ["Gateway:Stores:conf:Root"] = Path.Combine(Dir, "edge-unused"),
            ["Gateway:Channel:Mode"] = "remote",
            ["Gateway:Channel:KeyFile"] = GatewayKeyFile,
            ["Gateway:Channel:Remote:Address"] = $"127.0.0.1:{Port}",
            ["Gateway:Channel:Remote:HostKey"] = HostKeyText,
        };

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _listening;
            try { Directory.Delete(Dir, true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task A_bad_witness_turns_a_buffered_answer_into_502_and_aborts_a_streamed_one()
    {
        await using var rogue = new RogueHost();
        await rogue.Store.CreateBucketAsync("bucket-one", default);
        var data = new byte[300_000];
        Random.Shared.NextBytes(data);
        await rogue.Store.PutObjectAsync("bucket-one", "obj", new MemoryStream(data), new Contracts.ObjectStorage.PutObjectOptions(), default);
        await using var server = await GatewayServer.StartAsync(rogue.EdgeSettings());

        // Honest host first: the answer is released.
        using (var ok = await server.Client.GetAsync("v1/stores/conf/buckets/bucket-one/objects/obj"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal(data, await ok.Content.ReadAsByteArrayAsync());
        }

        rogue.Host.TamperWitness = w => w with { Status = "forged" };
        using (var head = new HttpRequestMessage(HttpMethod.Get, "v1/stores/conf/buckets/bucket-one/objects?prefix=o"))
        using (var listed = await server.Client.SendAsync(head))
        {
            Assert.Equal(HttpStatusCode.BadGateway, listed.StatusCode);
            Assert.Equal("application/problem+json", listed.Content.Headers.ContentType?.MediaType);
            var problem = await listed.Content.ReadFromJsonAsync<JsonElement>();
            Assert.EndsWith("/witness-failed", problem.GetProperty("type").GetString());
        }

        // Streamed: headers are out before the witness; the body must then break, never end normally.
        var aborted = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var response = await server.Client.GetAsync("v1/stores/conf/buckets/bucket-one/objects/obj", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var body = await response.Content.ReadAsStreamAsync();
            await body.CopyToAsync(Stream.Null);
        });
        Assert.True(aborted is HttpRequestException or IOException, aborted.ToString());
    }
}
