using Gateway.Channel.Rpc;
using Gateway.Contracts.Rest;
using Microsoft.Extensions.Primitives;

namespace Gateway.Channel.Families.Rest;

/// <summary>The "rest" family: one call forwards one HTTP request to a configured upstream.</summary>
public static class RestFamily
{
    public static BridgeFamily<IRestUpstream> Declaration { get; } = new("rest", "REST upstream",
    [
        // The query may carry callers' data: it stays out of the witness target.
        new("forward", nameof(IRestUpstream.SendAsync))
        {
            RequestBody = true,
            ResponseBody = ResponseBody.Sized,
            Target = a => a.Get<RestRequest>("request") is var r ? r.Method + " /" + r.Path : "",
        },
    ],
    codecs: [new RequestCodec(), new ResponseCodec()])
    {
        InstanceNamesIgnoreCase = true,
    };

    public sealed record HeaderField(string Name, string[] Values);

    /// <summary>The request without its body; only headers that may leave the gateway travel.</summary>
    /// <param name="TrailingSlash">Sent only when true, so a request without one encodes as before session 44.</param>
    public sealed record RequestFacts(string Method, string Path, string Query, List<HeaderField> Headers, long? ContentLength, RestCaller Caller,
        bool? TrailingSlash = null);

    public sealed record ResponseFacts(int Status, List<HeaderField> Headers, long? ContentLength);

    private sealed class RequestCodec : BodyCodec<RestRequest, RequestFacts>
    {
        public override (RequestFacts Meta, Stream? Body) Split(RestRequest r) =>
            (new RequestFacts(r.Method, r.Path, r.QueryString, RestHeaders.Forwardable(r.Headers).Select(h => new HeaderField(h.Key, h.Value.ToArray()!)).ToList(),
                r.ContentLength, r.Caller, r.TrailingSlash ? true : null), r.Body);

        public override RestRequest Join(RequestFacts m, Stream? body, IAsyncDisposable? owner) => new()
        {
            Method = m.Method,
            Path = m.Path,
            TrailingSlash = m.TrailingSlash == true,
            QueryString = m.Query,
            Headers = m.Headers.Select(h => new KeyValuePair<string, StringValues>(h.Name, h.Values)),
            Body = body,
            ContentLength = body is null ? null : m.ContentLength,
            Caller = m.Caller,
        };
    }

    private sealed class ResponseCodec : BodyCodec<RestResponse, ResponseFacts>
    {
        // Disposing the body releases the upstream's response too.
        public override (ResponseFacts Meta, Stream? Body) Split(RestResponse r) =>
            (new ResponseFacts(r.StatusCode, r.Headers.Select(h => new HeaderField(h.Key, h.Value.ToArray())).ToList(), r.ContentLength),
                new Contracts.IO.DelegatingReadOnlyStream(r.Body, r.DisposeAsync, leaveOpen: true));

        public override RestResponse Join(ResponseFacts m, Stream? body, IAsyncDisposable? owner)
        {
            // Without a Content-Length the caller gets the answer chunked, whose end waits for the witness: a streamed
            // answer's lines (server-sent events, NDJSON) pass as they come instead of each one with the next.
            if (m.ContentLength is null && body is IUnsizedBody unsized) unsized.PassBytesAsTheyCome();
            return new(m.Status, m.Headers.Select(h => new KeyValuePair<string, IEnumerable<string>>(h.Name, h.Values)).ToList(), body ?? Stream.Null, m.ContentLength, owner);
        }
    }
}
