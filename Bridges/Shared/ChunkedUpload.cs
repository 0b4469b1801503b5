using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;

namespace Gateway.Bridges.Shared;

/// <summary>What a chunked upload sent: each chunk's result in order, the body's size and its MD5 (when asked for).</summary>
readonly record struct ChunkedUploadResult<T>(T[] Results, long Size, byte[]? Md5);

/// <summary>One chunk as it is sent: its memory and length, and a fresh stream over its bytes for each attempt.</summary>
readonly record struct UploadChunk(IChunkMemory Memory, int Length)
{
    public Stream OpenRead() => Memory.OpenRead(Length);
}

/// <summary>
/// The body of a multipart (S3) or block (Azure) upload: read into chunks and sent in parallel, with memory bounded by
/// (parallel) chunks whatever the body's size. The chunks' memory is given back when the upload ends.
/// </summary>
static class ChunkedUpload
{
    /// <summary>
    /// Reads <paramref name="content"/> into chunks of <paramref name="chunkSize"/> and sends each with
    /// <paramref name="send"/> (its 0-based index and bytes), at most <paramref name="parallel"/> at once, hashing MD5 as
    /// it reads when <paramref name="md5"/> is set (a pass over every byte: only for a caller that keeps or checks it). An empty body is one empty chunk. On the first failure the other sends are cancelled and awaited before
    /// their buffers are given back, and that failure (not the cancellation it caused) is thrown.
    /// </summary>
    /// <param name="rent">Memory for one chunk (<see cref="NativeChunk"/> unless a test counts them).</param>
    public static async Task<ChunkedUploadResult<T>> SendAsync<T>(Stream content, int chunkSize, int parallel, bool md5, Func<int, IChunkMemory> rent,
        Func<int, UploadChunk, CancellationToken, Task<T>> send, CancellationToken ct)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var hash = md5 ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
        using var slots = new SemaphoreSlim(parallel);
        // A sent chunk's memory is taken again by the next chunk, and all of it is given back when the upload ends:
        // a fresh mapping per chunk cost a page fault per 4 KiB of every chunk.
        var free = new ConcurrentBag<IChunkMemory>();
        var sends = new List<Task<T>>();
        long size = 0;
        try
        {
            for (var index = 0; ; index++)
            {
                await slots.WaitAsync(failed.Token);
                // A failed rent or read ends the upload: the slot is not needed again, the chunk goes to the free list.
                var buffer = free.TryTake(out var reused) ? reused : rent(chunkSize);
                int length;
                try
                {
                    length = await content.ReadAtLeastAsync(buffer.Memory[..chunkSize], chunkSize, throwOnEndOfStream: false, failed.Token);
                }
                catch
                {
                    free.Add(buffer);
                    throw;
                }
                if (length == 0 && index > 0)
                {
                    free.Add(buffer);
                    slots.Release();
                    break;
                }
                hash?.AppendData(buffer.Memory.Span[..length]);
                size += length;
                sends.Add(SendOneAsync(index, buffer, length));
                if (length < chunkSize) break;
            }
            return new(await Task.WhenAll(sends), size, hash?.GetHashAndReset());
        }
        catch (Exception e)
        {
            await failed.CancelAsync();
            try { await Task.WhenAll(sends); } catch (Exception) { /* each send's outcome is looked at below */ }
            if (e is OperationCanceledException && !ct.IsCancellationRequested
                && sends.FirstOrDefault(t => t.IsFaulted && t.Exception!.InnerException is not OperationCanceledException) is { } first)
                ExceptionDispatchInfo.Throw(first.Exception!.InnerException!);
            throw;
        }
        finally
        {
            // Every send has ended here (awaited above), so every chunk is back.
            while (free.TryTake(out var chunk)) chunk.Dispose();
        }

        async Task<T> SendOneAsync(int index, IChunkMemory buffer, int length)
        {
            try
            {
                return await send(index, new UploadChunk(buffer, length), failed.Token);
            }
            catch
            {
                await failed.CancelAsync();
                throw;
            }
            finally
            {
                free.Add(buffer);
                slots.Release();
            }
        }
    }
}
