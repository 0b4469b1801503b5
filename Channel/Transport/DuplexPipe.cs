using System.IO.Pipelines;
using Gateway.Contracts.IO;

namespace Gateway.Channel.Transport;

/// <summary>
/// An in-memory, full-duplex byte stream pair: what one end writes the other reads. The in-process bridge host
/// talks CTP-96 over this exactly as it would over TCP.
/// </summary>
public static class DuplexPipe
{
    // 64 KiB blocks hold a whole frame's payload; 64 of them cover two busy pipes' 1 MiB pause thresholds each way.
    private static readonly BlockMemoryPool Blocks = new(blockSize: 64 * 1024, maxRetained: 64);

    private static readonly PipeOptions Options = new(Blocks, pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024,
        minimumSegmentSize: 64 * 1024, useSynchronizationContext: false);

    public static (Stream Client, Stream Server) CreatePair()
    {
        var toServer = new Pipe(Options);
        var toClient = new Pipe(Options);
        return (new DuplexPipeStream(toClient.Reader, toServer.Writer), new DuplexPipeStream(toServer.Reader, toClient.Writer));
    }
}

/// <summary>One end of a <see cref="DuplexPipe"/>.</summary>
public sealed class DuplexPipeStream(PipeReader reader, PipeWriter writer) : Stream
{
    private readonly Stream _in = reader.AsStream();
    private readonly Stream _out = writer.AsStream();
    private int _disposed;

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => _in.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => _in.ReadAsync(buffer, ct);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => _in.ReadAsync(buffer, offset, count, ct);
    public override void Write(byte[] buffer, int offset, int count) => _out.Write(buffer, offset, count);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) => _out.WriteAsync(buffer, ct);
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => _out.WriteAsync(buffer, offset, count, ct);
    public override void Flush() => _out.Flush();
    public override Task FlushAsync(CancellationToken ct) => _out.FlushAsync(ct);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // Completing both halves makes the other end see EOF on read and an error on write, like a closed socket.
            reader.Complete();
            writer.Complete();
            reader.CancelPendingRead();
        }
        base.Dispose(disposing);
    }
}
