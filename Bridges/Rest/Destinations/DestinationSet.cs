namespace Gateway.Bridges.Rest.Destinations;

/// <summary>One address an upstream can be reached at, with what its calls have shown (passive health).</summary>
sealed class Destination(string id, Uri address)
{
    long _unhealthyUntilTicks;
    long _failures;

    public string Id { get; } = id;

    /// <summary>The base address, always ending with '/'.</summary>
    public Uri Address { get; } = address.AbsoluteUri.EndsWith('/') ? address : new Uri(address.AbsoluteUri + "/");

    public long Failures => Interlocked.Read(ref _failures);

    public bool IsHealthy(DateTimeOffset now) => now.UtcTicks >= Interlocked.Read(ref _unhealthyUntilTicks);

    internal long UnhealthyUntilTicks => Interlocked.Read(ref _unhealthyUntilTicks);

    public void ReportSuccess() => Interlocked.Exchange(ref _unhealthyUntilTicks, 0);

    public void ReportFailure(DateTimeOffset now, TimeSpan cooldown)
    {
        Interlocked.Increment(ref _failures);
        Interlocked.Exchange(ref _unhealthyUntilTicks, (now + cooldown).UtcTicks);
    }
}

/// <summary>
/// Round-robin over the healthy destinations; a destination that failed sits out its cool-down while
/// another one is healthy. When none is, the one that will recover first is tried (better than failing).
/// </summary>
sealed class DestinationSet(IReadOnlyList<Destination> destinations, TimeProvider time)
{
    int _next = -1;

    public IReadOnlyList<Destination> All => destinations;

    public Destination Pick()
    {
        if (destinations.Count == 1) return destinations[0];
        var now = time.GetUtcNow();
        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)destinations.Count);
        Destination? soonest = null;
        for (var i = 0; i < destinations.Count; i++)
        {
            var d = destinations[(start + i) % destinations.Count];
            if (d.IsHealthy(now)) return d;
            if (soonest is null || d.UnhealthyUntilTicks < soonest.UnhealthyUntilTicks) soonest = d;
        }
        return soonest!;
    }
}
