using System.Net;
using System.Security.Cryptography;
using Gateway.Testing;
using Gateway.Testing.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Gateway.Bridges.Cloud.Tests.Migrations;

/// <summary>
/// Objects a service writes at the target while jobs run, between the real emulators: s3rver ("s3") to Azurite ("azure")
/// with a migrating store "live" in front. The gateway's clock is a <see cref="FakeTimeProvider"/> set an hour before the
/// objects are written (the emulators stamp the real time), then moved two hours on: the first jobs start before the
/// service's writes, the last ones after them (docs/migrations.md, "Objects written at the target during a job").
/// </summary>
public sealed class CloudNewerAtTargetTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow - TimeSpan.FromHours(1));
    private GatewayServer _server = null!;
    private MigrationClient _api = null!;

    public async Task InitializeAsync()
    {
        CloudBackends.EnsureAnswers("s3", CloudBackends.S3Endpoint);
        CloudBackends.EnsureAnswers("azurite", CloudBackends.AzuriteEndpoint + "?comp=list");
        var settings = CloudBackends.S3AndAzureStores().ToDictionary(kv => kv.Key, kv => (string?)kv.Value);
        settings["Gateway:Stores:live:Kind"] = "migrating";
        settings["Gateway:Stores:live:From"] = "s3";
        settings["Gateway:Stores:live:To"] = "azure";
        // A retry's back-off runs on the gateway's clock, which stands still here: a transient failure fails the test at once.
        settings["Gateway:Migrations:ObjectRetries"] = "0";
        _server = await GatewayServer.StartAsync(settings, services: s => s.AddSingleton<TimeProvider>(_clock));
        _api = new MigrationClient(_server);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string NewBucket() => "newer-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    [Fact]
    public async Task Checks_and_syncs_name_and_keep_a_services_writes_and_replace_only_a_target_older_than_its_source()
    {
        // One bucket name on both sides: the migrating store mirrors bucket and key, so only such a job is one it fronts.
        var src = NewBucket();
        var dst = src;
        await _api.CreateBucketAsync("s3", src);
        await _api.CreateBucketAsync("azure", dst);
        await _api.PutAsync("s3", src, "same", "same bytes"u8.ToArray());
        await _api.PutAsync("s3", src, "dir/changed", "v1"u8.ToArray());
        await _api.PutAsync("s3", src, "missing", "only at the source"u8.ToArray());
        await _api.PutAsync("azure", dst, "same", "same bytes"u8.ToArray());
        await _api.PutAsync("live", dst, "dir/changed", "v2 from a service"u8.ToArray());
        await _api.PutAsync("live", dst, "service-only", "written by a service"u8.ToArray());
        // Older at the target than at the source: written there first, at the source a second later (stores stamp whole seconds).
        await _api.PutAsync("live", dst, "stale", "older at the target"u8.ToArray());
        var second = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        while (DateTimeOffset.UtcNow.ToUnixTimeSeconds() <= second + 1) await Task.Delay(20);
        await _api.PutAsync("s3", src, "stale", "newer at the source"u8.ToArray());
        var job = (bool dryRun) => new { source = new { store = "s3", bucket = src }, target = new { store = "azure", bucket = dst }, mode = "sync", dryRun };

        // Started before the service's writes: named and counted, not differences, and a sync leaves them; "stale" (older at the
        // target than at the source) is a difference, and the sync replaces it.
        var (check, items) = await _api.RunCompletedAsync(job(true));
        Assert.Equal(new Dictionary<string, string>
        {
            ["same"] = "skipped/identical", ["dir/changed"] = "skipped/newer-at-target", ["missing"] = "planned/copy",
            ["service-only"] = "skipped/newer-at-target", ["stale"] = "planned/copy",
        }, items);
        Assert.Equal(2, check.GetProperty("newerAtTarget").GetInt64());
        var (sync, synced) = await _api.RunCompletedAsync(job(false));
        Assert.Equal(new Dictionary<string, string>
        {
            ["same"] = "skipped/identical", ["dir/changed"] = "skipped/newer-at-target", ["missing"] = "done/copy",
            ["service-only"] = "skipped/newer-at-target", ["stale"] = "done/copy",
        }, synced);
        Assert.Equal((2, 0), (sync.GetProperty("newerAtTarget").GetInt64(), sync.GetProperty("deletedAtTarget").GetInt64()));
        Assert.Equal("v2 from a service", await BodyAsync(dst, "dir/changed"));
        Assert.Equal("written by a service", await BodyAsync(dst, "service-only"));

        // Started after them: the service's writes are still newer than the source's versions and stay.
        _clock.Advance(TimeSpan.FromHours(2));
        var (later, again) = await _api.RunCompletedAsync(job(true));
        Assert.Equal(new Dictionary<string, string>
        {
            ["same"] = "skipped/identical", ["dir/changed"] = "skipped/newer-at-target", ["missing"] = "skipped/identical",
            ["service-only"] = "skipped/newer-at-target", ["stale"] = "skipped/identical",
        }, again);
        Assert.Equal(2, later.GetProperty("newerAtTarget").GetInt64());
        var (last, replaced) = await _api.RunCompletedAsync(job(false));
        Assert.Equal(new Dictionary<string, string>
        {
            ["same"] = "skipped/identical", ["dir/changed"] = "skipped/newer-at-target", ["missing"] = "skipped/identical",
            ["service-only"] = "skipped/newer-at-target", ["stale"] = "skipped/identical",
        }, replaced);
        Assert.Equal((2, 0), (last.GetProperty("newerAtTarget").GetInt64(), last.GetProperty("deletedAtTarget").GetInt64()));
        Assert.Equal("v2 from a service", await BodyAsync(dst, "dir/changed"));
        Assert.Equal("written by a service", await BodyAsync(dst, "service-only"));
        Assert.Equal("newer at the source", await BodyAsync(dst, "stale"));
    }

    private async Task<string?> BodyAsync(string bucket, string key)
    {
        using var response = await _api.GetAsync("azure", bucket, key);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await response.Content.ReadAsStringAsync();
    }
}
