using Gateway.Channel.ObjectStorage;
using Gateway.Channel.Rpc;
using Gateway.Contracts.Bridges;
using Gateway.Contracts.Rest;
using static Gateway.Channel.Rest.RestCalls;

namespace Gateway.Channel.Rest;

/// <summary>
/// An upstream reached through CTP-96: the request goes to the bridge host (in-process or remote), which runs it
/// in the upstream's own resilience pipeline. The answer is released only once its witness verified; a streamed
/// body throws instead of ending if the witness at its end fails. Status comes from the gateway's own view of the
/// upstream (<paramref name="local"/>).
/// </summary>
public sealed class RemoteRestUpstream(Func<ChannelClient> client, IRestUpstream local) : IRestUpstream
{
    public string Name => local.Name;
    public string Kind => local.Kind;
    public long? MaxRequestBodyBytes => local.MaxRequestBodyBytes;
    public BridgeStatus GetStatus() => local.GetStatus();

    public async Task<RestResponse> SendAsync(RestRequest request, CancellationToken cancellationToken)
    {
        var args = new ForwardArgs(request.Method, request.Path, request.QueryString,
            request.Headers.Select(h => new HeaderField(h.Key, h.Value.ToArray()!)).ToList(), request.ContentLength, request.Caller);
        var call = await client().CallAsync(new CallRequest
        {
            Id = ChannelRequestContext.NextCallId(),
            Family = RestCalls.Family,
            Instance = Name,
            Operation = Forward,
            Target = request.Method + " /" + request.Path, // the query may carry callers' data: not in the witness target
            Args = CallJson.ToElement(args),
        }, request.Body, cancellationToken).ConfigureAwait(false);
        try
        {
            var result = CallJson.FromElement<ForwardResult>(call.Response.Result);
            return new RestResponse(result.Status,
                result.Headers.Select(h => new KeyValuePair<string, IEnumerable<string>>(h.Name, h.Values)).ToList(),
                call.Body, result.ContentLength, call);
        }
        catch
        {
            await call.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
