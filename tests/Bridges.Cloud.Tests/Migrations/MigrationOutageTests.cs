using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Testing;
using Gateway.Testing.Migrations;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Gateway.Bridges.Cloud.Tests.Migrations;

/// <summary>
/// s3rver-to-Azurite jobs whose target goes away mid-job: Azurite is reached through a loopback forwarder the test cuts
/// (<see cref="CuttableTcpForwarder"/>), so the failures are real dropped and refused connections. The bridge's own retries
/// are off for that store, so what rides out the outage is the job's: an object tried again with back-off, a run that stops
/// as interrupted naming the store that does not answer, and a resume that finishes the job.
/// </summary>
public sealed class MigrationOutageTests : IAsyncLifetime
{
    private const int ObjectRetries = 4;
    private const int InterruptAfter = 4;
    private const int BodyBytes = 16 * 1024;
    private readonly LogCollector _logs = new();
    private ForwardedStores _stores = null!;
    private GatewayServer _server = null!;
    private MigrationClient _api = null!;

    public async Task InitializeAsync()
    {
        _stores = new ForwardedStores();
        // "s3-cut": the same s3rver (so the same buckets) as "s3", reached through a forwarder the test can cut.
        var settings = _stores.Settings();
        foreach (var store in new[] { "azure", "s3-cut" })
        {
            settings[$"Gateway:Stores:{store}:Resilience:MaxRetryAttempts"] = "0";
            settings[$"Gateway:Stores:{store}:Resilience:CircuitBreakerEnabled"] = "false";
        }
        settings["Gateway:Migrations:ObjectRetries"] = ObjectRetries.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Gateway:Migrations:RetryBaseDelay"] = "00:00:00.020";
        settings["Gateway:Migrations:RetryMaxDelay"] = "00:00:00.200";
        settings["Gateway:Migrations:InterruptAfterFailures"] = InterruptAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Logging:LogLevel:Gateway.Migrations"] = "Information";
        _server = await GatewayServer.StartAsync(settings, logging: b => b.AddProvider(_logs));
        _api = new MigrationClient(_server);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _stores.DisposeAsync();
    }

    private static string NewBucket() => "out-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>
    /// Hostile keys, metadata and empty objects with 16 KiB bodies: with a bandwidth limit of 32 KiB/s the job runs for
    /// seconds, so the outage the test makes after the first objects lands in the middle of it.
    /// </summary>
    private async Task<(string Source, string Target, List<MigrationObject> Objects)> SeedAsync(int count)
    {
        var (src, dst) = (NewBucket(), NewBucket());
        await _api.CreateBucketAsync("s3", src);
        await _api.CreateBucketAsync("azure", dst);
        var objects = MigrationDataSet.Make(count).Select(o => o with { Body = o.Body.Length == 0 ? o.Body : RandomNumberGenerator.GetBytes(BodyBytes) }).ToList();
        foreach (var o in objects) await _api.PutAsync("s3", src, o.Key, o.Body, o.ContentType, o.Metadata);
        return (src, dst, objects);
    }

    private static object Job(string src, string dst, int concurrency, string sourceStore = "s3") => new
    {
        source = new { store = sourceStore, bucket = src }, target = new { store = "azure", bucket = dst }, concurrency, bandwidthLimit = 32 * 1024,
    };

