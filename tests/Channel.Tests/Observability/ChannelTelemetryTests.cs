using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Gateway.Channel.Diagnostics;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Channel.Tests.Observability;

/// <summary>The channel's own metrics, and the W3C trace context the call message carries to the bridge host.</summary>
public sealed class ChannelTelemetryTests
{
    [Fact]
    public async Task The_host_span_is_a_child_of_the_callers_client_span_over_the_channel()
    {
        var ended = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == BridgeCallTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = ended.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var h = ChannelHarness.Create(tcp: true);

        using var caller = new Activity("caller").SetIdFormat(ActivityIdFormat.W3C).Start();
        await h.Remote.CreateBucketAsync("traced", default);
        caller.Stop();

        var client = Assert.Single(ended, a => a.TraceId == caller.TraceId && a.Kind == ActivityKind.Client);
        Assert.Equal(caller.SpanId, client.ParentSpanId);
        Assert.Equal("object-storage create-bucket", client.DisplayName);
        // The host's span ends once its witness is sent, which may be after the caller already has its answer.
        var host = await WaitForAsync(() => ended.FirstOrDefault(a => a.TraceId == caller.TraceId && a.Kind == ActivityKind.Server), listener, ended);
        Assert.Equal(client.SpanId, host.ParentSpanId);
        Assert.Equal("traced", host.GetTagItem("bridge.target"));
    }

    /// <summary>Waits for a span by re-checking each time one ends (no polling on a clock).</summary>
    private static async Task<Activity> WaitForAsync(Func<Activity?> find, ActivityListener listener, ConcurrentQueue<Activity> ended)
    {
        var signal = new SemaphoreSlim(0);
        var previous = listener.ActivityStopped;
        listener.ActivityStopped = a => { previous?.Invoke(a); signal.Release(); };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (find() is { } found) return found;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await signal.WaitAsync(left))
                throw new Xunit.Sdk.XunitException($"No host span within 30 s; spans: {string.Join(", ", ended.Select(a => a.DisplayName + "/" + a.Kind))}");
        }
    }

    [Fact]
    public async Task A_call_over_the_channel_counts_handshakes_frames_bytes_witnesses_signatures_and_audit_appends()
    {
        var seen = new ConcurrentDictionary<string, double>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (i, l) => { if (i.Meter.Name == ChannelMetrics.MeterName) l.EnableMeasurementEvents(i); };
        // Observable counters report their running total, so the latest value is kept; others are summed.
        meters.SetMeasurementEventCallback<long>((i, v, tags, _) => seen.AddOrUpdate(Key(i, tags), v, (_, old) => i.IsObservable ? v : old + v));
        meters.SetMeasurementEventCallback<double>((i, v, tags, _) => seen.AddOrUpdate(Key(i, tags), 1, (_, old) => old + 1));
        meters.Start();

        await using var h = ChannelHarness.Create(tcp: true);
        await h.Remote.CreateBucketAsync("metered", default);
        meters.RecordObservableInstruments();
        var framesBefore = seen.GetValueOrDefault("gateway.channel.frames|channel.side=client,direction=sent");
        var bytesBefore = seen.GetValueOrDefault("gateway.channel.io|channel.side=host,direction=received");
        var witnessesBefore = seen.GetValueOrDefault("gateway.channel.witnesses|outcome=verified");
        await h.Remote.ListBucketsAsync(default);
        meters.RecordObservableInstruments();

        Assert.True(seen.GetValueOrDefault("gateway.channel.handshakes|channel.side=client,outcome=ok") >= 1);
        Assert.True(seen.GetValueOrDefault("gateway.channel.handshakes|channel.side=host,outcome=ok") >= 1);
        // The totals are process-wide (other tests' channels add to them), so the call's own frames are a lower bound.
        Assert.True(seen.GetValueOrDefault("gateway.channel.frames|channel.side=client,direction=sent") - framesBefore >= 2);
        Assert.True(seen.GetValueOrDefault("gateway.channel.io|channel.side=host,direction=received") - bytesBefore > 0);
        Assert.True(seen.GetValueOrDefault("gateway.channel.witnesses|outcome=verified") - witnessesBefore >= 1);
        Assert.True(seen.GetValueOrDefault("gateway.channel.head.sign.duration|") >= 1);
        Assert.True(seen.GetValueOrDefault("gateway.channel.head.verify.duration|") >= 1);
        Assert.True(seen.GetValueOrDefault("gateway.audit.appends|") >= 2);
        Assert.True(seen.GetValueOrDefault("gateway.channel.connections|channel.side=client") >= 1);
    }

    private static string Key(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var parts = new List<string>();
        foreach (var t in tags) parts.Add($"{t.Key}={t.Value}");
        parts.Sort(StringComparer.Ordinal);
        return instrument.Name + "|" + string.Join(",", parts);
    }
}
