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
            // A link from elsewhere into the data folder is inside it too: to the file, and to the folder above it.
            var linkToFile = Path.Combine(outside, "link.keys");
            File.CreateSymbolicLink(linkToFile, inside);
            var linkToFolder = Path.Combine(outside, "data-link");
            Directory.CreateSymbolicLink(linkToFolder, server.DataDirectory);
            foreach (var linked in new[] { linkToFile, Path.Combine(linkToFolder, "trusted.keys"), Path.Combine(linkToFolder, "..", Path.GetFileName(server.DataDirectory), "trusted.keys") })
            {
                var refused = new StringWriter();
                Assert.Equal(2, ChannelCli.TryRun(["audit", "verify", "--db", db, "--trusted-keys", linked], output, refused));
                Assert.Contains("inside the data directory", refused.ToString());
            }
            // Nor does naming the database through a link from elsewhere move the data folder there.
            var linkToDb = Path.Combine(outside, "audit-link.db");
            File.CreateSymbolicLink(linkToDb, db);
            var throughLink = new StringWriter();
            Assert.Equal(2, ChannelCli.TryRun(["audit", "verify", "--db", linkToDb, "--trusted-keys", inside], output, throughLink));
            Assert.Contains("inside the data directory", throughLink.ToString());
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

    [Fact]
    public async Task A_bad_witness_turns_a_buffered_answer_into_502_and_aborts_a_streamed_one()
    {
        await using var rogue = new RogueBridgeHost();
        await rogue.Store.CreateBucketAsync("bucket-one", default);
        var data = new byte[300_000];
        Random.Shared.NextBytes(data);
        await rogue.Store.PutObjectAsync("bucket-one", "obj", new MemoryStream(data), new Contracts.ObjectStorage.PutObjectOptions(), default);
        var logs = new TestLoggerFactory();
        await using var server = await GatewayServer.StartAsync(rogue.EdgeSettings(), logging: logs.Attach);

        // Honest host first: the answer is released.
        using (var ok = await server.Client.GetAsync("v1/stores/conf/buckets/bucket-one/objects/obj"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal(data, await ok.Content.ReadAsByteArrayAsync());
        }

        // The host puts a witness with another status into its log and signs the head over it: only the status is wrong.
        rogue.Host.RewriteWitness = w => w with { Status = "not-found" };
        using (var listed = await server.Client.GetAsync("v1/stores/conf/buckets/bucket-one/objects?prefix=o"))
        {
            var problem = await AssertWitnessFailedAsync(listed);
            Assert.EndsWith("(status mismatch).", problem.GetProperty("detail").GetString());
            Assert.DoesNotContain("\"obj\"", problem.GetRawText());
        }
        Assert.True(await logs.WaitForAsync(9603, "(StatusMismatch)"), logs.Dump());

        // Streamed: headers are out before the witness; the body must then break, never end normally, one byte short at most.
        var received = new MemoryStream();
        var aborted = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var response = await server.Client.GetAsync("v1/stores/conf/buckets/bucket-one/objects/obj", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(data.Length, response.Content.Headers.ContentLength);
            await using var body = await response.Content.ReadAsStreamAsync();
            await body.CopyToAsync(received);
        });
        Assert.True(aborted is HttpRequestException or IOException, aborted.ToString());
        Assert.True(received.Length < data.Length, $"{received.Length} of {data.Length} bytes reached the caller");
        Assert.Equal(data.AsSpan(0, (int)received.Length).ToArray(), received.ToArray());
    }

    [Fact]
    public async Task A_head_signed_by_another_key_turns_the_answer_into_502()
    {
        await using var rogue = new RogueBridgeHost();
        await rogue.Store.CreateBucketAsync("bucket-one", default);
        var logs = new TestLoggerFactory();
        await using var server = await GatewayServer.StartAsync(rogue.EdgeSettings(), logging: logs.Attach);
        rogue.Host.TamperHead = b => b with { Head = b.Head.SignWith(TestKeys.Stranger) };
        using var listed = await server.Client.GetAsync("v1/stores/conf/buckets/bucket-one/objects");
        var problem = await AssertWitnessFailedAsync(listed);
        Assert.EndsWith("(bad signature).", problem.GetProperty("detail").GetString());
        Assert.True(await logs.WaitForAsync(9609, "(BadSignature)"), logs.Dump());
    }

    public static TheoryData<string> SignedRefusals => new() { "WrongSession", "StatusMismatch", "DigestMismatch", "ForeignRequest", "Malformed", "BrokenHeadChain" };

    /// <summary>
    /// Issue 18 item 3: the host commits the wrong witness to its own log and signs a valid, chained head over it, so
    /// the one field under test is the only thing wrong; the caller gets the 502 and the gateway names that reason.
    /// </summary>
    [Theory]
    [MemberData(nameof(SignedRefusals))]
    public async Task A_properly_signed_witness_wrong_in_one_field_is_refused_for_that_field(string reasonName)
    {
        var reason = Enum.Parse<WitnessFailure>(reasonName);
        await using var rogue = new RogueBridgeHost();
        await rogue.Store.CreateBucketAsync("bucket-one", default);
        await rogue.Store.PutObjectAsync("bucket-one", "listed-only-key.txt", new MemoryStream("x"u8.ToArray()), new Contracts.ObjectStorage.PutObjectOptions(), default);
        var logs = new TestLoggerFactory();
        await using var server = await GatewayServer.StartAsync(rogue.EdgeSettings(), logging: logs.Attach);
        using (var honest = await server.Client.GetAsync("v1/stores/conf/buckets/bucket-one/objects"))
            Assert.Contains("listed-only-key.txt", await honest.Content.ReadAsStringAsync());

        switch (reason)
        {
            case WitnessFailure.WrongSession: rogue.Host.RewriteWitness = w => w with { TranscriptHash = System.Security.Cryptography.SHA256.HashData("another session"u8) }; break;
            case WitnessFailure.StatusMismatch: rogue.Host.RewriteWitness = w => w with { Status = "not-found" }; break;
            case WitnessFailure.DigestMismatch: rogue.Host.RewriteWitness = w => w with { HeadersSha256 = System.Security.Cryptography.SHA256.HashData("other headers"u8) }; break;
            case WitnessFailure.ForeignRequest: rogue.Host.RewriteWitness = w => w with { RequestId = "someone-else" }; break;
            case WitnessFailure.Malformed: rogue.Host.RewriteWitnessBytes = b => [0x7F, .. b.AsSpan(1)]; break;
            // A head that names another predecessor, re-signed with the host key: only the chain link is wrong.
            case WitnessFailure.BrokenHeadChain: rogue.Host.TamperHead = b => b with { Head = (b.Head with { PreviousHeadHash = MerkleTree.LeafHash("elsewhere"u8) }).SignWith(TestKeys.Host) }; break;
        }
        using var listed = await server.Client.GetAsync("v1/stores/conf/buckets/bucket-one/objects");
        var problem = await AssertWitnessFailedAsync(listed);
        Assert.EndsWith($"({Described[reason]}).", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("listed-only-key.txt", problem.GetRawText());
        if (reason == WitnessFailure.BrokenHeadChain)
        {
            // A refused head breaks the session (9609); the next call continues the log from the last verified head.
            Assert.True(await logs.WaitForAsync(9609, $"({reason})"), logs.Dump());
            return;
        }
        Assert.True(await logs.WaitForAsync(9603, $"({reason})"), logs.Dump());
        // The heads were valid: no head was refused, so the session was not what failed.
        Assert.False(logs.Has(9609, "("), logs.Dump());
        // The signed log holds the refused witness, so the gateway's audit log records it with the reason.
        var slug = "refused:" + SlugOf(reason);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await AuditOutcomesAsync(server)).Contains(slug))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no audit entry with outcome {slug}: {string.Join(", ", await AuditOutcomesAsync(server))}");
            await Task.Delay(20); // polling interval of a bounded wait
        }
    }

    private static readonly Dictionary<WitnessFailure, string> Described = new()
    {
        [WitnessFailure.WrongSession] = "wrong session",
        [WitnessFailure.StatusMismatch] = "status mismatch",
        [WitnessFailure.DigestMismatch] = "digest mismatch",
        [WitnessFailure.ForeignRequest] = "issued for another request",
        [WitnessFailure.Malformed] = "malformed",
        [WitnessFailure.BrokenHeadChain] = "the signed tree heads do not chain",
    };

    private static string SlugOf(WitnessFailure reason) => string.Concat(reason.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    private static async Task<List<string>> AuditOutcomesAsync(GatewayServer server)
    {
        var page = await server.Client.GetFromJsonAsync<JsonElement>("v1/audit?after=0&limit=1000");
        return [.. page.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("outcome").GetString()!)];
    }

    /// <summary>The caller got exactly the witness-failed problem: 502, problem+json, its type and code, and nothing of the answer.</summary>
    internal static async Task<JsonElement> AssertWitnessFailedAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadGateway, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal("https://gateway.dev/problems/witness-failed", problem.GetProperty("type").GetString());
        Assert.Equal("witness-failed", problem.GetProperty("code").GetString());
        Assert.Equal(502, problem.GetProperty("status").GetInt32());
        Assert.False(problem.TryGetProperty("objects", out _), text);
        return problem;
    }
}
