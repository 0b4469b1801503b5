using Gateway.Channel.ObjectStorage;
using Gateway.Channel.Rpc;
using Gateway.Contracts.Bridges;
using Gateway.Contracts.Rest;
using Microsoft.Extensions.Primitives;
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

    /// <summary>The caller's hop-specific headers (and those its Connection header names) stay at the gateway.</summary>
    static List<HeaderField> Forwardable(IEnumerable<KeyValuePair<string, StringValues>> headers)
    {
        HashSet<string>? listed = null;
        foreach (var (name, values) in headers)
            if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                foreach (var value in values)
                    foreach (var token in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                        (listed ??= new(StringComparer.OrdinalIgnoreCase)).Add(token);
        var result = new List<HeaderField>();
        foreach (var (name, values) in headers)
            if (!RestHeaders.CallerOnly.Contains(name) && listed?.Contains(name) != true)
                result.Add(new HeaderField(name, values.ToArray()!));
        return result;
    }

    public async Task<RestResponse> SendAsync(RestRequest request, CancellationToken cancellationToken)
    {
        var args = new ForwardArgs(request.Method, request.Path, request.QueryString, Forwardable(request.Headers),
            request.ContentLength, request.Caller);
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
