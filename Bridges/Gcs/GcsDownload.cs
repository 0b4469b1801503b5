using System.IO.Pipelines;
using Gateway.Contracts.IO;

namespace Gateway.Bridges.Gcs;

/// <summary>
/// Turns the SDK's download, which writes into a stream, into the stream the contract hands out: a bounded pipe
/// between them, so memory stays at the pipe's window whatever the object's size. Disposing the stream stops the
/// download.
/// </summary>
sealed class GcsDownload : ReadOnlyStream
{
    // At most this much waits in the pipe before the download pauses for the reader.
    const long Window = 1024 * 1024;

    /// <summary>Size of the pieces the SDK writes into the pipe (its download chunk size).</summary>
    public const int PieceBytes = 256 * 1024;
    // The pipe's default pool left about a byte of garbage per byte moved (see BlockMemoryPool); 32 blocks cover two windows.
    static readonly BlockMemoryPool Blocks = new(blockSize: 64 * 1024, maxRetained: 32);
    readonly Pipe _pipe = new(new PipeOptions(Blocks, pauseWriterThreshold: Window, resumeWriterThreshold: Window / 2,
        minimumSegmentSize: 64 * 1024, useSynchronizationContext: false));
    readonly CancellationTokenSource _stop = new();
    readonly Stream _reader;
    Task _download = Task.CompletedTask;
    int _disposed;

    GcsDownload() => _reader = _pipe.Reader.AsStream();

    /// <summary>
    /// Starts <paramref name="download"/> writing into the pipe and waits for its first bytes or its end, so that a
    /// failure before any byte (not found, precondition) is thrown here rather than from the body.
    /// </summary>
    public static async Task<GcsDownload> StartAsync(Func<Stream, CancellationToken, Task> download, Func<Exception, Exception> translate, CancellationToken ct)
    {
        var stream = new GcsDownload();
        stream._download = stream.RunAsync(download, translate);
        try
        {
            var first = await stream._pipe.Reader.ReadAsync(ct);
            stream._pipe.Reader.AdvanceTo(first.Buffer.Start); // peek only: the bytes stay for the caller
            return stream;
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    async Task RunAsync(Func<Stream, CancellationToken, Task> download, Func<Exception, Exception> translate)
    {
        await Task.Yield();
        try
        {
            await using (var writer = _pipe.Writer.AsStream(leaveOpen: true))
                await download(writer, _stop.Token);
            await _pipe.Writer.CompleteAsync();
        }
        catch (Exception e)
        {
            await _pipe.Writer.CompleteAsync(translate(e));
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => _reader.Read(buffer, offset, count);
    public override int Read(Span<byte> buffer) => _reader.Read(buffer);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _reader.ReadAsync(buffer, offset, count, cancellationToken);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _reader.ReadAsync(buffer, cancellationToken);

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stop.CancelAsync();
        await _pipe.Reader.CompleteAsync();
        try { await _download; } catch (Exception) { /* the download ends with the reader gone; nothing to report */ }
        _stop.Dispose();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stop.Cancel();
            _pipe.Reader.Complete();
            try { _download.GetAwaiter().GetResult(); } catch (Exception) { /* as above */ }
            _stop.Dispose();
        }
        base.Dispose(disposing);
    }
}
