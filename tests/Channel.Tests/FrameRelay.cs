using Gateway.Channel.Framing;

namespace Gateway.Channel.Tests;

public sealed record RelayFrame(bool ToHost, int Index, FrameHeader Header, byte[] Bytes);

/// <summary>
/// A man in the middle on the raw byte stream: passes the handshake through untouched, then hands each
/// encrypted frame to <see cref="Mutate"/>, which returns the frames to forward (none, the same, altered, more).
/// </summary>
internal sealed class FrameRelay : IAsyncDisposable
{
    private readonly Stream _client;
    private readonly Stream _host;
    private readonly Task _up;
    private readonly Task _down;

    public FrameRelay(Stream clientSide, Stream hostSide, Func<RelayFrame, IEnumerable<byte[]>>? mutate = null)
    {
        Mutate = mutate;
        _client = clientSide;
        _host = hostSide;
        _up = Task.Run(() => PumpAsync(_client, _host, toHost: true, handshakeMessages: 2));
        _down = Task.Run(() => PumpAsync(_host, _client, toHost: false, handshakeMessages: 1));
    }

    public Func<RelayFrame, IEnumerable<byte[]>>? Mutate { get; set; }
    /// <summary>Rewrites a handshake message (toHost, index within that direction, message).</summary>
    public Func<bool, int, byte[], byte[]>? MutateHandshake { get; set; }

    private async Task PumpAsync(Stream from, Stream to, bool toHost, int handshakeMessages)
    {
        try
        {
            for (var i = 0; i < handshakeMessages; i++)
            {
                var header = new byte[5];
                await from.ReadExactlyAsync(header);
                var body = new byte[(header[2] << 16) | (header[3] << 8) | header[4]];
                await from.ReadExactlyAsync(body);
                var message = new byte[5 + body.Length];
                header.CopyTo(message, 0);
                body.CopyTo(message, 5);
                if (MutateHandshake is { } mutate) message = mutate(toHost, i, message);
                await to.WriteAsync(message);
                if (header[0] == 4) break; // alert
            }
            var index = 0;
            while (true)
            {
                var head = new byte[FrameHeader.Size];
                await from.ReadExactlyAsync(head);
                var parsed = FrameHeader.Read(head);
                var frame = new byte[FrameHeader.Size + parsed.Length + FrameHeader.TagSize];
                head.CopyTo(frame, 0);
                await from.ReadExactlyAsync(frame.AsMemory(FrameHeader.Size));
                var output = Mutate?.Invoke(new RelayFrame(toHost, index++, parsed, frame)) ?? [frame];
                foreach (var f in output) await to.WriteAsync(f);
            }
        }
        catch (Exception)
        {
            // One side closed: close the other, as a real middlebox would.
        }
        finally
        {
            await to.DisposeAsync();
            await from.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _host.DisposeAsync();
        await Task.WhenAll(_up, _down);
    }
}
