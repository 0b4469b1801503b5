using System.Globalization;
using Gateway.Bridges.Shared;
using Xunit;

namespace Gateway.Bridges.Cloud.Tests;

/// <summary>The chunk memory of S3 multipart and Azure block uploads (Bridges/Shared/NativeChunk.cs).</summary>
public sealed class NativeChunkTests
{
    [Theory]
    [InlineData(64 * 1024)] // from the allocator
    [InlineData(2 * 1024 * 1024)] // a mapping of its own
    public void What_is_written_reads_back_through_a_fresh_stream_each_time(int size)
    {
        using var chunk = new NativeChunk(size);
        Random.Shared.NextBytes(chunk.Memory.Span);
        var expected = chunk.Memory.Span[..1000].ToArray();

        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var read = chunk.OpenRead(1000);
            Assert.True(read.CanSeek);
            Assert.False(read.CanWrite);
            Assert.Equal(1000, read.Length);
            var copy = new MemoryStream();
            read.CopyTo(copy);
            Assert.Equal(expected, copy.ToArray());
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => chunk.OpenRead(size + 1));
    }

    [Fact]
    public void Its_memory_leaves_the_process_when_it_is_disposed()
    {
        Assert.True(OperatingSystem.IsLinux(), "the gateway's bridges run on Linux, where the chunk is its own mapping");
        const int size = 8 * 1024 * 1024;
        var chunk = new NativeChunk(size);
        chunk.Memory.Span.Fill(0x5a); // touched: resident
        nint address;
        using (var handle = chunk.Memory.Pin()) unsafe { address = (nint)handle.Pointer; }

        Assert.True(ResidentKiB(address) >= size / 1024, "the written chunk is resident in its own mapping");
        ((IDisposable)chunk).Dispose();
        Assert.Null(ResidentKiB(address));
        Assert.Throws<ObjectDisposedException>(() => chunk.OpenRead(1));
    }

    /// <summary>
    /// The resident size of the mapping that holds <paramref name="address"/>, from /proc/self/smaps (the kernel may
    /// have merged the chunk's mapping with a neighbour); null when no mapping holds it.
    /// </summary>
    static long? ResidentKiB(nint address)
    {
        var inMapping = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var dash = line.IndexOf('-');
            var space = line.IndexOf(' ');
            if (dash > 0 && space > dash && char.IsAsciiHexDigit(line[0]) && char.IsAsciiHexDigit(line[dash + 1]))
            {
                var start = long.Parse(line[..dash], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                var end = long.Parse(line[(dash + 1)..space], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                inMapping = start <= address && address < end;
            }
            else if (inMapping && line.StartsWith("Rss:", StringComparison.Ordinal))
                return long.Parse(line["Rss:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
        }
        return null;
    }
}
