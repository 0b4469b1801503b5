using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Gateway.Channel.Rpc;
using Gateway.Contracts.IO;

namespace Gateway.Channel.Families;

/// <summary>
/// A live body made of items (log lines), one JSON object per line, written into a pipe as the producer hands them
/// over: each write is flushed to the reader as soon as no next item is ready yet. Disposing the body (the caller went
/// away) cancels the producer.
/// </summary>
internal static class NdjsonBody
{
    private const int Batch = 32 * 1024;

    public static Stream Of<T>(IAsyncEnumerator<T> items, bool hasFirst, CancellationTokenSource stop)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 4 * Batch, resumeWriterThreshold: 2 * Batch, useSynchronizationContext: false));
        var writing = WriteAsync(items, hasFirst, pipe.Writer, stop.Token);
        return new DelegatingReadOnlyStream(pipe.Reader.AsStream(), async () =>
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
            await writing.ConfigureAwait(false);
            stop.Dispose();
        });
    }

    private static async Task WriteAsync<T>(IAsyncEnumerator<T> items, bool more, PipeWriter writer, CancellationToken ct)
    {
        await Task.Yield();
        try
        {
            using var json = new Utf8JsonWriter(writer);
            while (more)
            {
                JsonSerializer.Serialize(json, items.Current, CallJson.Options);
                json.Flush();
                json.Reset();
                writer.Write("\n"u8);
                var next = items.MoveNextAsync();
                if (!next.IsCompleted || writer.UnflushedBytes >= Batch)
                {
                    // The reader gone (the flush completed, or cancelled with the body): the pending read must finish
                    // (the producer is cancelled) before the enumerator is disposed, which refuses a read in progress.
                    FlushResult flushed;
                    try { flushed = await writer.FlushAsync(ct).ConfigureAwait(false); }
                    catch (Exception)
                    {
                        await PendingRead.SettleAsync(next).ConfigureAwait(false);
                        throw;
                    }
                    if (flushed.IsCompleted)
                    {
                        await PendingRead.SettleAsync(next).ConfigureAwait(false);
                        break;
                    }
                }
                more = await next.ConfigureAwait(false);
            }
            await writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await writer.CompleteAsync(e).ConfigureAwait(false);
        }
        finally
        {
            await items.DisposeAsync().ConfigureAwait(false);
        }
    }
}
