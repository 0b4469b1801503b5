using System.Runtime.CompilerServices;
namespace Gateway.Channel.Connections;

/// <summary>
/// Send credit of one stream: DATA frames sent and not yet credited by the peer. The protocol allows
/// <see cref="ChannelConnection.StreamWindow"/> of them; this sender keeps at most <c>limit</c> in flight (its own
/// policy, <see cref="ChannelOptions.SendWindow"/>), never fewer than the receiver's credit batch, or the receiver
/// would wait for frames that the sender holds back until credit comes. One sender at a time.
/// </summary>
internal sealed class CreditGate
{
    private readonly int _limit;
    private readonly Lock _lock = new();
    private int _inFlight;
    private TaskCompletionSource? _waiter;
    private Exception? _failure;

    public CreditGate(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, ChannelStream.CreditBatch);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, ChannelConnection.StreamWindow);
        _limit = limit;
    }

    /// <summary>DATA frames sent and not yet credited.</summary>
    internal int InFlight { get { lock (_lock) return _inFlight; } }

    /// <summary>Whether the sender waits for credit (test hook).</summary>
    internal bool AwaitingCredit { get { lock (_lock) return _waiter is not null; } }

    public ValueTask TakeAsync(CancellationToken ct)
    {
        lock (_lock)
        {
            if (_failure is not null) return ValueTask.FromException(_failure);
            if (_inFlight < _limit) { _inFlight++; return ValueTask.CompletedTask; }
            _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return WaitAsync(_waiter.Task, ct);
        }
    }

    /// <summary>Takes credit for one more frame only if it is there now (never waits); false once the gate failed.</summary>
    public bool TryTake()
    {
        lock (_lock)
        {
            if (_failure is not null || _inFlight >= _limit) return false;
            _inFlight++;
            return true;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WaitAsync(Task signal, CancellationToken ct)
    {
        await signal.WaitAsync(ct).ConfigureAwait(false);
        await TakeAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Adds credit; false when it credits more frames than are in flight (a protocol violation by the peer).</summary>
    public bool Grant(int frames)
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            // Credit beyond what was sent would lift the peer's window past 96; compared before any sum can overflow.
            if (frames <= 0 || frames > _inFlight) return false;
            _inFlight -= frames;
            waiter = _waiter;
            _waiter = null;
        }
        waiter?.TrySetResult();
        return true;
    }

    public void Fail(Exception failure)
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            _failure ??= failure;
            waiter = _waiter;
            _waiter = null;
        }
        waiter?.TrySetException(failure);
    }
}