    [Fact]
    public async Task A_transient_failure_of_an_object_is_retried_and_every_object_arrives_counted_once()
    {
        var (src, dst, objects) = await SeedAsync(16);
        var id = await _api.StartAsync(Job(src, dst, concurrency: 1));

        var atCut = await WaitForAsync(id, s => Objects(s, "done") >= 4, "4 objects done");
        _stores.Azurite.RefuseNext(2);
        var end = await _api.WaitForEndAsync(id);

        Assert.True(end.GetProperty("state").GetString() == "completed", end.ToString());
        Assert.InRange(Objects(atCut, "done"), 4, objects.Count - 1); // the outage came mid-job
        Assert.Equal(2, _stores.Azurite.Refused);
        Assert.Equal((long)objects.Count, Objects(end, "done"));
        Assert.Equal(0, Objects(end, "failed"));
        Assert.Equal(objects.Sum(o => (long)o.Body.Length), end.GetProperty("bytes").GetProperty("done").GetInt64());
        await _api.AssertTotalsMatchItemsAsync(id);
        await AssertEveryObjectDoneAsync(id, objects);
        foreach (var o in objects) await _api.AssertArrivedAsync("azure", dst, o);
        Assert.Contains(_logs.Messages, m => m.Contains("failed transiently, retry 1 of 4", StringComparison.Ordinal));
        AssertNoSecret(_logs.Messages);
    }

    [Fact]
    public async Task An_unreachable_target_interrupts_the_job_naming_it_and_a_resume_completes_it()
    {
        var (id, dst, objects) = await StartAndCutMidJobAsync(40, concurrency: 2, _stores.Azurite);
        var stopped = await _api.WaitForEndAsync(id);

        Assert.True(stopped.GetProperty("state").GetString() == "interrupted", stopped.ToString());
        var lastError = stopped.GetProperty("lastError").GetString()!;
        Assert.Contains("the target store 'azure' does not answer", lastError, StringComparison.Ordinal);
        Assert.Contains($"{InterruptAfter} object(s) failed with transient errors after {ObjectRetries} retries each, none moved or skipped in between", lastError, StringComparison.Ordinal);
        AssertNoSecret([lastError, .. _logs.Messages]);
        // It stopped instead of failing every remaining object one at a time.
        Assert.InRange(Objects(stopped, "failed"), InterruptAfter, InterruptAfter + 2);
        Assert.True(Objects(stopped, "done") + Objects(stopped, "skipped") + Objects(stopped, "failed") < objects.Count, stopped.ToString());
        await _api.AssertTotalsMatchItemsAsync(id);
        // An interrupted job cannot be paused, only resumed or cancelled.
        using (var pause = await _server.Client.PostAsync($"v1/migrations/{id}/pause", null)) Assert.Equal(HttpStatusCode.Conflict, pause.StatusCode);

        _stores.Azurite.Heal();
        using (var resume = await _server.Client.PostAsync($"v1/migrations/{id}/resume", null))
        {
            var body = await resume.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(resume.StatusCode == HttpStatusCode.OK, body.ToString());
            Assert.Equal(0, Objects(body, "failed")); // planned again
            Assert.False(body.TryGetProperty("lastError", out var e) && e.ValueKind == JsonValueKind.String, body.ToString());
        }
        var end = await _api.WaitForEndAsync(id);

        Assert.True(end.GetProperty("state").GetString() == "completed", end.ToString());
        Assert.Equal(0, Objects(end, "failed"));
        // Objects whose write landed just before the cut (the answer lost) are found identical after the resume.
        Assert.Equal((long)objects.Count, Objects(end, "done") + Objects(end, "skipped"));
        Assert.Equal((long)objects.Count, Objects(end, "planned"));
        await _api.AssertTotalsMatchItemsAsync(id);
        var listed = (await _api.ListAsync("azure", dst)).Select(o => o.GetProperty("key").GetString()!).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(objects.Select(o => o.Key).ToHashSet(StringComparer.Ordinal), listed);
        foreach (var o in objects) await _api.AssertArrivedAsync("azure", dst, o);

        using var again = await _server.Client.PostAsync($"v1/migrations/{id}/resume", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode); // completed: nothing to resume
    }

