using System.Security.Cryptography;
using Gateway.Bridges.Shared;
using Gateway.Contracts.IO;
using Xunit;

namespace Gateway.Bridges.Cloud.Tests;

/// <summary>The chunked body of S3 multipart and Azure block uploads (Bridges/Shared/ChunkedUpload.cs).</summary>
public sealed class ChunkedUploadTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(4096, 1)]
    [InlineData(4097, 2)]
    [InlineData(3 * 4096 + 5, 4)]
    public async Task Sends_every_byte_once_in_order_with_size_and_md5(int length, int chunks)
    {
        var body = RandomNumberGenerator.GetBytes(length);
        var pool = new CountingPool();
        var result = await ChunkedUpload.SendAsync(new MemoryStream(body), 4096, 2, md5: true, pool.Rent,
            (index, chunk, _) => Task.FromResult((index, chunk.Memory.Memory[..chunk.Length].ToArray())), CancellationToken.None);

        Assert.Equal(chunks, result.Results.Length);
        Assert.Equal(Enumerable.Range(0, chunks), result.Results.Select(r => r.index));
        Assert.Equal(body, result.Results.SelectMany(r => r.Item2).ToArray());
        Assert.Equal(length, result.Size);
        Assert.Equal(MD5.HashData(body), result.Md5);
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public async Task Hashes_nothing_unless_asked()
    {
        var body = RandomNumberGenerator.GetBytes(3 * 4096 + 5);
        var result = await ChunkedUpload.SendAsync(new MemoryStream(body), 4096, 2, md5: false, new CountingPool().Rent,
            (index, chunk, _) => Task.FromResult(chunk.Length), CancellationToken.None);

        Assert.Null(result.Md5);
        Assert.Equal(body.Length, result.Size);
    }

    [Fact]
    public async Task Never_has_more_chunks_in_flight_than_allowed()
    {
        var pool = new CountingPool();
        int inFlight = 0, most = 0;
        await ChunkedUpload.SendAsync(new MemoryStream(new byte[20 * 1024]), 1024, 3, md5: true, pool.Rent, async (index, _, _) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            await Task.Yield();
            Interlocked.Decrement(ref inFlight);
            return index;
        }, CancellationToken.None);

        Assert.InRange(most, 1, 3);
        // Twenty chunks through the memory of at most three: a sent chunk's memory is the next chunk's.
        Assert.InRange(pool.Created, 1, 3);
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public async Task A_failed_send_is_the_error_reported_and_every_buffer_goes_back()
    {
        var pool = new CountingPool();
        var failure = new IOException("block 2 refused");
        var started = 0;
        var thrown = await Assert.ThrowsAsync<IOException>(() => ChunkedUpload.SendAsync(new MemoryStream(new byte[64 * 1024]), 1024, 3, md5: true, pool.Rent,
            async (index, _, ct) =>
            {
                Interlocked.Increment(ref started);
                if (index == 2) throw failure;
                await Task.Delay(Timeout.Infinite, ct);
                return index;
            }, CancellationToken.None));

        Assert.Same(failure, thrown);
        Assert.InRange(started, 3, 4);
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public async Task A_failed_read_stops_the_upload_with_the_read_error()
    {
        var pool = new CountingPool();
        var thrown = await Assert.ThrowsAsync<IOException>(() => ChunkedUpload.SendAsync(new FailingAfter(3000), 1024, 2, md5: true, pool.Rent,
            (index, _, _) => Task.FromResult(index), CancellationToken.None));

        Assert.Equal("the body broke", thrown.Message);
        Assert.Equal(0, pool.Outstanding);
    }

    static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    sealed class CountingPool
    {
        int _outstanding, _created;
        public int Outstanding => Volatile.Read(ref _outstanding);
        public int Created => Volatile.Read(ref _created);

        public IChunkMemory Rent(int size)
        {
            Interlocked.Increment(ref _outstanding);
            Interlocked.Increment(ref _created);
            return new Counted(new NativeChunk(size), this);
        }

        sealed class Counted(NativeChunk chunk, CountingPool pool) : IChunkMemory
        {
            int _disposed;
            public Memory<byte> Memory => chunk.Memory;
            public Stream OpenRead(int length) => chunk.OpenRead(length);

            public void Dispose()
            {
                Assert.Equal(0, Interlocked.Exchange(ref _disposed, 1)); // given back once
                ((IDisposable)chunk).Dispose();
                Interlocked.Decrement(ref pool._outstanding);
            }
        }
    }

    sealed class FailingAfter(int bytes) : ReadOnlyStream
    {
        int _left = bytes;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_left == 0) throw new IOException("the body broke");
            var n = Math.Min(buffer.Length, _left);
            _left -= n;
            return ValueTask.FromResult(n);
        }
    }
}
