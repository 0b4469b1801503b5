using Gateway.Contracts.ObjectStorage;

namespace Gateway.Storage;

/// <summary>Streams an open object (or range) to the response; a failure mid-body aborts the connection.</summary>
internal sealed class ObjectContentResult(ObjectContent content, bool headOnly) : IResult
{
    private const int BufferSize = 256 * 1024;

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
        await content.Body.CopyToAsync(response.Body, BufferSize, context.RequestAborted);
    }
}
