using System.Text.Json;

namespace Gateway.Contracts.Bridges;

/// <summary>
/// What a bridge host serves, asked over the channel: a gateway in remote mode builds no bridge, so it learns each
/// instance's name, kind, status and facts (capabilities, limits) from here, at start and after every reconnect.
/// </summary>
public interface IBridgeCatalog
{
    /// <summary>Every served instance, by family name ("object-storage").</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<BridgeDescriptor>>> DescribeAsync(CancellationToken ct);
}

/// <summary>
/// One bridge instance as a gateway sees it without building it: what the instance says about itself that is not a
/// call (its interface's properties and argument-free methods, such as <c>Capabilities</c>), as JSON by member name.
/// </summary>
public sealed record BridgeDescriptor(string Name, string Kind, BridgeStatus Status, IReadOnlyDictionary<string, JsonElement> Facts);