    [Fact]
    public async Task An_unreachable_source_interrupts_the_job_naming_it_and_a_resume_completes_it()
    {
        var (id, dst, objects) = await StartAndCutMidJobAsync(30, concurrency: 2, _stores.S3rver, sourceStore: "s3-cut");
        var stopped = await _api.WaitForEndAsync(id);

        Assert.True(stopped.GetProperty("state").GetString() == "interrupted", stopped.ToString());
        var lastError = stopped.GetProperty("lastError").GetString()!;
        Assert.Contains("the source store 's3-cut' does not answer", lastError, StringComparison.Ordinal);
        Assert.DoesNotContain("target store", lastError, StringComparison.Ordinal);
        AssertNoSecret([lastError, .. _logs.Messages]);
        Assert.True(Objects(stopped, "done") + Objects(stopped, "skipped") + Objects(stopped, "failed") < objects.Count, stopped.ToString());
        await _api.AssertTotalsMatchItemsAsync(id);

        _stores.S3rver.Heal();
        using (var resume = await _server.Client.PostAsync($"v1/migrations/{id}/resume", null)) Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        var end = await _api.WaitForEndAsync(id);

        Assert.True(end.GetProperty("state").GetString() == "completed", end.ToString());
        Assert.Equal((long)objects.Count, Objects(end, "done") + Objects(end, "skipped"));
        await _api.AssertTotalsMatchItemsAsync(id);
        foreach (var o in objects) await _api.AssertArrivedAsync("azure", dst, o);
    }

    [Fact]
    public async Task A_job_that_ended_failed_resumes_moving_only_its_failed_objects()
    {
        // The target goes away until an object has failed after all its tries; the job then goes on without it.
        var (id, dst, objects) = await StartAndCutMidJobAsync(16, concurrency: 1, _stores.Azurite);
        await WaitForAsync(id, s => Objects(s, "failed") >= 1, "an object failed");
        _stores.Azurite.Heal();
        var failed = await _api.WaitForEndAsync(id);

        Assert.True(failed.GetProperty("state").GetString() == "failed", failed.ToString());
        Assert.InRange(Objects(failed, "failed"), 1, InterruptAfter - 1);
        Assert.Equal((long)objects.Count, Objects(failed, "done") + Objects(failed, "skipped") + Objects(failed, "failed"));
        await _api.AssertTotalsMatchItemsAsync(id);
        var failedKeys = (await _api.ItemsAsync(id, "failed")).Select(i => i.GetProperty("key").GetString()!).ToHashSet(StringComparer.Ordinal);
        Assert.All(await _api.ItemsAsync(id, "failed"), i => Assert.StartsWith("unavailable:", i.GetProperty("error").GetString(), StringComparison.Ordinal));
        var auditBefore = await LastAuditSequenceAsync();

        using (var resume = await _server.Client.PostAsync($"v1/migrations/{id}/resume", null)) Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        var end = await _api.WaitForEndAsync(id);

        Assert.True(end.GetProperty("state").GetString() == "completed", end.ToString());
        Assert.Equal(0, Objects(end, "failed"));
        Assert.Equal((long)objects.Count, Objects(end, "done") + Objects(end, "skipped"));
        await _api.AssertTotalsMatchItemsAsync(id);
        foreach (var o in objects) await _api.AssertArrivedAsync("azure", dst, o);
        // The resume wrote only objects that had failed, each at most once.
        var writes = await TargetWritesAfterAsync(auditBefore, dst);
        Assert.True(writes.All(failedKeys.Contains), "written though not failed: " + string.Join(", ", writes.Where(k => !failedKeys.Contains(k))));
        Assert.Equal(writes.Count, writes.Distinct(StringComparer.Ordinal).Count());
    }

    /// <summary>Seeds <paramref name="count"/> objects, starts a job and cuts <paramref name="cut"/> once 4 objects are done.</summary>
    private async Task<(string Id, string Target, List<MigrationObject> Objects)> StartAndCutMidJobAsync(int count, int concurrency,
        CuttableTcpForwarder cut, string sourceStore = "s3")
    {
        var (src, dst, objects) = await SeedAsync(count);
        var id = await _api.StartAsync(Job(src, dst, concurrency, sourceStore));
        await WaitForAsync(id, s => Objects(s, "done") >= 4, "4 objects done");
        cut.Cut();
        return (id, dst, objects);
    }

