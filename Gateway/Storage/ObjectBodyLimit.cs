using Gateway.Contracts.Errors;
using Gateway.Contracts.IO;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Storage;

/// <summary>
/// <c>Gateway:Limits:MaxObjectBytes</c> on an object PUT, counted in body bytes. Kestrel's body limit counts what it reads
/// off the wire, which for a chunked body includes the framing (chunk sizes, extensions, line ends): a body of 200,000
/// bytes sent in 1-byte chunks was refused under a limit of 1 MiB. A body of declared length keeps Kestrel's exact limit;
/// a chunked one is counted as it is read, with Kestrel's limit kept as a backstop at <see cref="FramingAllowance"/> times
/// the body limit, so chunk extensions alone cannot stream without end.
/// </summary>
public static class ObjectBodyLimit
{
    /// <summary>One-byte chunks take six bytes on the wire ("1\r\nx\r\n"); eight leaves room for short extensions.</summary>
    public const int FramingAllowance = 8;

    public static Stream Apply(HttpContext context, long max)
    {
        var request = context.Request;
        if (request.ContentLength > max) throw TooLarge(max);
        var kestrel = context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature ? feature : null;
        if (request.ContentLength is not null)
        {
            if (kestrel is not null) kestrel.MaxRequestBodySize = max;
            return request.Body;
        }
        if (kestrel is not null) kestrel.MaxRequestBodySize = max > (long.MaxValue - 65536) / FramingAllowance ? null : max * FramingAllowance + 65536;
        // Fails the read that takes the body past the limit, as Kestrel's own limit fails it (a 413 however it surfaces).
        return new LimitedReadStream(request.Body, max, () => new BadHttpRequestException(
            $"The request body is larger than allowed ({max} bytes).", StatusCodes.Status413PayloadTooLarge), leaveOpen: true);
    }

    private static GatewayException TooLarge(long max) => new(ErrorCode.PayloadTooLarge, $"Objects are limited to {max} bytes.");
}
