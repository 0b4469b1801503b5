using Gateway.Channel.Transport;
using Gateway.Contracts.IO;
using Xunit;

namespace Gateway.Channel.Tests;

public sealed class BlockMemoryPoolTests
{
    [Fact]
    public void A_returned_block_is_lent_again_instead_of_a_new_one()
    {
        using var pool = new BlockMemoryPool(blockSize: 1024, maxRetained: 4);
        var first = pool.Rent(100);
        var array = first.Memory;
        first.Dispose();
        var second = pool.Rent(1024);
        Assert.True(second.Memory.Span == array.Span, "the returned block was not reused");
        Assert.Equal(1024, second.Memory.Length);
    }

    [Fact]
    public void Disposing_a_block_twice_returns_it_once()
    {
        using var pool = new BlockMemoryPool(blockSize: 64, maxRetained: 4);
        var block = pool.Rent();
        block.Dispose();
        block.Dispose();
        var a = pool.Rent();
        var b = pool.Rent();
        Assert.False(a.Memory.Span == b.Memory.Span, "one block was lent to two owners");
    }

    [Fact]
    public void It_keeps_no_more_blocks_than_its_bound()
    {
        using var pool = new BlockMemoryPool(blockSize: 64, maxRetained: 2);
        var blocks = Enumerable.Range(0, 5).Select(_ => pool.Rent()).ToList();
        foreach (var b in blocks) b.Dispose();
        var again = Enumerable.Range(0, 5).Select(_ => pool.Rent()).ToList();
        var reused = again.Count(a => blocks.Any(b => a.Memory.Span == b.Memory.Span));
        Assert.Equal(2, reused);
    }

    [Fact]
    public void A_request_larger_than_a_block_is_refused()
    {
        using var pool = new BlockMemoryPool(blockSize: 64, maxRetained: 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(65));
    }

    [Fact]
    public async Task Bytes_cross_the_in_process_pipe_intact_with_frames_larger_than_a_block()
    {
        var (client, server) = DuplexPipe.CreatePair();
        var data = new byte[3 * 64 * 1024 + 17];
        Random.Shared.NextBytes(data);
        var reading = Task.Run(async () =>
        {
            var received = new MemoryStream();
            var buffer = new byte[10_000];
            while (received.Length < data.Length)
            {
                var n = await server.ReadAsync(buffer);
                if (n == 0) break;
                received.Write(buffer, 0, n);
            }
            return received.ToArray();
        });
        for (var i = 0; i < data.Length; i += 70_000) await client.WriteAsync(data.AsMemory(i, Math.Min(70_000, data.Length - i)));
        await client.FlushAsync();
        Assert.Equal(data, await reading);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }
}
