using Gateway.Contracts.Errors;
using Gateway.Contracts.IO;

namespace Gateway.Bridges.Kubernetes;

/// <summary>
/// An API server's answer is read whole (the client deserialises it), so its size is bounded: past
/// <see cref="MaxBytes"/> the call is a 502 saying to ask for a smaller page, not a gateway that grows with the cluster.
/// A pod's log is streamed to the caller, so it is not bounded here.
/// </summary>
internal sealed class AnswerSizeLimit(string cluster) : DelegatingHandler
{
    /// <summary>A page of 5,000 (the largest <c>limit</c>) pods of some 6 KiB each; an object itself is at most 1.5 MB in etcd.</summary>
    internal const long MaxBytes = 32L << 20;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (request.RequestUri?.AbsolutePath.EndsWith("/log", StringComparison.Ordinal) == true) return response;
        if (response.Content.Headers.ContentLength > MaxBytes)
        {
            response.Dispose();
            throw TooLarge();
        }
        var limited = new StreamContent(new LimitedReadStream(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), MaxBytes, TooLarge));
        foreach (var (name, values) in response.Content.Headers) limited.Headers.TryAddWithoutValidation(name, values);
        response.Content = limited;
        return response;
    }

    GatewayException TooLarge() => new(ErrorCode.BadGateway,
        $"Kubernetes cluster '{cluster}' answered more than {MaxBytes >> 20} MiB; ask for a smaller page (limit) or narrow the list with a selector.");
}
