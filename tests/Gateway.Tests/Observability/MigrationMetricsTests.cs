using System.Globalization;
using Gateway.Testing;
using Gateway.Testing.Migrations;
using Xunit;

namespace Gateway.Tests.Observability;

public sealed class MigrationMetricsTests
{
    [Fact]
    public async Task A_finished_migration_shows_its_objects_and_bytes_on_metrics()
    {
        var archive = Directory.CreateTempSubdirectory("metrics-archive-").FullName;
        await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Stores:archive:Kind"] = "local",
            ["Gateway:Stores:archive:Root"] = archive,
        });
        var api = new MigrationClient(server);
        await api.CreateBucketAsync("local", "src");
        await api.CreateBucketAsync("archive", "dst");
        var objects = MigrationDataSet.Make(7, "");
        foreach (var o in objects) await api.PutAsync("local", "src", o.Key, o.Body, o.ContentType, o.Metadata);

        var id = await api.StartAsync(new { source = new { store = "local", bucket = "src" }, target = new { store = "archive", bucket = "dst" } });
        var end = await api.WaitForEndAsync(id);
        Assert.Equal("completed", end.GetProperty("state").GetString());

        var lines = (await server.Client.GetStringAsync("metrics")).Split('\n');
        // Other tests in this process may migrate too (the meter's instruments are process-wide): at least ours.
        Assert.True(Value(lines, "gateway_migration_objects_total{", "outcome=\"done\"") >= 7);
        Assert.True(Value(lines, "gateway_migration_io_bytes_total{", "outcome=\"done\"") >= objects.Sum(o => o.Body.Length));
        Assert.Contains(lines, l => l.StartsWith("gateway_migration_jobs_active", StringComparison.Ordinal));
        Directory.Delete(archive, recursive: true);
    }

    private static double Value(string[] lines, string series, string label) =>
        lines.Where(l => l.StartsWith(series, StringComparison.Ordinal) && l.Contains(label, StringComparison.Ordinal))
            .Select(l => double.Parse(l[(l.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture)).DefaultIfEmpty(-1).Sum();
}
