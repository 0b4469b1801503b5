using Gateway.Channel;
using System.IO.Pipelines;
using System.Text.Json;
using Gateway.Channel.Rpc;
using Gateway.Contracts.Containers;
using Gateway.Contracts.Errors;
using static Gateway.Docker.Channel.ContainerCalls;

namespace Gateway.Docker.Channel;

/// <summary>
/// Bridge-host side of the "containers" family: runs each call on the Docker host it names, checking every name
/// again (the host trusts no caller's validation). A log goes back as an NDJSON body, streamed as the engine sends it.
/// </summary>
public sealed class ContainerHostCallHandler(Func<string, IContainerHost?> hosts) : IChannelCallHandler
{
    public string Family => ContainerCalls.Family;

    public async Task<CallResult> HandleAsync(CallRequest request, Stream requestBody, CancellationToken ct)
    {
        var host = hosts(request.Instance) ?? throw new GatewayException(ErrorCode.NotFound, $"This bridge host has no Docker host named '{request.Instance}'.");
        try
        {
            return await RunAsync(host, request, requestBody, ct).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            throw new GatewayException(ErrorCode.BadRequest, $"The arguments of '{request.Operation}' are malformed.");
        }
    }

    static async Task<CallResult> RunAsync(IContainerHost host, CallRequest request, Stream body, CancellationToken ct)
    {
        switch (request.Operation)
        {
            case GetVersion:
                return Ok(await host.GetVersionAsync(ct).ConfigureAwait(false));
            case GetInfo:
                return Ok(await host.GetInfoAsync(ct).ConfigureAwait(false));
            case ListContainers:
            {
                var query = Args<ContainerListQuery>(request);
                ContainerNames.Validate(query);
                return Ok(await host.ListContainersAsync(query, ct).ConfigureAwait(false));
            }
            case Inspect:
                return Ok(await host.InspectContainerAsync(Container(request).Container, ct).ConfigureAwait(false));
            case Create:
            {
                var create = Args<ContainerCreateRequest>(request);
                ContainerNames.Validate(create);
                return Ok(await host.CreateContainerAsync(create, ct).ConfigureAwait(false));
            }
            case Start:
                return Ok(new Changed(await host.StartContainerAsync(Container(request).Container, ct).ConfigureAwait(false)));
            case Stop:
            {
                var a = Container(request);
                return Ok(new Changed(await host.StopContainerAsync(a.Container, a.WaitSeconds, ct).ConfigureAwait(false)));
            }
            case Restart:
            {
                var a = Container(request);
                await host.RestartContainerAsync(a.Container, a.WaitSeconds, ct).ConfigureAwait(false);
                return new CallResult(null);
            }
            case Remove:
            {
                var a = Container(request);
                await host.RemoveContainerAsync(a.Container, a.Force, a.RemoveVolumes, ct).ConfigureAwait(false);
                return new CallResult(null);
            }
            case Logs:
                return await LogsAsync(host, Args<LogsArgs>(request), ct).ConfigureAwait(false);
            case ListImages:
                return Ok(await host.ListImagesAsync(Args<ListImagesArgs>(request).All, ct).ConfigureAwait(false));
            case LoadImages:
                // Docker.DotNet disposes the body it sent; the channel still has to drain and hash it afterwards.
                return Ok(await host.LoadImagesAsync(new KeepOpenStream(body), ct).ConfigureAwait(false));
            default:
                throw new GatewayException(ErrorCode.NotSupported, $"The containers family has no operation '{request.Operation}'.");
        }
    }

    /// <summary>
    /// Reads the first line here, so a missing container is an error answer rather than an empty body; the rest is
    /// written into a pipe the host streams from, until the log ends or the reader goes away.
    /// </summary>
    static async Task<CallResult> LogsAsync(IContainerHost host, LogsArgs args, CancellationToken ct)
    {
        ContainerNames.ValidateIdOrName(args.Container);
        ContainerNames.Validate(args.Query);
        var stop = new CancellationTokenSource();
        var lines = host.StreamLogsAsync(args.Container, args.Query, stop.Token).GetAsyncEnumerator(stop.Token);
        bool hasLine;
        try
        {
            hasLine = await lines.MoveNextAsync().ConfigureAwait(false);
        }
        catch
        {
            await lines.DisposeAsync().ConfigureAwait(false);
            stop.Dispose();
            throw;
        }
        var pipe = new Pipe();
        _ = Task.Run(async () =>
        {
            Exception? failure = null;
            try
            {
                await ContainerLogNdjson.WriteLinesAsync(pipe.Writer, lines, hasLine, stop.Token, padFlushes: true).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                await lines.DisposeAsync().ConfigureAwait(false);
                // A failure mid-log fails the body, so the caller cannot take a cut log for a whole one.
                await pipe.Writer.CompleteAsync(failure).ConfigureAwait(false);
                stop.Dispose();
            }
        }, CancellationToken.None);
        return new CallResult(null, new CancelOnDisposeStream(pipe.Reader.AsStream(), stop));
    }

    static CallResult Ok<T>(T value) => new(CallJson.ToElement(value));
    static T Args<T>(CallRequest request) => CallJson.FromElement<T>(request.Args);

    static ContainerArgs Container(CallRequest request)
    {
        var a = Args<ContainerArgs>(request);
        ContainerNames.ValidateIdOrName(a.Container);
        return a;
    }

    /// <summary>Reads through to the channel's request body but leaves closing it to the channel.</summary>
    sealed class KeepOpenStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
