using System.Diagnostics.Metrics;

namespace Gateway.Migrations;

/// <summary>Migration metrics (meter <c>Gateway.Migrations</c>): active jobs, and objects and bytes by item outcome (done, skipped, failed).</summary>
public sealed class MigrationMetrics
{
    public const string MeterName = "Gateway.Migrations";

    private readonly Counter<long> _objects;
    private readonly Counter<long> _bytes;
    private Func<int> _active = static () => 0;

    public MigrationMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _objects = meter.CreateCounter<long>("gateway.migration.objects", "{object}", "Objects a migration finished, by outcome (done, skipped, failed).");
        _bytes = meter.CreateCounter<long>("gateway.migration.io", "By", "Bytes of the objects a migration finished, by outcome.");
        meter.CreateObservableUpDownCounter("gateway.migration.jobs.active", () => _active(), "{job}", "Migration jobs running in this process.");
    }

    internal void Observe(Func<int> active) => _active = active;

    internal void Item(string outcome, long bytes)
    {
        var tag = new KeyValuePair<string, object?>("outcome", outcome);
        _objects.Add(1, tag);
        if (bytes > 0) _bytes.Add(bytes, tag);
    }
}
