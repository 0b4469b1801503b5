using System.Runtime.CompilerServices;
namespace Gateway.Channel.Connections;

/// <summary>Send credit of one stream: DATA frames the peer still accepts. One sender at a time.</summary>
internal sealed class CreditGate(int window)
{
    private readonly int _window = window;
    private readonly Lock _lock = new();
    private int _available = window;
    private TaskCompletionSource? _waiter;
    private Exception? _failure;

    public ValueTask TakeAsync(CancellationToken ct)
    {
        lock (_lock)
        {
            if (_failure is not null) return ValueTask.FromException(_failure);
            if (_available > 0) { _available--; return ValueTask.CompletedTask; }
            _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return WaitAsync(_waiter.Task, ct);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WaitAsync(Task signal, CancellationToken ct)
    {
        await signal.WaitAsync(ct).ConfigureAwait(false);
        await TakeAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Adds credit; false when it would exceed the window (a protocol violation by the peer).</summary>
    public bool Grant(int frames)
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            // Compared as a subtraction: a grant near int.MaxValue must not overflow into a "valid" negative sum.
            if (frames <= 0 || frames > _window - _available) return false;
            _available += frames;
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
