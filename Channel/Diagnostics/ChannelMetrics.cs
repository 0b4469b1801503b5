using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Gateway.Channel.Diagnostics;

/// <summary>
/// CTP-96 channel and audit metrics (meter <c>Gateway.Channel</c>). <c>channel.side</c> is <c>client</c> (the gateway)
/// or <c>host</c> (the bridge host); <c>direction</c> is <c>sent</c> or <c>received</c>. Reasons are the protocol's
/// own enumerations, never peer-supplied text.
/// </summary>
public static class ChannelMetrics
{
    public const string MeterName = "Gateway.Channel";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Handshakes = Meter.CreateCounter<long>("gateway.channel.handshakes", "{handshake}",
        "CTP-96 handshakes by side, outcome (ok, failed) and failure reason.");
    private static readonly Counter<long> Rekeys = Meter.CreateCounter<long>("gateway.channel.rekeys", "{rekey}",
        "KEY_UPDATE ratchets by side and direction.");
    private static readonly Histogram<double> SignDuration = Meter.CreateHistogram("gateway.channel.head.sign.duration", unit: "s",
        description: "Time the bridge host takes to sign a tree head (hybrid signature).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25] });
    private static readonly Histogram<double> VerifyDuration = Meter.CreateHistogram("gateway.channel.head.verify.duration", unit: "s",
        description: "Time the gateway takes to verify a signed tree head (hybrid signature).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25] });

    private static readonly Counter<long> AuditAppends = Meter.CreateCounter<long>("gateway.audit.appends", "{entry}",
        "Entries appended to the hash-chained audit log.");
    private static readonly Counter<long> AuditHeads = Meter.CreateCounter<long>("gateway.audit.heads", "{head}",
        "Signed tree heads recorded in the audit log.");
    private static readonly Histogram<double> AuditAppendDuration = Meter.CreateHistogram("gateway.audit.append.duration", unit: "s",
        description: "Time one audit log commit takes (a group of entries and heads in one transaction).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });

    private static readonly ConcurrentDictionary<string, long> WitnessFailures = new();

    private static readonly ConditionalWeakTable<object, Func<(string Side, int Streams, bool Open)>> Connections = new();
    private static readonly ConditionalWeakTable<object, TrackedAudit> AuditLogs = new();

    // Frames and bytes are tallied in plain counters and reported when a reader collects, instead of a tagged
    // Counter.Add per frame: each frame otherwise paid two tag-set lookups (a profile of the REST path put that at
    // about 3 % of the gateway's CPU). Index: side (client 0, host 1) * 2 + direction (sent 0, received 1).
    private static readonly long[] FrameCounts = new long[4];
    private static readonly long[] FrameBytes = new long[4];
    private static long _witnessesVerified;

    static ChannelMetrics()
    {
        Meter.CreateObservableUpDownCounter("gateway.channel.connections", () => Observe(c => c.Open ? 1 : 0), "{connection}",
            "Open CTP-96 connections by side.");
        Meter.CreateObservableUpDownCounter("gateway.channel.streams", () => Observe(c => c.Open ? c.Streams : 0), "{stream}",
            "Open CTP-96 streams (calls in flight) by side.");
        Meter.CreateObservableCounter("gateway.channel.io", () => ObserveFrames(FrameBytes), "By",
            "Bytes on the wire (frame headers, payloads and tags) by side and direction.");
        Meter.CreateObservableCounter("gateway.channel.frames", () => ObserveFrames(FrameCounts), "{frame}",
            "Frames by side and direction.");
        Meter.CreateObservableCounter("gateway.channel.witnesses", ObserveWitnesses, "{witness}",
            "Witnesses checked by the gateway, by outcome (verified, failed) and failure reason.");
        Meter.CreateObservableGauge("gateway.audit.size", ObserveAudit, "{entry}", "Entries in the audit log.");
        Meter.CreateObservableGauge("gateway.audit.pending", ObservePending, "{call}",
            "Witnessed calls under a signed head with no outcome entry: 'reading' (the caller still reads the answer) or 'unresolved' (left by a gateway that stopped mid-answer).");
    }

    internal static string Side(bool isClient) => isClient ? "client" : "host";

    internal static void Handshake(bool isClient, string? failure)
    {
        var tags = new TagList { { "channel.side", Side(isClient) }, { "outcome", failure is null ? "ok" : "failed" } };
        if (failure is not null) tags.Add("reason", failure);
        Handshakes.Add(1, tags);
    }

    internal static void Track(object connection, Func<(string Side, int Streams, bool Open)> state) => Connections.AddOrUpdate(connection, state);

    internal static void TrackAudit(object log, Func<long> size, Func<(long Unresolved, long Reading)> pending) =>
        AuditLogs.AddOrUpdate(log, new TrackedAudit(size, pending));

    private sealed record TrackedAudit(Func<long> Size, Func<(long Unresolved, long Reading)> Pending);

    internal static void FrameSent(string side, long bytes) => CountFrame(side, 0, bytes);

    internal static void FrameReceived(string side, long bytes) => CountFrame(side, 1, bytes);

    private static void CountFrame(string side, int direction, long bytes)
    {
        var index = (side == "client" ? 0 : 2) + direction;
        Interlocked.Increment(ref FrameCounts[index]);
        Interlocked.Add(ref FrameBytes[index], bytes);
    }

    private static IEnumerable<Measurement<long>> ObserveFrames(long[] counts)
    {
        for (var i = 0; i < counts.Length; i++)
            yield return new Measurement<long>(Volatile.Read(ref counts[i]),
                new KeyValuePair<string, object?>("channel.side", i < 2 ? "client" : "host"),
                new KeyValuePair<string, object?>("direction", i % 2 == 0 ? "sent" : "received"));
    }

    internal static void Rekey(string side, string direction) =>
        Rekeys.Add(1, new TagList { { "channel.side", side }, { "direction", direction } });

    // Every call verifies one witness; like frames, witnesses are tallied and reported on collection. Failure
    // reasons are the protocol's own enumeration, so the set of series stays small.
    internal static void WitnessVerified() => Interlocked.Increment(ref _witnessesVerified);

    internal static void WitnessFailed(string reason) => WitnessFailures.AddOrUpdate(reason, 1, (_, n) => n + 1);

    private static IEnumerable<Measurement<long>> ObserveWitnesses()
    {
        yield return new Measurement<long>(Volatile.Read(ref _witnessesVerified), new KeyValuePair<string, object?>("outcome", "verified"));
        foreach (var (reason, count) in WitnessFailures)
            yield return new Measurement<long>(count,
                new KeyValuePair<string, object?>("outcome", "failed"), new KeyValuePair<string, object?>("reason", reason));
    }

    internal static void HeadSigned(long startTimestamp) => SignDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);

    internal static void HeadVerified(long startTimestamp) => VerifyDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);

    internal static void AuditCommitted(long startTimestamp, int entries, int heads)
    {
        AuditAppendDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);
        if (entries > 0) AuditAppends.Add(entries);
        if (heads > 0) AuditHeads.Add(heads);
    }

    private static IEnumerable<Measurement<long>> Observe(Func<(string Side, int Streams, bool Open), int> value)
    {
        long client = 0, host = 0;
        foreach (var (_, state) in Connections)
        {
            var s = state();
            if (s.Side == "client") client += value(s);
            else host += value(s);
        }
        yield return new Measurement<long>(client, new KeyValuePair<string, object?>("channel.side", "client"));
        yield return new Measurement<long>(host, new KeyValuePair<string, object?>("channel.side", "host"));
    }

    private static IEnumerable<Measurement<long>> ObservePending()
    {
        foreach (var (_, log) in AuditLogs)
        {
            var (unresolved, reading) = log.Pending();
            yield return new Measurement<long>(unresolved, new KeyValuePair<string, object?>("state", "unresolved"));
            yield return new Measurement<long>(reading, new KeyValuePair<string, object?>("state", "reading"));
        }
    }

    private static IEnumerable<Measurement<long>> ObserveAudit()
    {
        foreach (var (_, log) in AuditLogs) yield return new Measurement<long>(log.Size());
    }
}
