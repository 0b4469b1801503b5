using System.Security.Cryptography;
using Gateway.Channel.Connections;
using Gateway.Channel.Framing;
using Gateway.Channel.Handshake;
using Gateway.Channel.Transport;

namespace Gateway.Channel.Tests;

/// <summary>
/// Bulk bodies with fewer hand-overs: a send of several frames' worth goes out in one transport write, and a read takes
/// the DATA frames already queued; the frames themselves are those one write each would produce.
/// </summary>
public class FrameBatchingTests
{
    /// <summary>A transport that counts the writes its connection makes.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        private int _writes;
        public int Writes => Volatile.Read(ref _writes);
        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => inner.ReadAsync(buffer, ct);
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            Interlocked.Increment(ref _writes);
            return inner.WriteAsync(buffer, ct);
        }
        public override void Flush() => inner.Flush();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    private static async Task<(ChannelConnection Client, CountingStream Transport, ChannelStream Sending, ChannelStream Receiving, ChannelConnection Host)> OpenAsync()
    {
        var (c, h) = DuplexPipe.CreatePair();
        var transport = new CountingStream(c);
        var hostTask = ChannelConnection.AcceptAsync(h, new ChannelOptions { LocalKey = TestKeys.Host, PinnedPeers = PeerPins.Of(TestKeys.Gateway.PublicKey) }, default);
        var client = await ChannelConnection.ConnectAsync(transport, new ChannelOptions { LocalKey = TestKeys.Gateway, PinnedPeers = PeerPins.Of(TestKeys.Host.PublicKey) }, default);
        var host = await hostTask;
        var sending = client.OpenStream();
        await sending.SendMessageAsync("go"u8.ToArray(), default);
        var receiving = (await host.AcceptStreamAsync(default).AsTask().WaitAsync(TimeSpan.FromSeconds(30)))!;
        Assert.Equal("go"u8.ToArray(), await receiving.ReadMessageAsync(default));
        return (client, transport, sending, receiving, host);
    }

    [Theory]
    [InlineData(4 * FrameHeader.MaxPayload, 4, 1)]
    [InlineData(4 * FrameHeader.MaxPayload + 1, 5, 2)]
    [InlineData(3 * FrameHeader.MaxPayload - 7, 3, 1)]
    public async Task A_send_of_several_frames_goes_out_in_frames_of_at_most_64_KiB_and_one_write_per_four(int size, int frames, int writes)
    {
        var (client, transport, sending, receiving, host) = await OpenAsync();
        await using var _ = client;
        await using var __ = host;
        var data = RandomNumberGenerator.GetBytes(size);
        var before = transport.Writes;

        await sending.SendDataAsync(data, endStream: false, default);

        Assert.Equal(writes, transport.Writes - before);
        Assert.Equal(size, sending.DataBytesSent);
        await SendWindowTests.UntilAsync(() => receiving.ReceivedUncredited == frames, $"{frames} DATA frames arrived (now {receiving.ReceivedUncredited})");
        await sending.SendEndAsync(default);
        // Read a frame's size at a time: each frame holds at most 64 KiB, and the bytes arrive whole and in order.
        using var copy = new MemoryStream();
        var buffer = new byte[FrameHeader.MaxPayload];
        int n;
        while ((n = await receiving.ReadDataAsync(buffer, default)) > 0) copy.Write(buffer, 0, n);
        Assert.Equal(data, copy.ToArray());
        Assert.True(client.IsOpen && host.IsOpen);
    }

    [Fact]
    public async Task A_read_takes_the_DATA_frames_already_queued_and_does_not_wait_for_more()
    {
        var (client, _, sending, receiving, host) = await OpenAsync();
        await using var __ = client;
        await using var ___ = host;
        var data = RandomNumberGenerator.GetBytes(3 * FrameHeader.MaxPayload);
        foreach (var at in new[] { 0, 1, 2 })
            await sending.SendDataAsync(data.AsMemory(at * FrameHeader.MaxPayload, FrameHeader.MaxPayload), endStream: false, default);
        await SendWindowTests.UntilAsync(() => receiving.ReceivedUncredited == 3, "three DATA frames are queued");

        var buffer = new byte[1024 * 1024];
        var read = await receiving.ReadDataAsync(buffer, default).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(data.Length, read);
        Assert.Equal(data, buffer[..read]);

        // Nothing more is queued and the body has not ended: a read waits for the next frame, then returns just that.
        var next = receiving.ReadDataAsync(buffer, default).AsTask();
        Assert.False(next.IsCompleted);
        await sending.SendDataAsync(data.AsMemory(0, 10), endStream: false, default);
        Assert.Equal(10, await next.WaitAsync(TimeSpan.FromSeconds(30)));
        await sending.SendEndAsync(default);
        Assert.Equal(0, await receiving.ReadDataAsync(buffer, default).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_reset_queued_behind_data_is_not_taken_with_it_the_next_read_fails()
    {
        var (client, _, sending, receiving, host) = await OpenAsync();
        await using var __ = client;
        await using var ___ = host;
        var data = RandomNumberGenerator.GetBytes(2 * FrameHeader.MaxPayload);
        await sending.SendDataAsync(data, endStream: false, default);
        await sending.ResetAsync("cancelled", "the sender gave up");
        await SendWindowTests.UntilAsync(() => receiving.Aborted.IsCancellationRequested, "the reset arrived");

        var buffer = new byte[1024 * 1024];
        Assert.Equal(data.Length, await receiving.ReadDataAsync(buffer, default));
        Assert.Equal(data, buffer[..data.Length]);
        var reset = await Assert.ThrowsAsync<ChannelStreamResetException>(async () => await receiving.ReadDataAsync(buffer, default));
        Assert.Equal("cancelled", reset.Code);
    }
}
