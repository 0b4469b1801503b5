using Gateway.Contracts.ObjectStorage;

namespace Gateway.Storage;

/// <summary>Streams an open object (or range) to the response; a failure mid-body aborts the connection.</summary>
internal sealed class ObjectContentResult(ObjectContent content, bool headOnly) : IResult
{
    // Up to four of the channel's 64 KiB frames per write: a read returns what already arrived, never waits to fill this.
    private const int WriteSize = 256 * 1024;

    public async Task ExecuteAsync(HttpContext context)
    {
        await using var _ = content;
        var response = context.Response;
        ObjectHttp.WriteHeaders(response, content.Info);
        response.ContentLength = content.Length;
        if (content.IsPartial)
        {
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = $"bytes {content.Offset}-{content.Offset + content.Length - 1}/{content.Info.Size}";
        }
        if (headOnly) return;
        // Read straight into the response's own buffer (no copy buffer in between) and flush once per read.
        var writer = response.BodyWriter;
        var ct = context.RequestAborted;
        while (true)
        {
            var read = await content.Body.ReadAsync(writer.GetMemory(WriteSize), ct);
            if (read == 0) break;
            writer.Advance(read);
            var flushed = await writer.FlushAsync(ct);
            if (flushed.IsCanceled || flushed.IsCompleted) break; // the client went away
        }
    }
}
