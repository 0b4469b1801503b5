using System.Text.Json;
using Gateway.Channel.Rpc;
using Gateway.Contracts.Errors;
using Gateway.Contracts.Rest;
using Microsoft.Extensions.Primitives;
using static Gateway.Channel.Rest.RestCalls;

namespace Gateway.Channel.Rest;

/// <summary>Bridge-host side of the "rest" family: sends the forwarded request to the configured upstream it names.</summary>
public sealed class RestCallHandler(Func<string, IRestUpstream?> upstreams) : IChannelCallHandler
{
    public string Family => RestCalls.Family;

    public async Task<CallResult> HandleAsync(CallRequest request, Stream requestBody, CancellationToken ct)
    {
        var upstream = upstreams(request.Instance)
            ?? throw new GatewayException(ErrorCode.NotFound, $"This bridge host has no REST upstream named '{request.Instance}'.");
        if (request.Operation != Forward)
            throw new GatewayException(ErrorCode.NotSupported, $"Unknown rest operation '{request.Operation}'.");
        ForwardArgs args;
        try { args = CallJson.FromElement<ForwardArgs>(request.Args); }
        catch (JsonException) { throw new GatewayException(ErrorCode.BadRequest, "The arguments of 'forward' are malformed."); }

        var response = await upstream.SendAsync(new RestRequest
        {
            Method = args.Method,
            Path = args.Path,
            QueryString = args.Query,
            Headers = args.Headers.Select(h => new KeyValuePair<string, StringValues>(h.Name, h.Values)),
            Body = request.HasBody ? requestBody : null,
            ContentLength = request.HasBody ? args.ContentLength : null,
            Caller = args.Caller,
        }, ct).ConfigureAwait(false);
        var result = new ForwardResult(response.StatusCode,
            response.Headers.Select(h => new HeaderField(h.Key, h.Value.ToArray())).ToList(), response.ContentLength);
        return new CallResult(CallJson.ToElement(result), new OwnedBody(response));
    }

    /// <summary>The upstream's body; disposing it releases the upstream response too.</summary>
    sealed class OwnedBody(RestResponse response) : Stream
    {
        public override int Read(byte[] buffer, int offset, int count) => response.Body.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            response.Body.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            response.Body.ReadAsync(buffer, offset, count, cancellationToken);
        public override async ValueTask DisposeAsync()
        {
            await response.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }
        protected override void Dispose(bool disposing)
        {
            if (disposing) response.DisposeAsync().AsTask().GetAwaiter().GetResult();
            base.Dispose(disposing);
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
