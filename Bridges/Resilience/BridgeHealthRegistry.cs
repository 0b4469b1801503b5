using System.Collections.Concurrent;
using Gateway.Contracts.Bridges;

namespace Gateway.Bridges.Resilience;

/// <summary>
/// Instances whose owners only have a pipeline to show: register it here (a DI singleton, also an
/// <see cref="IBridgeInstanceSource"/>) and <c>GET /v1/bridges</c> lists it with its circuit state.
/// </summary>
public sealed class BridgeHealthRegistry : IBridgeInstanceSource
{
    readonly ConcurrentDictionary<(string Kind, string Name), TrackedInstance> _instances = new();

    /// <summary>Adds or replaces the instance <paramref name="kind"/>/<paramref name="name"/>.</summary>
    public void Track(string kind, string name, BridgeResilience resilience, Func<IReadOnlyDictionary<string, string>?>? details = null)
        => _instances[(kind, name)] = new TrackedInstance(kind, name, resilience, details);

    public bool Untrack(string kind, string name) => _instances.TryRemove((kind, name), out _);

    public IEnumerable<IBridgeInstance> GetInstances() =>
        _instances.Values.OrderBy(i => i.Kind, StringComparer.Ordinal).ThenBy(i => i.Name, StringComparer.Ordinal);

    sealed class TrackedInstance(string kind, string name, BridgeResilience resilience,
        Func<IReadOnlyDictionary<string, string>?>? details) : IBridgeInstance
    {
        public string Name => name;
        public string Kind => kind;
        public BridgeStatus GetStatus() => resilience.GetStatus(details?.Invoke());
    }
}
