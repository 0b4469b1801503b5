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
/// Part-level resume: the gateway, as its own process, is SIGKILLed while a large object goes from s3rver to Azurite as a
/// multipart (staged-block) upload, and started again on the same data directory. The job resumes by itself, the object
/// arrives whole and verified, and the audit log shows that no part recorded before the kill was sent again: after the
/// restart exactly the missing parts are uploaded, each once.
/// </summary>
public sealed class MigrationPartResumeSigkillTests : IDisposable
{
    private const int Parts = 10;
    private readonly string _data = Directory.CreateTempSubdirectory("migration-part-resume-").FullName;

    [Fact]
    public async Task A_large_object_resumes_part_by_part_after_a_sigkill_and_no_completed_part_is_sent_again()
    {
        CloudBackends.EnsureAnswers("s3", CloudBackends.S3Endpoint);
        CloudBackends.EnsureAnswers("azurite", CloudBackends.AzuriteEndpoint + "?comp=list");
        var (src, dst) = ("parts-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), "parts-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        const long partSize = 8 * 1024 * 1024; // the part size a job picks for Azure (ResumableUpload.PreferredPartBytes)
        var big = RandomNumberGenerator.GetBytes((int)(partSize * (Parts - 1) + 12_345)); // the last part is short
        var small = new MigrationObject("small/ünïcode & co.txt", "small"u8.ToArray(), "text/plain", new Dictionary<string, string> { ["owner"] = "team-a" });
        // The bandwidth limit (not luck) keeps the upload running long enough to be killed between its parts.
        var spec = new { source = new { store = "s3", bucket = src }, target = new { store = "azure", bucket = dst }, bandwidthLimit = 12 * 1024 * 1024 };

        string id;
        long auditBeforeKill;
        await using (var first = await GatewayProcess.StartAsync(_data, CloudBackends.S3AndAzureStores()))
        {
            var api = new MigrationClient(first.Client);
            await api.CreateBucketAsync("s3", src);
            await api.CreateBucketAsync("azure", dst);
            await api.PutAsync("s3", src, "big/blob.bin", big, "application/x-big", new Dictionary<string, string> { ["kind"] = "large" });
            await api.PutAsync("s3", src, small.Key, small.Body, small.ContentType, small.Metadata);

            id = await api.StartAsync(spec);
            await WaitForAsync(first.Client, async () => (await UploadPartsAsync(first.Client, 0, dst)).Count(e => e.Status == "ok") >= 4, "4 parts uploaded");
            auditBeforeKill = (await AuditAsync(first.Client, 0)).Max(e => e.GetProperty("sequence").GetInt64());
            await first.KillAsync();
        }

        // What the killed gateway had recorded: the upload and the parts the target confirmed.
        HashSet<int> recorded;
        using (var db = new MigrationDatabase(Path.Combine(_data, "migrations.db")))
        {
            var upload = db.GetUpload(id, "big/blob.bin");
            Assert.NotNull(upload);
            Assert.Null(upload.CompletedETag);
            recorded = upload.Parts.Select(p => p.Number).ToHashSet();
        }
        Assert.InRange(recorded.Count, 4, Parts - 1);

        await using var second = await GatewayProcess.StartAsync(_data, CloudBackends.S3AndAzureStores());
        var again = new MigrationClient(second.Client);
        var end = await WaitForEndAsync(second.Client, id);
        Assert.True(end.GetProperty("state").GetString() == "completed", end + "\n" + string.Join("\n", await again.ItemsAsync(id, "failed")));
        Assert.Equal(0, end.GetProperty("objects").GetProperty("failed").GetInt64());

        // The object arrived whole, verified (its SHA-256 in the report is the source's), with its type and metadata.
        var item = (await again.ItemsAsync(id)).Single(i => i.GetProperty("key").GetString() == "big/blob.bin");
        Assert.Equal("done", item.GetProperty("state").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(big)), item.GetProperty("sha256").GetString());
        using (var response = await again.GetAsync("azure", dst, "big/blob.bin"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(SHA256.HashData(big), SHA256.HashData(await response.Content.ReadAsByteArrayAsync()));
            Assert.Equal("application/x-big", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("large", response.Headers.GetValues("x-meta-kind").Single());
        }
        using (var response = await again.GetAsync("azure", dst, small.Key))
            Assert.Equal(small.Body, await response.Content.ReadAsByteArrayAsync());

        // The witnessed upload-part calls after the kill: none of a part recorded before it, each missing part exactly once.
        var after = await UploadPartsAsync(second.Client, auditBeforeKill, dst);
        var resent = after.Where(e => recorded.Contains(e.Part)).Select(e => e.Part).ToList();
        Assert.True(resent.Count == 0, "parts recorded before the kill were sent again: " + string.Join(", ", resent));
        Assert.Equal(Enumerable.Range(1, Parts).Where(n => !recorded.Contains(n)), after.Where(e => e.Status == "ok").Select(e => e.Part).Order());
        Assert.Equal(after.Count, after.Select(e => e.Part).Distinct().Count());
        // One completion, after the restart; and the job forgot the upload once the object was done.
        Assert.Single(await AuditAsync(second.Client, auditBeforeKill), e => e.GetProperty("operation").GetString() == "object-storage.complete-multipart-upload");
    }

    /// <summary>The upload-part calls of the audit log after <paramref name="after"/>: part number and status.</summary>
    private static async Task<List<(int Part, string Status)>> UploadPartsAsync(HttpClient client, long after, string bucket) =>
        (await AuditAsync(client, after))
            .Where(e => e.GetProperty("operation").GetString() == "object-storage.upload-part"
                && e.GetProperty("target").GetString()!.Contains($"{bucket}/big/blob.bin part ", StringComparison.Ordinal))
            .Select(e => (int.Parse(e.GetProperty("target").GetString()!.Split(" part ")[^1], System.Globalization.CultureInfo.InvariantCulture),
                e.GetProperty("status").GetString()!))
            .ToList();

    private static async Task<List<JsonElement>> AuditAsync(HttpClient client, long after)
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

    private static async Task WaitForAsync(HttpClient client, Func<Task<bool>> reached, string what)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (!await reached())
        {
            Assert.False(cts.IsCancellationRequested, $"waited 3 minutes in vain for {what}");
            await Task.Delay(100);
        }
    }

    private static async Task<JsonElement> WaitForEndAsync(HttpClient client, string id)
    {
        JsonElement status = default;
        await WaitForAsync(client, async () =>
        {
            status = await client.GetFromJsonAsync<JsonElement>($"v1/migrations/{id}");
            return status.GetProperty("state").GetString() is "completed" or "failed" or "interrupted" or "cancelled";
        }, "the job's end");
        return status;
    }

    public void Dispose()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
