using Gateway.Channel.Rpc;
using Gateway.Contracts.Bridges;
using Gateway.Contracts.Diagnostics;
using Gateway.Contracts.Errors;
using Microsoft.Extensions.Logging;

namespace Gateway.Channel.Families.Catalog;

/// <summary>The bridge host's catalog as fetched at one moment.</summary>
public sealed record CatalogSnapshot(IReadOnlyDictionary<string, IReadOnlyList<BridgeDescriptor>> Families, long FetchedAt)
{
    public IReadOnlyList<BridgeDescriptor> Of(string family) => Families.GetValueOrDefault(family) ?? [];
}

/// <summary>
/// A remote-mode gateway's view of what its bridge host serves, fetched over the channel as a witnessed call: at
/// start, after every new connection (the host may have restarted with other settings), when statuses are read
/// from a catalog older than <c>maxAge</c>, and when a name is missing from one a few seconds old. A failed fetch
/// keeps the last catalog; with none yet, every bridge call fails 503 (unavailable) saying why, and starts another fetch.
/// </summary>
public sealed partial class RemoteBridgeCatalog(Func<ChannelClient> client, string host, ILogger logger, TimeSpan timeout, TimeSpan maxAge,
    TimeProvider? time = null)
{
    private readonly IBridgeCatalog _host = FamilyClient.Create(CatalogFamily.Declaration, client, CatalogFamily.Instance);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private Task _fetching = Task.CompletedTask;
    // Asked for while a fetch ran: that fetch may have begun on a connection that is gone since, so one more follows it.
    private bool _again;
    private volatile CatalogSnapshot? _current;
    private volatile string _failure = "no fetch has finished yet";
    // Why the host has not answered since the catalog held was fetched (a failed fetch or dial), or null.
    private volatile string? _unanswered;

    /// <summary>The last catalog fetched; Unavailable (and a new fetch started) when none ever was.</summary>
    public CatalogSnapshot Current => _current ?? throw Unavailable();

    /// <summary>Why no catalog is known, while none was ever fetched; null once one was.</summary>
    public string? Missing => _current is null ? Unavailable().Message : null;

    /// <summary>
    /// Why the statuses of the catalog held are stale: the bridge host has not answered since (a fetch or a dial failed).
    /// Null while it answers, and while no catalog was ever fetched (<see cref="Missing"/> says that).
    /// </summary>
    public string? Stale => _current is not null && _unanswered is { } why
        ? $"The bridge host {host} is not answering ({why.TrimEnd('.')}); this is its status as last fetched."
        : null;

    /// <summary>A dial to the host failed: the statuses held are stale until a fetch succeeds again.</summary>
    public void HostUnreachable(string why) => _unanswered = why;

    /// <summary>Fetches the catalog, or joins the fetch already running. Never throws: a failure is logged and kept for <see cref="Current"/>.</summary>
    public Task RefreshAsync()
    {
        lock (_gate)
        {
            if (_fetching.IsCompleted) return _fetching = FetchAsync();
            _again = true;
            return _fetching;
        }
    }

    public void RefreshSoon() => _ = RefreshAsync();

    /// <summary>Starts a fetch when the catalog is older than <paramref name="age"/>, by default the configured maximum age.</summary>
    public void RefreshWhenOlderThan(TimeSpan? age = null)
    {
        if (_current is not { } current || _time.GetElapsedTime(current.FetchedAt) > (age ?? maxAge)) RefreshSoon();
    }

    private GatewayException Unavailable()
    {
        RefreshSoon();
        return new GatewayException(ErrorCode.Unavailable, $"The bridge catalog of the bridge host {host} could not be fetched: {_failure}.")
        {
            RetryAfterSeconds = 1,
        };
    }

    private async Task FetchAsync()
    {
        await Task.Yield();
        while (true)
        {
            lock (_gate) _again = false;
            await FetchOnceAsync().ConfigureAwait(false);
            lock (_gate)
                if (!_again) return;
        }
    }

    private async Task FetchOnceAsync()
    {
        try
        {
            using var deadline = new CancellationTokenSource(timeout);
            var families = await _host.DescribeAsync(deadline.Token).ConfigureAwait(false);
            _current = new CatalogSnapshot(families, _time.GetTimestamp());
            _unanswered = null;
            Fetched(logger, host, families.Sum(f => f.Value.Count));
        }
        catch (Exception e)
        {
            _failure = e is OperationCanceledException ? $"no answer within {timeout.TotalSeconds:0.#} s" : e.Message.TrimEnd('.');
            _unanswered = _failure;
            FetchFailed(logger, host, _failure);
        }
    }

    [LoggerMessage(EventId = EventIds.BridgeCatalogFetched, Level = LogLevel.Information, Message = "Bridge catalog of {Host}: {Instances} instances")]
    private static partial void Fetched(ILogger logger, string host, int instances);

    [LoggerMessage(EventId = EventIds.BridgeCatalogFailed, Level = LogLevel.Error, Message = "The bridge catalog of {Host} could not be fetched: {Reason}")]
    private static partial void FetchFailed(ILogger logger, string host, string reason);
}
