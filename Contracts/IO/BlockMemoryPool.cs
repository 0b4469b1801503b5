using System.Buffers;
using System.Collections.Concurrent;

namespace Gateway.Contracts.IO;

/// <summary>
/// Fixed-size blocks kept for reuse, up to a bound, for the pipes that bodies stream through. With a pipe's default
/// pool the segments missed the shared ArrayPool so often that each byte a body moved left about one byte of
/// garbage (dotnet-trace, docs/performance.md), which is what raised the gateway's peak RSS during transfers.
/// </summary>
public sealed class BlockMemoryPool(int blockSize, int maxRetained) : MemoryPool<byte>
{
    private readonly ConcurrentQueue<Block> _free = new();
    private int _retained;

    public override int MaxBufferSize => blockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, blockSize);
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _retained);
            block.Lease();
            return block;
        }
        return new Block(this, GC.AllocateUninitializedArray<byte>(blockSize));
    }

    private void Return(Block block)
    {
        if (Interlocked.Increment(ref _retained) <= maxRetained) _free.Enqueue(block);
        else Interlocked.Decrement(ref _retained);
    }

    protected override void Dispose(bool disposing) => _free.Clear();

    private sealed class Block(BlockMemoryPool pool, byte[] array) : IMemoryOwner<byte>
    {
        private int _returned;

        public Memory<byte> Memory => array;

        public void Lease() => Volatile.Write(ref _returned, 0);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _returned, 1) == 0) pool.Return(this);
        }
    }
}
