using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Gateway.Bridges.Local;

/// <summary>
/// Copies a byte range of one open file into another at a given offset. On Linux the kernel copies it
/// (<c>copy_file_range</c>: no pass through user space, a reflink where the filesystem shares extents); where the kernel
/// refuses (another filesystem, an old kernel, a filesystem without the call) and on other systems, a pooled buffer does.
/// </summary>
internal static partial class FileRangeCopy
{
    private const int Chunk = 8 * 1024 * 1024; // between two looks at the cancellation token
    private const int BufferSize = 256 * 1024;
    private const int EIntr = 4, EXDev = 18, EInval = 22, ENoSys = 38, EOpNotSupp = 95;

    /// <summary>Copies <paramref name="length"/> bytes at <paramref name="sourceOffset"/> to <paramref name="targetOffset"/>.</summary>
    public static async Task CopyAsync(SafeFileHandle source, long sourceOffset, SafeFileHandle target, long targetOffset, long length,
        CancellationToken ct)
    {
        var copied = OperatingSystem.IsLinux() ? CopyInKernel(source, sourceOffset, target, targetOffset, length, ct) : 0;
        if (copied < length)
            await CopyInUserSpaceAsync(source, sourceOffset + copied, target, targetOffset + copied, length - copied, ct).ConfigureAwait(false);
    }

    /// <summary>What the kernel copied before it refused (0 when it refuses the call outright). Fails on a real I/O error.</summary>
    internal static long CopyInKernel(SafeFileHandle source, long sourceOffset, SafeFileHandle target, long targetOffset, long length,
        CancellationToken ct)
    {
        long copied = 0;
        var addedSource = false;
        var addedTarget = false;
        try
        {
            source.DangerousAddRef(ref addedSource);
            target.DangerousAddRef(ref addedTarget);
            var inFd = (int)source.DangerousGetHandle();
            var outFd = (int)target.DangerousGetHandle();
            var inOffset = sourceOffset;
            var outOffset = targetOffset;
            while (copied < length)
            {
                ct.ThrowIfCancellationRequested();
                var n = CopyFileRange(inFd, ref inOffset, outFd, ref outOffset, (nuint)Math.Min(Chunk, length - copied), 0);
                if (n > 0)
                {
                    copied += n;
                    continue;
                }
                if (n == 0) throw new EndOfStreamException($"The source ended {length - copied} bytes before the range to copy did.");
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EIntr) continue;
                if (errno is EXDev or EInval or ENoSys or EOpNotSupp) return copied;
                throw new IOException($"copy_file_range failed (errno {errno}).");
            }
            return copied;
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
