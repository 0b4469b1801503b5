using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.ChannelHosting;
using Gateway.Testing;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Gateway.Tests.Audit;

/// <summary>
/// The built gateway, killed with SIGKILL while a client is halfway through a streamed GET whose leaf a signed head
/// already covers: the audit log it leaves behind verifies, with that call's pending leaf named as unresolved, and
/// still fails when the pending row is deleted.
/// </summary>
public sealed class PendingEntrySigkillTests : IDisposable
{
    // 92 DATA frames of 64 KiB: inside the channel's 96 window, with the host's send window raised to all of it (the
    // default, 48, would make the host wait for the gateway to drain into sockets, whose buffers differ by kernel), so the
    // host sends the whole body, END and the WITNESS at once; and more than the socket buffers between the gateway and a
    // client that reads nothing (at most 4 MiB of send buffer here, a 64 KiB receive buffer), so the gateway's reader
    // cannot reach the witness.
    private const int BodyBytes = 92 * 64 * 1024;
    private static readonly Dictionary<string, string> WholeWindow = new() { ["Gateway:Channel:SendWindow"] = "96" };
    private readonly string _data = Directory.CreateTempSubdirectory("audit-pending-kill-").FullName;

    [Fact]
    public async Task A_sigkill_while_an_answer_is_half_read_leaves_a_log_that_verifies_with_one_unresolved_entry()
    {
        var db = Path.Combine(_data, "audit.db");
        var pub = Path.Combine(_data, "keys", "node.pub");
        long leafIndex;
        string requestId;
        await using (var gateway = await GatewayProcess.StartAsync(_data, WholeWindow))
        {
            using (var bucket = await gateway.Client.PutAsync("v1/stores/local/buckets/slow", null)) bucket.EnsureSuccessStatusCode();
            using (var put = await gateway.Client.PutAsync("v1/stores/local/buckets/slow/objects/big.bin", new ByteArrayContent(RandomNumberGenerator.GetBytes(BodyBytes))))
                put.EnsureSuccessStatusCode();

            using var slow = new TcpClient { ReceiveBufferSize = 64 * 1024 };
            await slow.ConnectAsync(gateway.BaseAddress.Host, gateway.BaseAddress.Port);
            var socket = slow.GetStream();
            await socket.WriteAsync(Encoding.ASCII.GetBytes(
                $"GET /v1/stores/local/buckets/slow/objects/big.bin HTTP/1.1\r\nHost: {gateway.BaseAddress.Authority}\r\nX-Api-Key: {gateway.ApiKey}\r\n\r\n"));
            var head = new byte[16 * 1024];
            var got = await socket.ReadAtLeastAsync(head, head.Length);
            Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(head, 0, got), StringComparison.Ordinal);

            (leafIndex, requestId) = await PendingGetAsync(gateway, db);
            // No outcome entry: the gateway still holds the answer's last bytes (the client reads nothing more).
            var page = await gateway.Client.GetFromJsonAsync<JsonElement>("v1/audit?after=0&limit=1000");
            Assert.DoesNotContain(page.GetProperty("entries").EnumerateArray(), e => e.GetProperty("requestId").GetString() == requestId);
            // ...and the gateway lists it as a call still reading its answer.
            var reading = await PendingAsync(gateway);
            Assert.Equal(0, reading.GetProperty("unresolved").GetInt64());
            Assert.Equal(1, reading.GetProperty("reading").GetInt64());
            var call = Assert.Single(reading.GetProperty("calls").EnumerateArray());
            Assert.Equal(("reading", leafIndex, requestId), (call.GetProperty("state").GetString(), call.GetProperty("leafIndex").GetInt64(), call.GetProperty("requestId").GetString()));
            Assert.Contains("gateway_audit_pending{otel_scope_name=\"Gateway.Channel\",state=\"reading\"} 1", await gateway.Client.GetStringAsync("metrics"), StringComparison.Ordinal);

            await gateway.KillAsync();
        }

        var (code, output) = Verify(db, pub);
        Assert.True(code == 0, output);
        Assert.Contains("audit log OK", output, StringComparison.Ordinal);
        Assert.Contains("1 unresolved (the gateway stopped while the answer was read)", output, StringComparison.Ordinal);
        Assert.Contains($"unresolved: leaf {leafIndex}, request {requestId}, object-storage.get-object local/slow/big.bin", output, StringComparison.Ordinal);

