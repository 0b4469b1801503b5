using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Gateway.Tests.Observability;

/// <summary>
/// The gateway's finished spans, through the OpenTelemetry in-memory exporter, and a way to wait for one: a bridge
/// host's span ends after the HTTP answer left, so tests wait on the span itself, never on time.
/// </summary>
internal sealed class SpanCollector
{
    private readonly List<Activity> _exported = [];
    private readonly List<Activity> _ended = [];
    private readonly List<(Func<Activity, bool> Match, TaskCompletionSource<Activity> Done)> _waiters = [];

    /// <summary>Every finished span so far.</summary>
    public IReadOnlyList<Activity> Spans
    {
        get { lock (_ended) return [.. _ended]; }
    }

    public void Register(IServiceCollection services) =>
        services.ConfigureOpenTelemetryTracerProvider(b => b.AddInMemoryExporter(_exported).AddProcessor(new Signal(this)));

    public async Task<Activity> WaitForAsync(Func<Activity, bool> match, string what)
    {
        var done = new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_ended)
        {
            if (_ended.FirstOrDefault(match) is { } already) return Exported(already);
            _waiters.Add((match, done));
        }
        try { return Exported(await done.Task.WaitAsync(TimeSpan.FromSeconds(30))); }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"No span {what} within 30 s. Spans: {string.Join(", ", Spans.Select(s => $"{s.DisplayName} ({s.Kind}, {s.TraceId})"))}");
        }
    }

    /// <summary>The span went through the in-memory exporter (its processor runs before ours, on the same thread).</summary>
    private Activity Exported(Activity span)
    {
        lock (_ended)
            if (!_exported.Contains(span)) throw new Xunit.Sdk.XunitException($"Span {span.DisplayName} ended but was not exported.");
        return span;
    }

    private sealed class Signal(SpanCollector collector) : BaseProcessor<Activity>
    {
        // Runs after the in-memory exporter's processor (added first), so a woken waiter finds the span exported.
        public override void OnEnd(Activity activity)
        {
            lock (collector._ended)
            {
                collector._ended.Add(activity);
                foreach (var waiter in collector._waiters.Where(w => w.Match(activity)).ToList())
                {
                    collector._waiters.Remove(waiter);
                    waiter.Done.TrySetResult(activity);
                }
            }
        }
    }
}
