using Gateway.Contracts.Rest;

namespace Gateway.Rest;

/// <summary>Streams an upstream's answer to the caller; a failure mid-body aborts the connection, so a cut body never looks whole.</summary>
internal sealed class RestProxyResult(RestResponse upstream, bool headOnly) : IResult
{
    const int BufferSize = 64 * 1024;

    public async Task ExecuteAsync(HttpContext context)
    {
        await using var _ = upstream;
        var response = context.Response;
        response.StatusCode = upstream.StatusCode;
        foreach (var (name, values) in upstream.Headers)
        {
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) continue;
            response.Headers.Append(name, values.ToArray());
        }
        response.ContentLength = upstream.ContentLength;
        if (headOnly || upstream.StatusCode is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified) return;
        try
        {
            await upstream.Body.CopyToAsync(response.Body, BufferSize, context.RequestAborted);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            context.Abort();
        }
    }
}
