using System.Buffers;

namespace Gateway.Contracts.IO;

/// <summary>
/// An array pool that keeps up to <c>perSize</c> buffers of each size (as <see cref="ArrayPool{T}.Create(int, int)"/>)
/// while they are in use, and lets all of them go once a whole <c>idle</c> period passed without a rent or a return.
/// A buffer out at that moment may still be returned: the new pool keeps it or leaves it to the GC. A plain pool
/// keeps the most buffers a burst ever needed for the life of the process: the channel's frames (up to 60 MiB after
/// ten slow ranged reads) and the cloud bridges' part and block buffers (megabytes each, on the large object heap;
/// about 50 MB after one large upload per bridge). Handed back to the GC, that memory serves the next transfer, or
/// anything else, instead of growing the process.
/// </summary>
public sealed class IdleReleasingArrayPool : ArrayPool<byte>, IDisposable
{
    /// <summary>How long buffers stay pooled without use, unless the owner says otherwise.</summary>
    public static readonly TimeSpan DefaultIdle = TimeSpan.FromSeconds(10);

    private readonly int _maxLength;
    private readonly int _perSize;
    private readonly ITimer _timer;
    private ArrayPool<byte> _pool;
    private int _used;
    private int _holding;

    public IdleReleasingArrayPool(int maxLength, int perSize, TimeSpan? idle = null, TimeProvider? time = null)
    {
        _maxLength = maxLength;
        _perSize = perSize;
        _pool = Create(maxLength, perSize);
        var period = idle ?? DefaultIdle;
        // The timer holds the pool weakly: a store dropped without Dispose does not keep its pool and timer forever.
        _timer = (time ?? TimeProvider.System).CreateTimer(static state =>
        {
            if (((WeakReference<IdleReleasingArrayPool>)state!).TryGetTarget(out var pool)) pool.ReleaseIfIdle();
        }, new WeakReference<IdleReleasingArrayPool>(this), period, period);
    }

    /// <summary>Times the pooled buffers were let go.</summary>
    public int Releases => Volatile.Read(ref _releases);
    private int _releases;

    public override byte[] Rent(int minimumLength)
    {
        MarkUsed();
        return Volatile.Read(ref _pool).Rent(minimumLength);
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
        Volatile.Read(ref _pool).Return(array, clearArray);
        if (Volatile.Read(ref _holding) == 0) Volatile.Write(ref _holding, 1);
        MarkUsed();
    }

    // Read before writing: on the hot path the flag is already set, and a write would bounce its cache line between cores.
    private void MarkUsed()
    {
        if (Volatile.Read(ref _used) == 0) Volatile.Write(ref _used, 1);
    }

    private void ReleaseIfIdle()
    {
        if (Interlocked.Exchange(ref _used, 0) == 1 || Interlocked.Exchange(ref _holding, 0) == 0) return;
        Volatile.Write(ref _pool, Create(_maxLength, _perSize));
        Interlocked.Increment(ref _releases);
    }

    public void Dispose() => _timer.Dispose();
}
