namespace Gateway.Channel.Audit;

/// <summary>
/// Which bridge-host key first signed a head over each leaf, as runs of leaves (a key changes only when a host's key
/// does, so a log holds few runs however many heads it has). An entry's <c>host_key</c> column must name that key.
/// </summary>
internal sealed class LeafSigners
{
    private readonly List<(long End, string HostKey)> _runs = [];
    private long _covered;

    /// <summary>A head of <paramref name="treeSize"/> leaves, signed by <paramref name="hostKey"/>, in the order stored.</summary>
    public void Add(long treeSize, string hostKey)
    {
        if (treeSize <= _covered) return;
        if (_runs.Count > 0 && _runs[^1].HostKey == hostKey) _runs[^1] = (treeSize, hostKey);
        else _runs.Add((treeSize, hostKey));
        _covered = treeSize;
    }

    /// <summary>The key of the first head that covers <paramref name="leafIndex"/>, or null when none does.</summary>
    public string? KeyOf(long leafIndex)
    {
        int low = 0, high = _runs.Count - 1;
        while (low <= high)
        {
            var mid = (low + high) / 2;
            if (_runs[mid].End <= leafIndex) low = mid + 1;
            else high = mid - 1;
        }
        return low < _runs.Count ? _runs[low].HostKey : null;
    }
}
