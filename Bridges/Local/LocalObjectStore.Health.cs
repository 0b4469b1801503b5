using Gateway.Contracts.Bridges;

namespace Gateway.Bridges.Local;

/// <summary>
/// The local store has no circuit breaker; its health is whether its folders are still there: a root (or its
/// temporary area) removed, unmounted or made unreadable under the running gateway makes it unhealthy.
/// </summary>
public sealed partial class LocalObjectStore : IBridgeInstance
{
    public BridgeStatus GetStatus()
    {
        string? problem = null;
        try
        {
            if (!Directory.Exists(_root)) problem = "The store's root folder is missing.";
            else if (!Directory.Exists(_tmp)) problem = "The store's temporary folder is missing.";
            else using (Directory.EnumerateFileSystemEntries(_root).GetEnumerator()) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = "The store's root folder cannot be read.";
        }
        return problem is null
            ? new BridgeStatus(BridgeHealth.Healthy, CircuitStates.None)
            : new BridgeStatus(BridgeHealth.Unhealthy, CircuitStates.None, LastFailure: DateTimeOffset.UtcNow, LastError: problem);
    }
}
