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
        Assert.Contains("audit log OK: 2 entries", output.ToString());
        Assert.Contains("named with --host-key", output.ToString());
    }

    [Fact]
    public async Task The_transparency_log_serves_its_head_and_proofs_and_the_cli_checks_them()
    {
        await using var server = await GatewayServer.StartAsync();
        using (var created = await server.Client.PutAsync("v1/stores/local/buckets/bucket-one", null))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        string requestId = "";
        for (var i = 0; i < 3; i++)
        {
            using var put = await server.Client.PutAsync($"v1/stores/local/buckets/bucket-one/objects/o{i}", new StringContent("hello"));
            Assert.True(put.IsSuccessStatusCode);
            requestId = Assert.Single(put.Headers.GetValues("X-Request-Id"));
        }

        using var headResponse = await server.Client.GetAsync("v1/audit/head");
        Assert.Equal(HttpStatusCode.OK, headResponse.StatusCode);
        var headJson = await headResponse.Content.ReadAsStringAsync();
        var head = JsonDocument.Parse(headJson).RootElement;
        Assert.Equal(4, head.GetProperty("treeSize").GetInt64());
        var signed = SignedTreeHead.Decode(Convert.FromBase64String(head.GetProperty("encoded").GetString()!));
        var nodeKey = KeyFiles.ReadPublic(Path.Combine(server.DataDirectory, "keys", "node.pub"));
        Assert.True(signed.VerifySignature(nodeKey));
        Assert.Equal(Convert.ToHexStringLower(signed.RootHash), head.GetProperty("rootHash").GetString());

        var proofs = await server.Client.GetFromJsonAsync<JsonElement>($"v1/witnesses/{requestId}/proof");
        var proof = Assert.Single(proofs.GetProperty("proofs").EnumerateArray());
        var witness = proof.GetProperty("witness");
        var leaf = MerkleTree.LeafHash(Convert.FromBase64String(witness.GetProperty("witness").GetString()!));
        var path = proof.GetProperty("inclusionProof").EnumerateArray().Select(p => Convert.FromHexString(p.GetString()!)).ToList();
        Assert.True(MerkleTree.VerifyInclusion(witness.GetProperty("leafIndex").GetInt64(), signed.TreeSize, leaf, path, signed.RootHash));
        Assert.Equal("released", witness.GetProperty("outcome").GetString());

        var consistency = await server.Client.GetFromJsonAsync<JsonElement>("v1/audit/consistency?from=2&to=4");
        var steps = consistency.GetProperty("proof").EnumerateArray().Select(p => Convert.FromHexString(p.GetString()!)).ToList();
        Assert.True(MerkleTree.VerifyConsistency(2, 4, Convert.FromHexString(consistency.GetProperty("fromRoot").GetString()!), signed.RootHash, steps));
        foreach (var bad in new[] { "from=0&to=2", "from=3&to=2", "from=1&to=99", "from=1" })
        {
            using var refused = await server.Client.GetAsync($"v1/audit/consistency?{bad}");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        var db = Path.Combine(server.DataDirectory, "audit.db");
        var outside = Directory.CreateTempSubdirectory("ctp96-trust-").FullName;
        try
        {
            var checkpoint = Path.Combine(outside, "head.json");
            await File.WriteAllTextAsync(checkpoint, headJson);
            var trusted = Path.Combine(outside, "trusted.keys");
            await File.WriteAllTextAsync(trusted, "# bridge hosts\n" + nodeKey.ToText() + "\n");
            var inside = Path.Combine(server.DataDirectory, "trusted.keys");
            await File.WriteAllTextAsync(inside, nodeKey.ToText());

            var output = new StringWriter();
            var error = new StringWriter();
            // No keys named: refused, not silently taken from the data directory.
            Assert.Equal(2, ChannelCli.TryRun(["audit", "verify", "--db", db], output, error));
            Assert.Contains("name the trusted bridge-host keys", error.ToString());
            Assert.Equal(2, ChannelCli.TryRun(["audit", "verify", "--db", db, "--trusted-keys", inside], output, error));
            Assert.Contains("inside the data directory", error.ToString());
            Assert.Equal(0, ChannelCli.TryRun(["audit", "verify", "--db", db, "--trusted-keys", trusted, "--checkpoint", checkpoint], output, error));
            Assert.Contains($"from --trusted-keys {trusted}", output.ToString());
            Assert.Contains("still holds the checkpoint head of size 4", output.ToString());
        }
        finally { Directory.Delete(outside, true); }
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

    [Fact]
    public async Task A_head_signed_by_another_key_turns_the_answer_into_502()
    {
        await using var rogue = new RogueHost();
        await rogue.Store.CreateBucketAsync("bucket-one", default);
        await using var server = await GatewayServer.StartAsync(rogue.EdgeSettings());
        rogue.Host.TamperHead = b => b with { Head = b.Head.SignWith(TestKeys.Stranger) };
        using var listed = await server.Client.GetAsync("v1/stores/conf/buckets/bucket-one/objects");
        Assert.Equal(HttpStatusCode.BadGateway, listed.StatusCode);
        var problem = await listed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.EndsWith("/witness-failed", problem.GetProperty("type").GetString());
    }
}
