using System.Diagnostics.Metrics;
using Gateway.Channel.Diagnostics;
using Gateway.Channel.Families;
using Gateway.Channel.Families.ObjectStorage;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Channel.Tests.Observability;

/// <summary>The gateway side measures every bridge call once, with its kind, name, operation and outcome.</summary>
public sealed class BridgeCallMetricsTests
{
    private sealed record Measurement(double Seconds, Dictionary<string, object?> Tags);

    [Fact]
    public async Task Every_call_through_the_channel_is_recorded_once_with_its_outcome_and_error_code()
    {
        // A kind of its own keeps other tests' calls (which run in parallel in this process) out of the record.
        var kind = "test-" + Guid.NewGuid().ToString("N");
        var recorded = new List<Measurement>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == BridgeCallMetrics.MeterName && instrument.Name == BridgeCallMetrics.DurationName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            var map = new Dictionary<string, object?>();
            foreach (var tag in tags) map[tag.Key] = tag.Value;
            if (Equals(map.GetValueOrDefault(BridgeCallMetrics.KindTag), kind))
                lock (recorded) recorded.Add(new Measurement(value, map));
        });
        listener.Start();

        await using var h = ChannelHarness.Create();
        var remote = FamilyClient.Create(ObjectStorageFamily.Declaration, () => h.Client, h.Store.Name, (IObjectStore)h.Store, kind);
        await remote.CreateBucketAsync("metered", default);
        var missing = await Assert.ThrowsAsync<GatewayException>(() => remote.HeadObjectAsync("metered", "absent", ObjectConditions.None, default));
        Assert.Equal(ErrorCode.NotFound, missing.Code);

        lock (recorded)
        {
            Assert.Equal(2, recorded.Count);
            var ok = recorded[0];
            Assert.Equal("local", ok.Tags[BridgeCallMetrics.NameTag]);
            Assert.Equal("create-bucket", ok.Tags[BridgeCallMetrics.OperationTag]);
            Assert.Equal("ok", ok.Tags[BridgeCallMetrics.OutcomeTag]);
            Assert.False(ok.Tags.ContainsKey(BridgeCallMetrics.ErrorCodeTag));
            Assert.True(ok.Seconds > 0);

            var error = recorded[1];
            Assert.Equal("head-object", error.Tags[BridgeCallMetrics.OperationTag]);
            Assert.Equal("error", error.Tags[BridgeCallMetrics.OutcomeTag]);
            Assert.Equal("not-found", error.Tags[BridgeCallMetrics.ErrorCodeTag]);
        }
    }
}
