using Gateway.Contracts.Rest;

namespace Gateway.Rest;

/// <summary>Streams an upstream's answer to the caller; a failure mid-body aborts the connection (StreamFaultGuard), so a cut body never looks whole.</summary>
internal sealed class RestProxyResult(RestResponse upstream, bool headOnly) : IResult
{
    const int BufferSize = 64 * 1024;

    public async Task ExecuteAsync(HttpContext context)
    {
        await using var _ = upstream;
        var bodiless = headOnly || upstream.StatusCode is StatusCodes.Status204NoContent or StatusCodes.Status205ResetContent or StatusCodes.Status304NotModified;
        // An answer without a body is released only after its witness checked: reading the (empty) channel body to
        // its end verifies the witness and waits for its audit entry; a failure surfaces here, before any header went out.
        if (bodiless) await upstream.Body.CopyToAsync(Stream.Null, BufferSize, context.RequestAborted);
        var response = context.Response;
        response.StatusCode = upstream.StatusCode;
        foreach (var (name, values) in upstream.Headers)
        {
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) continue;
            response.Headers.Append(name, values.ToArray());
        }
        // A 204 or 205 has no content (RFC 9110 §8.6, §15.3.6); a length an upstream states anyway made Kestrel fail the answer.
        response.ContentLength = upstream.StatusCode is StatusCodes.Status204NoContent or StatusCodes.Status205ResetContent ? null : upstream.ContentLength;
        if (bodiless) return;
        try
        {
            await upstream.Body.CopyToAsync(response.Body, BufferSize, context.RequestAborted);
        }
        catch (Exception e) when (!response.HasStarted && e is IOException or HttpRequestException)
        {
            // The upstream's head is the answer even when its body broke before a byte of it went out: send it, so the
            // break is a cut answer like a later one (aborted by StreamFaultGuard, which logs it), not a problem of ours.
            await response.StartAsync(CancellationToken.None);
            throw;
        }
    }
}
