namespace Gateway.Contracts.Rest;

/// <summary>An upstream's answer, its body still streaming. The receiver disposes it.</summary>
public sealed class RestResponse(
    int statusCode,
    IReadOnlyList<KeyValuePair<string, IEnumerable<string>>> headers,
    Stream body,
    long? contentLength,
    IAsyncDisposable? owner = null) : IAsyncDisposable
{
    public int StatusCode { get; } = statusCode;

    /// <summary>Response and content headers after the upstream's header rules; hop-by-hop headers removed.</summary>
    public IReadOnlyList<KeyValuePair<string, IEnumerable<string>>> Headers { get; } = headers;

    /// <summary>The body, bounded by the upstream's response size limit.</summary>
    public Stream Body { get; } = body;

    public long? ContentLength { get; } = contentLength;

    public async ValueTask DisposeAsync()
    {
        await Body.DisposeAsync().ConfigureAwait(false);
        if (owner is not null) await owner.DisposeAsync().ConfigureAwait(false);
    }
}