    private static long Objects(JsonElement status, string counter) => status.GetProperty("objects").GetProperty(counter).GetInt64();

    private async Task AssertEveryObjectDoneAsync(string id, List<MigrationObject> objects)
    {
        var byKey = objects.ToDictionary(o => o.Key, StringComparer.Ordinal);
        var items = await _api.ItemsAsync(id);
        Assert.Equal(objects.Count, items.Count);
        foreach (var item in items)
        {
            Assert.Equal("done", item.GetProperty("state").GetString());
            var sha256 = item.GetProperty("sha256");
            // An object whose write landed but whose answer was lost is recognised on its retry (done, no SHA-256 of its own).
            if (sha256.ValueKind == JsonValueKind.String)
                Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(byKey[item.GetProperty("key").GetString()!].Body)), sha256.GetString());
        }
    }

    private static void AssertNoSecret(IEnumerable<string> texts)
    {
        foreach (var text in texts)
        {
            Assert.DoesNotContain(CloudBackends.AzuriteKey, text, StringComparison.Ordinal);
            Assert.DoesNotContain(CloudBackends.S3SecretKey, text, StringComparison.Ordinal);
        }
    }

    /// <summary>Follows the job's progress stream until <paramref name="reached"/> holds (bounded: 2 minutes).</summary>
    private async Task<JsonElement> WaitForAsync(string id, Func<JsonElement, bool> reached, string what)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var response = await _server.Client.GetAsync($"v1/migrations/{id}/events", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        JsonElement status = default;
        while (await reader.ReadLineAsync(cts.Token) is { } line)
        {
            status = JsonSerializer.Deserialize<JsonElement>(line);
            if (reached(status)) return status;
        }
        Assert.Fail($"the job ended before {what}: {status}");
        return status;
    }

    private async Task<long> LastAuditSequenceAsync()
    {
        var entries = await AuditEntriesAfterAsync(0);
        return entries.Count == 0 ? 0 : entries[^1].GetProperty("sequence").GetInt64();
    }

    private async Task<List<JsonElement>> AuditEntriesAfterAsync(long after)
    {
        var entries = new List<JsonElement>();
        while (true)
        {
            var page = await _server.Client.GetFromJsonAsync<JsonElement>($"v1/audit?after={after}&limit=1000");
            var batch = page.GetProperty("entries").EnumerateArray().ToList();
            if (batch.Count == 0) return entries;
            entries.AddRange(batch);
            after = batch[^1].GetProperty("sequence").GetInt64();
        }
    }

    /// <summary>Keys written (put-object answered ok) to the target bucket after an audit sequence.</summary>
    private async Task<List<string>> TargetWritesAfterAsync(long after, string bucket) =>
        (await AuditEntriesAfterAsync(after))
            .Where(e => e.GetProperty("operation").GetString()!.EndsWith("put-object", StringComparison.Ordinal)
                && e.GetProperty("status").GetString() == "ok"
                && e.GetProperty("target").GetString()!.Contains(bucket + "/", StringComparison.Ordinal))
            .Select(e => e.GetProperty("target").GetString()!)
            .Select(t => t[(t.IndexOf(bucket + "/", StringComparison.Ordinal) + bucket.Length + 1)..])
            .ToList();

    /// <summary>Every log line the gateway writes, formatted.</summary>
    private sealed class LogCollector : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _messages = new();

        public IReadOnlyList<string> Messages => [.. _messages];

        public ILogger CreateLogger(string categoryName) => new Collector(_messages);

        public void Dispose() { }

        private sealed class Collector(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue(formatter(state, exception) + (exception is null ? "" : " " + exception));
        }
    }
}
