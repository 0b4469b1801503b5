namespace Gateway.Channel.Witnesses;

/// <summary>
/// An entry a head's commit writes. A pending one (its call still reads the answer) is replaced by the call's outcome
/// when that comes before the log's writer takes the entry into the head's transaction, so a call that finishes while
/// its head waits for the group commit costs no pending row and no second write.
/// </summary>
public sealed class HeadEntry
{
    private readonly Lock _lock = new();
    private WitnessRecord _record;
    private bool _taken;

    private HeadEntry(WitnessRecord record, bool replaceable)
    {
        _record = record;
        _taken = !replaceable;
    }

    public static HeadEntry Final(WitnessRecord record) => new(record, replaceable: false);

    public static HeadEntry Pending(WitnessRecord record) => new(record, replaceable: true);

    /// <summary>The log's writer, inside the head's transaction: what to write; from now on it is fixed.</summary>
    public WitnessRecord Take()
    {
        lock (_lock)
        {
            _taken = true;
            return _record;
        }
    }

    /// <summary>The call's outcome in place of the pending entry; false once the writer took it (append it on its own).</summary>
    public bool TryReplace(WitnessRecord outcome)
    {
        lock (_lock)
        {
            if (_taken) return false;
            _record = outcome;
            return true;
        }
    }
}
