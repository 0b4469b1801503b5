namespace Gateway.Contracts.IO;

/// <summary>
/// An async enumerator refuses to be disposed while a MoveNextAsync is in progress (NotSupportedException). A writer
/// that stops early because its reader went away settles the pending read first; the producer is cancelled by then.
/// </summary>
public static class PendingRead
{
    /// <summary>Waits out a read nobody will use; its outcome does not matter any more.</summary>
    public static async Task SettleAsync(ValueTask<bool> next)
    {
        try { await next.ConfigureAwait(false); }
        catch (Exception) { /* the read's outcome is not wanted */ }
    }
}
