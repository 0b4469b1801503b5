using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Migrations;
using Gateway.Testing;
using Gateway.Testing.Migrations;
using Xunit;

namespace Gateway.Bridges.Cloud.Tests.Migrations;

/// <summary>
/// The gateway as its own process, killed with SIGKILL in the middle of an s3rver-to-Azurite job and started again on the
/// same data directory: the job resumes by itself and completes, every object verified, none lost, none written twice.
/// </summary>
public sealed class MigrationSigkillTests : IDisposable
{
    private const int ObjectCount = 100;
    private readonly string _data = Directory.CreateTempSubdirectory("migration-sigkill-").FullName;

    private static Dictionary<string, string> Stores() => CloudBackends.S3AndAzureStores();

    [Fact]
    public async Task A_job_survives_a_sigkill_of_the_gateway_process_and_completes_after_the_restart()
    {
        CloudBackends.EnsureAnswers("s3", CloudBackends.S3Endpoint);
        CloudBackends.EnsureAnswers("azurite", CloudBackends.AzuriteEndpoint + "?comp=list");
        var (src, dst) = ("kill-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), "kill-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        // Hostile keys, metadata, content types and empty objects; 4 KiB bodies so the job's bandwidth limit (not luck)
        // keeps it running long enough to be killed in the middle.
        var objects = MigrationDataSet.Make(ObjectCount)
            .Select(o => o with { Body = o.Body.Length == 0 ? o.Body : RandomNumberGenerator.GetBytes(4096) }).ToList();
        var spec = new
        {
            source = new { store = "s3", bucket = src },
            target = new { store = "azure", bucket = dst },
            concurrency = 4,
            bandwidthLimit = 32 * 1024,
        };

        string id;
        HashSet<string> doneBeforeKill;
        long auditBeforeKill;
        await using (var first = await GatewayProcess.StartAsync(_data, Stores()))
        {
            var api = new MigrationClient(first.Client);
            await api.CreateBucketAsync("s3", src);
            await api.CreateBucketAsync("azure", dst);
            foreach (var o in objects) await api.PutAsync("s3", src, o.Key, o.Body, o.ContentType, o.Metadata);

            id = await api.StartAsync(spec);
            await WaitForStatusAsync(first.Client, id, s => Counter(s, "done") >= 20, "20 objects done");
            doneBeforeKill = (await api.ItemsAsync(id, "done")).Select(i => i.GetProperty("key").GetString()!).ToHashSet(StringComparer.Ordinal);
            auditBeforeKill = await LastAuditSequenceAsync(first.Client);

            await first.KillAsync();
        }
        Assert.InRange(doneBeforeKill.Count, 20, ObjectCount - 1);
        // The totals the killed process kept (what its status showed) equal a recount of its items, in flight ones included.
        using (var db = new MigrationDatabase(Path.Combine(_data, "migrations.db")))
        {
            var kept = db.Totals(id);
            Assert.Equal(db.RecountTotals(id), kept);
            Assert.InRange(kept.Objects.Done, doneBeforeKill.Count, ObjectCount);
        }

        // The audit log the killed process left verifies: a copy whose source read was still streaming when its head was
        // committed is a pending leaf, listed as unresolved, never a false deletion alarm (docs/ctp96.md section 7).
        var verifyOutput = new StringWriter();
        var verified = Gateway.ChannelHosting.ChannelCli.TryRun(
            ["audit", "verify", "--db", Path.Combine(_data, "audit.db"), "--host-key", Path.Combine(_data, "keys", "node.pub")], verifyOutput, verifyOutput);
        Assert.True(verified == 0, verifyOutput.ToString());
        Assert.Contains("audit log OK", verifyOutput.ToString(), StringComparison.Ordinal);

        await using var second = await GatewayProcess.StartAsync(_data, Stores());
        var again = new MigrationClient(second.Client);
        // Nobody resumes the job by hand: the restarted gateway does.
        var end = await WaitForStatusAsync(second.Client, id, s => s.GetProperty("state").GetString() is "completed" or "failed" or "interrupted" or "cancelled", "the job's end");

        Assert.True(end.GetProperty("state").GetString() == "completed", end.ToString());
        var counts = end.GetProperty("objects");
        Assert.Equal(ObjectCount, counts.GetProperty("planned").GetInt64());
        Assert.Equal(0, counts.GetProperty("failed").GetInt64());
        // An object whose copy landed just before the kill but whose state was not yet committed is found identical at
        // the target after the restart: skipped, not written again.
        Assert.Equal(ObjectCount, counts.GetProperty("done").GetInt64() + counts.GetProperty("skipped").GetInt64());

        // Items in flight at the kill were redone after the restart and counted once.
        await again.AssertTotalsMatchItemsAsync(id);
        var items = await again.ItemsAsync(id);
        Assert.Equal(ObjectCount, items.Count);
        Assert.Equal(ObjectCount, items.Select(i => i.GetProperty("key").GetString()).Distinct(StringComparer.Ordinal).Count());
        var byKey = objects.ToDictionary(o => o.Key, StringComparer.Ordinal);
        foreach (var item in items)
        {
            var key = item.GetProperty("key").GetString()!;
            Assert.Contains(item.GetProperty("state").GetString(), new[] { "done", "skipped" });
            if (item.GetProperty("state").GetString() == "done")
                Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(byKey[key].Body)), item.GetProperty("sha256").GetString());
        }

