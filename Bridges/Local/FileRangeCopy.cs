using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Gateway.Bridges.Local;

/// <summary>
/// Copies a byte range of one open file into another at a given offset. On Linux the kernel copies it
/// (<c>copy_file_range</c>: no pass through user space, a reflink where the filesystem shares extents); where the kernel
/// refuses or stops (another filesystem, an old kernel or libc, a sandbox that forbids the call, a filesystem that copies
/// nothing) and on other systems, a pooled buffer copies the rest.
/// </summary>
internal static partial class FileRangeCopy
{
    // One call's most; between two calls the thread goes back to the pool and the cancellation token is looked at,
    // so a copy of many GiB holds no pool thread for longer than one chunk.
    private const int Chunk = 8 * 1024 * 1024;
    private const int BufferSize = 256 * 1024;
    private const int EPerm = 1, EIntr = 4, EBadF = 9, EXDev = 18, EInval = 22, ENoSys = 38, EOpNotSupp = 95;

    /// <summary>Copies <paramref name="length"/> bytes at <paramref name="sourceOffset"/> to <paramref name="targetOffset"/>.</summary>
    public static async Task CopyAsync(SafeFileHandle source, long sourceOffset, SafeFileHandle target, long targetOffset, long length,
        CancellationToken ct)
    {
        var copied = OperatingSystem.IsLinux() ? await CopyInKernelAsync(source, sourceOffset, target, targetOffset, length, ct).ConfigureAwait(false) : 0;
        if (copied < length)
            await CopyInUserSpaceAsync(source, sourceOffset + copied, target, targetOffset + copied, length - copied, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// What the kernel copied before it refused or stopped (0 when it refuses the call outright); the user-space copy does
    /// the rest, and fails if the source really is shorter than the range. Fails on a real I/O error.
    /// </summary>
    internal static async Task<long> CopyInKernelAsync(SafeFileHandle source, long sourceOffset, SafeFileHandle target, long targetOffset,
        long length, CancellationToken ct)
    {
        long copied = 0;
        while (copied < length)
        {
            ct.ThrowIfCancellationRequested();
            var n = CopyChunk(source, sourceOffset + copied, target, targetOffset + copied, Math.Min(Chunk, length - copied));
            if (n == 0) break;
            copied += n;
            if (copied < length) await Task.Yield();
        }
        return copied;
    }

    /// <summary>One <c>copy_file_range</c> call (retried when interrupted): the bytes copied, 0 when the kernel copies none.</summary>
    private static long CopyChunk(SafeFileHandle source, long sourceOffset, SafeFileHandle target, long targetOffset, long length)
    {
        var addedSource = false;
        var addedTarget = false;
        try
        {
            source.DangerousAddRef(ref addedSource);
            target.DangerousAddRef(ref addedTarget);
            var (inOffset, outOffset) = (sourceOffset, targetOffset);
            while (true)
            {
                var n = CopyFileRange((int)source.DangerousGetHandle(), ref inOffset, (int)target.DangerousGetHandle(), ref outOffset, (nuint)length, 0);
                if (n >= 0) return n;
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EIntr) continue;
                if (errno is EPerm or EBadF or EXDev or EInval or ENoSys or EOpNotSupp) return 0;
                throw new IOException($"copy_file_range failed (errno {errno}).");
            }
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return 0; // a libc without copy_file_range (glibc before 2.27)
        }
        finally
        {
            if (addedTarget) target.DangerousRelease();
            if (addedSource) source.DangerousRelease();
        }
    }

    internal static async Task CopyInUserSpaceAsync(SafeFileHandle source, long sourceOffset, SafeFileHandle target, long targetOffset,
        long length, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            for (long done = 0; done < length;)
            {
                var n = await RandomAccess.ReadAsync(source, buffer.AsMemory(0, (int)Math.Min(BufferSize, length - done)), sourceOffset + done, ct)
                    .ConfigureAwait(false);
                if (n == 0) throw new EndOfStreamException($"The source ended {length - done} bytes before the range to copy did.");
                await RandomAccess.WriteAsync(target, buffer.AsMemory(0, n), targetOffset + done, ct).ConfigureAwait(false);
                done += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [LibraryImport("libc", EntryPoint = "copy_file_range", SetLastError = true)]
    private static partial nint CopyFileRange(int fdIn, ref long offIn, int fdOut, ref long offOut, nuint length, uint flags);
}
