using Gateway.Channel.Families;
using Gateway.Contracts.Diagnostics;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Gateway.Health;

/// <summary>
/// Whether every store that can list its buckets answers. A store that answers with a refusal (forbidden credentials
/// scoped to their buckets, an emulator without the call, throttling) is reachable: the gateway stays ready and the
/// check's description names it. Only a store that does not answer (unreachable, timed out, failing, a failed
/// witness) makes the gateway unready. /health/ready is anonymous and not rate limited, so the
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
    private string? _refusing;

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
        var answers = await Task.WhenAll(stores.Select(AskAsync)).ConfigureAwait(false);
        var failing = Names(stores, answers, a => a is Answer.Silent);
        var refusing = Names(stores, answers, a => a is Answer.Refused);
        lock (_gate)
        {
            if (failing != _failing)
            {
                if (failing is null) StoresAnsweringAgain(logger);
                else StoresNotAnswering(logger, failing);
                _failing = failing;
            }
            if (refusing != _refusing)
            {
                if (refusing is not null) StoresRefusingTheListing(logger, refusing);
                _refusing = refusing;
            }
            _answeredAt = time.GetUtcNow();
        }
        if (failing is not null) return HealthCheckResult.Unhealthy($"Stores not answering: {failing}");
        return refusing is null ? HealthCheckResult.Healthy()
            : HealthCheckResult.Healthy($"stores refusing the bucket listing (still ready): {refusing}");
    }

    private static string? Names(List<IObjectStore> stores, (Answer Kind, ErrorCode? Code)[] answers, Func<Answer, bool> which)
    {
        var names = stores.Zip(answers).Where(x => which(x.Second.Kind))
            .Select(x => x.Second.Code is { } code ? $"{x.First.Name} ({code.Slug()})" : x.First.Name).ToList();
        return names.Count == 0 ? null : string.Join(", ", names);
    }

    private static async Task<(Answer Kind, ErrorCode? Code)> AskAsync(IObjectStore store)
    {
        using var timeout = new CancellationTokenSource(PerStoreTimeout);
        try
        {
            await store.ListBucketsAsync(timeout.Token).ConfigureAwait(false);
            return (Answer.Listed, null);
        }
        catch (GatewayException e) when (IsRefusal(e.Code))
        {
            return (Answer.Refused, e.Code);
        }
        catch (Exception)
        {
            return (Answer.Silent, null);
        }
    }

    /// <summary>The store answered and said no: it is reachable, and another call (an object in a bucket its credentials reach) may well succeed.</summary>
    private static bool IsRefusal(ErrorCode code) => code is ErrorCode.Forbidden or ErrorCode.Unauthorized or ErrorCode.NotFound
        or ErrorCode.BadRequest or ErrorCode.NotSupported or ErrorCode.MethodNotAllowed or ErrorCode.Throttled;

    private enum Answer { Listed, Refused, Silent }

    [LoggerMessage(EventId = EventIds.StoresNotAnswering, Level = LogLevel.Warning, Message = "Readiness: stores not answering: {Stores}")]
    private static partial void StoresNotAnswering(ILogger logger, string stores);

    [LoggerMessage(EventId = EventIds.StoresAnsweringAgain, Level = LogLevel.Information, Message = "Readiness: every store answers again")]
    private static partial void StoresAnsweringAgain(ILogger logger);

    [LoggerMessage(EventId = EventIds.StoresRefusingTheListing, Level = LogLevel.Warning,
        Message = "Readiness: stores answer the bucket listing with a refusal (the gateway stays ready; Capabilities:ListBuckets=false stops asking them): {Stores}")]
    private static partial void StoresRefusingTheListing(ILogger logger, string stores);
}