        // The target holds exactly the source's objects, byte for byte, with their types and metadata.
        var listed = (await again.ListAsync("azure", dst)).Select(o => o.GetProperty("key").GetString()!).ToList();
        Assert.Equal(ObjectCount, listed.Count);
        Assert.Equal(byKey.Keys.ToHashSet(StringComparer.Ordinal), listed.ToHashSet(StringComparer.Ordinal));
        foreach (var o in objects) await again.AssertArrivedAsync("azure", dst, o);

        // The audit log (the same database both processes wrote) shows every write to the target after the kill point:
        // none of them is an object that was already done, and no object was written twice.
        var writes = (await AuditEntriesAfterAsync(second.Client, auditBeforeKill))
            .Where(e => e.GetProperty("operation").GetString()!.EndsWith("put-object", StringComparison.Ordinal)
                && e.GetProperty("status").GetString() == "ok" // a write its condition refused stored nothing
                && e.GetProperty("target").GetString()!.Contains(dst + "/", StringComparison.Ordinal))
            .Select(e => KeyOf(e.GetProperty("target").GetString()!, dst))
            .ToList();
        Assert.NotEmpty(writes);
        var rewritten = writes.Where(doneBeforeKill.Contains).ToList();
        Assert.True(rewritten.Count == 0, "written again after the kill though done before it: " + string.Join(", ", rewritten));
        Assert.Empty(writes.GroupBy(k => k, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key));
    }

    private static long Counter(JsonElement status, string name) => status.GetProperty("objects").GetProperty(name).GetInt64();

    /// <summary>Polls GET /v1/migrations/{id} until <paramref name="reached"/> holds (at most 3 minutes).</summary>
    private static async Task<JsonElement> WaitForStatusAsync(HttpClient client, string id, Func<JsonElement, bool> reached, string what)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        JsonElement status = default;
        while (!cts.IsCancellationRequested)
        {
            status = await client.GetFromJsonAsync<JsonElement>($"v1/migrations/{id}", cts.Token);
            if (reached(status)) return status;
            if (status.GetProperty("state").GetString() is "completed" or "failed" or "interrupted" or "cancelled")
                Assert.Fail($"the job ended before {what}: {status}");
            try { await Task.Delay(100, cts.Token); } catch (OperationCanceledException) { break; }
        }
        Assert.Fail($"waited 3 minutes in vain for {what}; last status: {status}");
        return status;
    }

    private static async Task<List<JsonElement>> AuditEntriesAfterAsync(HttpClient client, long after)
    {
        var entries = new List<JsonElement>();
        while (true)
        {
            var page = await client.GetFromJsonAsync<JsonElement>($"v1/audit?after={after}&limit=1000");
            var batch = page.GetProperty("entries").EnumerateArray().ToList();
            if (batch.Count == 0) return entries;
            entries.AddRange(batch);
            after = batch[^1].GetProperty("sequence").GetInt64();
        }
    }

    private static async Task<long> LastAuditSequenceAsync(HttpClient client)
    {
        var entries = await AuditEntriesAfterAsync(client, 0);
        return entries.Count == 0 ? 0 : entries[^1].GetProperty("sequence").GetInt64();
    }

    /// <summary>The object key of a put-object audit target ("...{bucket}/{key}").</summary>
    private static string KeyOf(string target, string bucket) => target[(target.IndexOf(bucket + "/", StringComparison.Ordinal) + bucket.Length + 1)..];

    public void Dispose()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
