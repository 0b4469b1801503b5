using System.Runtime.InteropServices;

namespace Gateway.Bridges.Local;

/// <summary>
/// fsync of a directory, so a rename or unlink inside it survives a power cut. .NET opens no directory
/// handles, hence the two libc calls. Windows needs none: NTFS journals its metadata.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;
    private const int Directory = 0x10000; // O_DIRECTORY on Linux (x64 and arm64)
    private const int DirectoryMac = 0x100000;

    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        var flags = ReadOnly | (OperatingSystem.IsMacOS() ? DirectoryMac : Directory);
        var fd = Open(directory, flags);
        if (fd < 0) throw new IOException($"Cannot open directory '{directory}' to flush it (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"fsync of directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
