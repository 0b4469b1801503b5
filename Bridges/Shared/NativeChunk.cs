using System.Buffers;
using System.Runtime.InteropServices;

namespace Gateway.Bridges.Shared;

/// <summary>The memory of one chunk of a chunked upload, given back when disposed.</summary>
interface IChunkMemory : IDisposable
{
    Memory<byte> Memory { get; }

    /// <summary>A fresh read-only stream over the first <paramref name="length"/> bytes (one per attempt of a send).</summary>
    Stream OpenRead(int length);
}

/// <summary>
/// A chunk buffer outside the GC heap, mapped for an upload and unmapped when the upload ends. Pooled arrays kept a
/// finished upload's chunks (four of 8 MiB for S3) resident for the life of the process, and arrays left to the GC
/// stay resident until a full collection, which an idle gateway does not run (docs/performance.md, sessions 7 and 21).
/// From 1 MiB on Linux the memory is its own anonymous mapping, so it leaves the process at once; smaller chunks (a
/// small object's body) and chunks elsewhere come from <see cref="NativeMemory"/>, whose allocator reuses them.
/// A chunk is disposed only once the SDK call that reads it has ended: HttpClient sends an HTTP/1.1 request body before
/// it completes the call, and a cancelled send stops reading before the call ends.
/// </summary>
sealed unsafe partial class NativeChunk : MemoryManager<byte>, IChunkMemory
{
    const int ProtReadWrite = 0x1 | 0x2, MapPrivateAnonymous = 0x02 | 0x20, MappedFrom = 1024 * 1024;

    readonly int _size;
    readonly bool _mapped;
    byte* _pointer;

    public NativeChunk(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        _size = size;
        _mapped = size >= MappedFrom && OperatingSystem.IsLinux();
        if (_mapped)
        {
            var mapped = mmap(0, (nuint)size, ProtReadWrite, MapPrivateAnonymous, -1, 0);
            if (mapped == -1) throw new OutOfMemoryException($"mmap of {size} bytes failed (errno {Marshal.GetLastPInvokeError()}).");
            _pointer = (byte*)mapped;
        }
        else _pointer = (byte*)NativeMemory.Alloc((nuint)size);
    }

    /// <summary>Gives the memory back (also what <c>using</c> does); the chunk is unusable afterwards.</summary>
    public void Dispose() => Dispose(true);

    public Stream OpenRead(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _size);
        return new UnmanagedMemoryStream(Pointer, length);
    }

    public override Span<byte> GetSpan() => new(Pointer, _size);

    public override MemoryHandle Pin(int elementIndex = 0) => new(Pointer + elementIndex);

    public override void Unpin() { }

    protected override void Dispose(bool disposing)
    {
        if (_pointer is null) return;
        if (_mapped) _ = munmap((nint)_pointer, (nuint)_size);
        else NativeMemory.Free(_pointer);
        _pointer = null;
    }

    byte* Pointer => _pointer is not null ? _pointer : throw new ObjectDisposedException(nameof(NativeChunk));

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int munmap(nint address, nuint length);
}
