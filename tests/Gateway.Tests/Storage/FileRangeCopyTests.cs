using System.Security.Cryptography;
using Gateway.Bridges.Local;
using Xunit;

namespace Gateway.Tests.Storage;

/// <summary>
/// The local store's range copy (multipart completion): the kernel's copy_file_range and the user-space copy it falls
/// back to each put exactly the asked range at the asked offset, after what the target already holds.
/// </summary>
public sealed class FileRangeCopyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gateway-range-copy-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (byte[] Source, string SourcePath, string TargetPath) Files()
    {
        var source = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        var sourcePath = Path.Combine(_dir, "source");
        File.WriteAllBytes(sourcePath, source);
        var targetPath = Path.Combine(_dir, "target");
        File.WriteAllBytes(targetPath, "head"u8.ToArray());
        return (source, sourcePath, targetPath);
    }

    [Fact]
    public async Task Copies_the_range_after_what_the_target_holds()
    {
        var (source, sourcePath, targetPath) = Files();
        using (var input = File.OpenHandle(sourcePath))
        using (var output = File.OpenHandle(targetPath, FileMode.Open, FileAccess.Write))
            await FileRangeCopy.CopyAsync(input, 5, output, 4, source.Length - 5 - 100, default);
        Assert.Equal([.. "head"u8.ToArray(), .. source.AsSpan(5, source.Length - 105)], File.ReadAllBytes(targetPath));
    }

    [Fact]
    public async Task The_kernel_copies_the_whole_range_on_this_machine()
    {
        Assert.True(OperatingSystem.IsLinux(), "The gateway's local store runs on Linux here; copy_file_range is what is tested.");
        var (source, sourcePath, targetPath) = Files();
        using (var input = File.OpenHandle(sourcePath))
        using (var output = File.OpenHandle(targetPath, FileMode.Open, FileAccess.Write))
            Assert.Equal(source.Length - 1L, await FileRangeCopy.CopyInKernelAsync(input, 1, output, 4, source.Length - 1, default));
        Assert.Equal([.. "head"u8.ToArray(), .. source.AsSpan(1)], File.ReadAllBytes(targetPath));
    }

    [Fact]
    public async Task The_user_space_fallback_copies_the_same_bytes()
    {
        var (source, sourcePath, targetPath) = Files();
        using (var input = File.OpenHandle(sourcePath))
        using (var output = File.OpenHandle(targetPath, FileMode.Open, FileAccess.Write, options: FileOptions.Asynchronous))
            await FileRangeCopy.CopyInUserSpaceAsync(input, 0, output, 4, source.Length, default);
        Assert.Equal([.. "head"u8.ToArray(), .. source], File.ReadAllBytes(targetPath));
    }

    [Fact]
    public async Task A_source_shorter_than_the_range_fails_in_both_ways()
    {
        var (source, sourcePath, targetPath) = Files();
        using var input = File.OpenHandle(sourcePath);
        using var output = File.OpenHandle(targetPath, FileMode.Open, FileAccess.Write);
        // The kernel stops at the source's end and says how far it got; the user-space copy of the rest finds nothing and fails.
        Assert.Equal((long)source.Length, await FileRangeCopy.CopyInKernelAsync(input, 0, output, 4, source.Length + 1, default));
        await Assert.ThrowsAsync<EndOfStreamException>(() => FileRangeCopy.CopyAsync(input, 0, output, 4, source.Length + 1, default));
        await Assert.ThrowsAsync<EndOfStreamException>(() => FileRangeCopy.CopyInUserSpaceAsync(input, 0, output, 4, source.Length + 1, default));
    }
}
