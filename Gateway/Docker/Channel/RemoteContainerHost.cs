using System.Runtime.CompilerServices;
using System.Text.Json;
using Gateway.Channel.ObjectStorage;
using Gateway.Channel.Rpc;
using Gateway.Contracts.Containers;
using Gateway.Contracts.Errors;
using static Gateway.Docker.Channel.ContainerCalls;

namespace Gateway.Docker.Channel;

/// <summary>
/// An <see cref="IContainerHost"/> whose every call goes over CTP-96 to a bridge host running the real Docker bridge.
/// Gateway errors come back with their codes; nothing is returned before its witness verified, and a log body whose
/// witness fails at its end throws rather than ends.
/// </summary>
public sealed class RemoteContainerHost(ChannelClient client, string name) : IContainerHost
{
    public string Name { get; } = name;

    public Task<ContainerEngineVersion> GetVersionAsync(CancellationToken ct) => Call<ContainerEngineVersion>(GetVersion, "", null, ct);
    public Task<ContainerEngineInfo> GetInfoAsync(CancellationToken ct) => Call<ContainerEngineInfo>(GetInfo, "", null, ct);

    public Task<IReadOnlyList<ContainerSummary>> ListContainersAsync(ContainerListQuery query, CancellationToken ct)
    {
        ContainerNames.Validate(query);
        return Call<IReadOnlyList<ContainerSummary>>(ListContainers, "", query, ct);
    }

    public Task<ContainerDetails> InspectContainerAsync(string idOrName, CancellationToken ct)
    {
        ContainerNames.ValidateIdOrName(idOrName);
        return Call<ContainerDetails>(Inspect, idOrName, new ContainerArgs(idOrName), ct);
    }

    public Task<ContainerCreated> CreateContainerAsync(ContainerCreateRequest request, CancellationToken ct)
    {
        ContainerNames.Validate(request);
        return Call<ContainerCreated>(Create, request.Name ?? request.Image, request, ct);
    }

    public async Task<bool> StartContainerAsync(string idOrName, CancellationToken ct)
    {
        ContainerNames.ValidateIdOrName(idOrName);
        return (await Call<Changed>(Start, idOrName, new ContainerArgs(idOrName), ct).ConfigureAwait(false)).Value;
    }

    public async Task<bool> StopContainerAsync(string idOrName, int? waitSeconds, CancellationToken ct)
    {
        ContainerNames.ValidateIdOrName(idOrName);
        return (await Call<Changed>(Stop, idOrName, new ContainerArgs(idOrName, waitSeconds), ct).ConfigureAwait(false)).Value;
    }

    public Task RestartContainerAsync(string idOrName, int? waitSeconds, CancellationToken ct)
    {
        ContainerNames.ValidateIdOrName(idOrName);
        return CallVoid(Restart, idOrName, new ContainerArgs(idOrName, waitSeconds), ct);
    }

    public Task RemoveContainerAsync(string idOrName, bool force, bool removeVolumes, CancellationToken ct)
    {
        ContainerNames.ValidateIdOrName(idOrName);
        return CallVoid(Remove, idOrName, new ContainerArgs(idOrName, null, force, removeVolumes), ct);
    }

    public async IAsyncEnumerable<ContainerLogLine> StreamLogsAsync(string idOrName, ContainerLogsQuery query,
        [EnumeratorCancellation] CancellationToken ct)
    {
        ContainerNames.ValidateIdOrName(idOrName);
        ContainerNames.Validate(query);
        await using var call = await client.CallAsync(Request(Logs, idOrName, new LogsArgs(idOrName, query)), null, ct).ConfigureAwait(false);
        using var reader = new StreamReader(call.Body);
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0) continue;
            LogLineWire wire;
            try
            {
                wire = JsonSerializer.Deserialize<LogLineWire>(line, CallJson.Options) ?? throw new JsonException("null line");
            }
            catch (JsonException)
            {
                throw new GatewayException(ErrorCode.Internal, $"Docker host '{Name}' sent a malformed log line over the channel.");
            }
            yield return new ContainerLogLine(wire.Stream == "stderr" ? ContainerLogStream.Stderr : ContainerLogStream.Stdout, wire.Text, wire.Ts);
        }
    }

    public Task<IReadOnlyList<ImageSummary>> ListImagesAsync(bool all, CancellationToken ct) =>
        Call<IReadOnlyList<ImageSummary>>(ListImages, "", new ListImagesArgs(all), ct);

    public async Task<ImageLoadResult> LoadImagesAsync(Stream tarArchive, CancellationToken ct)
    {
        await using var call = await client.CallAsync(Request(LoadImages, "", null), tarArchive, ct).ConfigureAwait(false);
        return CallJson.FromElement<ImageLoadResult>(call.Response.Result);
    }

    CallRequest Request(string operation, string target, object? args) => new()
    {
        Id = ChannelRequestContext.RequestId ?? Guid.NewGuid().ToString("N"),
        Family = Family,
        Instance = Name,
        Operation = operation,
        Target = target,
        Args = args is null ? null : CallJson.ToElement(args),
    };

    async Task<T> Call<T>(string operation, string target, object? args, CancellationToken ct)
    {
        await using var call = await client.CallAsync(Request(operation, target, args), null, ct).ConfigureAwait(false);
        return CallJson.FromElement<T>(call.Response.Result);
    }

    async Task CallVoid(string operation, string target, object? args, CancellationToken ct)
    {
        await using var call = await client.CallAsync(Request(operation, target, args), null, ct).ConfigureAwait(false);
    }

    /// <summary>One NDJSON log line, as <see cref="ContainerLogNdjson"/> writes it.</summary>
    sealed record LogLineWire(string Stream, string Text, string? Ts);
}
