using Gateway.Channel.Families;
using Gateway.Contracts.Diagnostics;
using Gateway.Contracts.ObjectStorage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Gateway.Health;

/// <summary>
/// Whether every store that can list its buckets answers. /health/ready is anonymous and not rate limited, so the
/// stores are asked at most once per <see cref="HealthOptions.StoreCheckInterval"/>, all at once, and requests meanwhile
/// (or while a check runs) share that answer: otherwise each anonymous request would be a call to every cloud store.
/// </summary>
internal sealed partial class StoresHealthCheck(BridgeRegistry<IObjectStore> registry, IOptions<HealthOptions> options,
    TimeProvider time, ILogger<StoresHealthCheck> logger) : IHealthCheck
{
    private static readonly TimeSpan PerStoreTimeout = TimeSpan.FromSeconds(5);
    private readonly Lock _gate = new();
    private Task<HealthCheckResult>? _check;
    private DateTimeOffset _answeredAt;
    private string? _failing;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        lock (_gate)
        {
            if (_check is null || (_check.IsCompleted && time.GetUtcNow() - _answeredAt >= options.Value.StoreCheckInterval))
                _check = AskStoresAsync();
            return _check.WaitAsync(ct);
        }
    }

    private async Task<HealthCheckResult> AskStoresAsync()
    {
        var stores = registry.All.Where(s => s.Capabilities.ListBuckets).ToList();
        var answered = await Task.WhenAll(stores.Select(AnswersAsync)).ConfigureAwait(false);
        var failing = stores.Where((_, i) => !answered[i]).Select(s => s.Name).ToList();
        var text = failing.Count == 0 ? null : string.Join(", ", failing);
        lock (_gate)
        {
            if (text != _failing)
            {
                if (text is null) StoresAnsweringAgain(logger);
                else StoresNotAnswering(logger, text);
                _failing = text;
            }
            _answeredAt = time.GetUtcNow();
        }
        return text is null ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy($"Stores not answering: {text}");
    }

    private static async Task<bool> AnswersAsync(IObjectStore store)
    {
        using var timeout = new CancellationTokenSource(PerStoreTimeout);
        try
        {
            await store.ListBucketsAsync(timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = EventIds.StoresNotAnswering, Level = LogLevel.Warning, Message = "Readiness: stores not answering: {Stores}")]
    private static partial void StoresNotAnswering(ILogger logger, string stores);

    [LoggerMessage(EventId = EventIds.StoresAnsweringAgain, Level = LogLevel.Information, Message = "Readiness: every store answers again")]
    private static partial void StoresAnsweringAgain(ILogger logger);
}