        // A gateway started again on the same data continues the log; the leftover row stays unresolved, nothing breaks.
        await using (var again = await GatewayProcess.StartAsync(_data, WholeWindow))
        {
            using var get = await again.Client.GetAsync("v1/stores/local/buckets/slow/objects/big.bin");
            get.EnsureSuccessStatusCode();
            Assert.Equal(BodyBytes, (await get.Content.ReadAsByteArrayAsync()).Length);

            // The restarted gateway says so at start, lists the row as unresolved, counts it and shows it on /status.
            Assert.Contains("holds 1 witnessed calls whose outcome was never recorded", again.RecentOutput, StringComparison.Ordinal);
            var pending = await PendingAsync(again);
            Assert.Equal((1, 0), (pending.GetProperty("unresolved").GetInt64(), pending.GetProperty("reading").GetInt64()));
            var left = Assert.Single(pending.GetProperty("calls").EnumerateArray());
            Assert.Equal(("unresolved", leafIndex, requestId, "object-storage.get-object"), (left.GetProperty("state").GetString(),
                left.GetProperty("leafIndex").GetInt64(), left.GetProperty("requestId").GetString(), left.GetProperty("operation").GetString()));
            var witness = Convert.FromBase64String(left.GetProperty("witness").GetString()!);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData([0x00, .. witness])), left.GetProperty("leafHash").GetString());
            Assert.Contains("gateway_audit_pending{otel_scope_name=\"Gateway.Channel\",state=\"unresolved\"} 1", await again.Client.GetStringAsync("metrics"), StringComparison.Ordinal);
            Assert.Contains("id=\"unresolved-calls\"", await again.Client.GetStringAsync("status"), StringComparison.Ordinal);
        }
        var (restarted, afterRestart) = Verify(db, pub);
        Assert.True(restarted == 0, afterRestart);
        Assert.Contains("1 unresolved", afterRestart, StringComparison.Ordinal);
        Assert.Contains($"unresolved: leaf {leafIndex}, request {requestId}", afterRestart, StringComparison.Ordinal);

        // The pending row is what keeps the leaf accounted for: without it the log is broken, not unresolved.
        using (var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString()))
        {
            c.Open();
            using var delete = c.CreateCommand();
            delete.CommandText = $"DELETE FROM audit_pending WHERE leaf_index = {leafIndex}";
            Assert.Equal(1, delete.ExecuteNonQuery());
        }
        var (broken, text) = Verify(db, pub);
        Assert.True(broken == 1, text);
        Assert.Contains("audit log BROKEN", text, StringComparison.Ordinal);
        Assert.Contains($"Leaf {leafIndex} is covered by the signed heads but has no audit entry", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// Waits (bounded) until the GET's leaf is pending in the live log (read from the database, as an operator's
    /// sqlite3 would): its head is committed while the gateway still holds the answer's last bytes.
    /// </summary>
    private static async Task<(long LeafIndex, string RequestId)> PendingGetAsync(GatewayProcess gateway, string db)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using (var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
            {
                c.Open();
                using var query = c.CreateCommand();
                query.CommandText = "SELECT leaf_index, request_id FROM audit_pending WHERE operation = 'object-storage.get-object'";
                using var r = query.ExecuteReader();
                if (r.Read()) return (r.GetInt64(0), r.GetString(1));
            }
            Assert.True(DateTime.UtcNow < deadline, $"the GET's leaf was not pending within 30 s:\n{gateway.RecentOutput}");
            await Task.Delay(20); // polling interval of a bounded wait
        }
    }

    private static async Task<JsonElement> PendingAsync(GatewayProcess gateway) =>
        await gateway.Client.GetFromJsonAsync<JsonElement>("v1/audit/pending");

    private static (int Code, string Output) Verify(string db, string pub)
    {
        var output = new StringWriter();
        var code = ChannelCli.TryRun(["audit", "verify", "--db", db, "--host-key", pub], output, output);
        return (code ?? -1, output.ToString());
    }

    public void Dispose()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }
}
