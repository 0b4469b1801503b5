using Gateway.Channel.Families;
using Gateway.Security;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Contracts.Containers;
using Gateway.Contracts.Errors;
using Gateway.Routing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Gateway.Docker;

/// <summary>
/// <c>/v1/docker/{host}/...</c>: the Docker Engine API of each configured host, with names checked before any call.
/// Container logs and exec output stream as NDJSON, see <see cref="ContainerNdjson"/>.
/// </summary>
public static partial class DockerEndpoints
{
    public static IEndpointRouteBuilder MapDockerEndpoints(this IEndpointRouteBuilder app)
    {
        var docker = app.MapGroup("/v1/docker").WithTags("Docker");
        docker.MapGet("/", (BridgeRegistry<IContainerHost> registry) => TypedResults.Ok(new DockerHostList(registry.Names.Order(StringComparer.Ordinal).ToList())))
            .WithName("ListDockerHosts").RequireGatewayAccess(Operation.Read, "docker").WithSummary("Lists the configured Docker hosts.");

        var host = docker.MapGroup("/{host}").NamesBridge<RouteGroupBuilder, IContainerHost>("host")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ResolvesContainerIds();
        host.MapGet("/version", Version).WithName("GetDockerVersion").RequireGatewayAccess(Operation.Read, "docker/{host}");
        host.MapGet("/info", Info).WithName("GetDockerInfo").RequireGatewayAccess(Operation.Read, "docker/{host}");
        host.MapGet("/containers", ListContainers).WithName("ListContainers").RequireGatewayAccess(Operation.Read, "docker/{host}/containers")
            .WithSummary("Lists containers; filters is Docker's JSON filter map, e.g. {\"label\":[\"app=web\"],\"status\":[\"running\"]}.");
        host.MapPost("/containers", CreateContainer).WithName("CreateContainer").RequireGatewayAccess(Operation.Write, "docker/{host}/containers").ProducesProblem(StatusCodes.Status409Conflict);
        host.MapGet("/containers/{container}", InspectContainer).WithName("InspectContainer").RequireGatewayAccess(Operation.Read, "docker/{host}/containers/{container}");
        host.MapPost("/containers/{container}/start", StartContainer).WithName("StartContainer").RequireGatewayAccess(Operation.Write, "docker/{host}/containers/{container}");
        host.MapPost("/containers/{container}/stop", StopContainer).WithName("StopContainer").RequireGatewayAccess(Operation.Write, "docker/{host}/containers/{container}");
        host.MapPost("/containers/{container}/restart", RestartContainer).WithName("RestartContainer").RequireGatewayAccess(Operation.Write, "docker/{host}/containers/{container}");
        host.MapPost("/containers/{container}/wait", WaitContainer).WithName("WaitContainer").RequireGatewayAccess(Operation.Read, "docker/{host}/containers/{container}").WithoutRequestTimeout()
            .WithSummary("Waits until the container stops (docker wait) and answers its exit code; at once when it already has.");
        host.MapDelete("/containers/{container}", RemoveContainer).WithName("RemoveContainer").RequireGatewayAccess(Operation.Delete, "docker/{host}/containers/{container}").ProducesProblem(StatusCodes.Status409Conflict);
        host.MapGet("/containers/{container}/logs", Logs).WithName("GetContainerLogs").RequireGatewayAccess(Operation.Read, "docker/{host}/containers/{container}").WithoutRequestTimeout()
            .WithSummary("Streams the log as NDJSON lines {\"stream\":\"stdout\"|\"stderr\",\"text\":\"...\",\"ts\":\"...\"}; follow=true keeps streaming until the container stops.")
            .Produces(StatusCodes.Status200OK, contentType: "application/x-ndjson");
        host.MapPost("/containers/{container}/exec", Exec).WithName("ExecInContainer").RequireGatewayAccess(Operation.Write, "docker/{host}/containers/{container}/exec").WithoutRequestTimeout()
            .WithSummary("Runs a command in the running container (docker exec) and streams its output as NDJSON lines {\"stream\":\"stdout\"|\"stderr\",\"text\":\"...\"}, then {\"exitCode\":N}.")
            .Accepts<ContainerExecRequest>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "application/x-ndjson").ProducesProblem(StatusCodes.Status409Conflict);
        host.MapGet("/containers/{container}/archive", GetArchive).WithName("GetContainerArchive").RequireGatewayAccess(Operation.Read, "docker/{host}/containers/{container}/files").WithoutRequestTimeout()
            .WithSummary("A file or folder of the container as a tar archive (docker cp container:path -), streamed; path is absolute.")
            .Produces(StatusCodes.Status200OK, contentType: "application/x-tar");
        host.MapPut("/containers/{container}/archive", PutArchive).WithName("PutContainerArchive").RequireGatewayAccess(Operation.Write, "docker/{host}/containers/{container}/files").WithoutRequestTimeout()
            .WithSummary("Extracts a tar archive sent as the body (application/x-tar, streamed) into the container's folder path (docker cp - container:path).")
            .Accepts<Stream>("application/x-tar", "application/octet-stream").Produces(StatusCodes.Status204NoContent);
        host.MapGet("/images", ListImages).WithName("ListImages").RequireGatewayAccess(Operation.Read, "docker/{host}/images");
        host.MapPost("/images/load", LoadImages).WithName("LoadImages").RequireGatewayAccess(Operation.Write, "docker/{host}/images").WithoutRequestTimeout()
            .WithSummary("Loads images from a `docker save` tar archive sent as the request body (application/x-tar), streamed.")
            .Accepts<Stream>("application/x-tar", "application/octet-stream");
        host.MapPost("/images/pull", PullImage).WithName("PullImage").RequireGatewayAccess(Operation.Write, "docker/{host}/images").WithoutRequestTimeout()
            .WithSummary("Pulls an image from its registry (docker pull), with the credentials configured for that registry on this host; no tag means latest.")
            .ProducesProblem(StatusCodes.Status502BadGateway);
        return app;
    }

    static async Task<Ok<ContainerEngineVersion>> Version(string host, BridgeRegistry<IContainerHost> registry, CancellationToken ct) =>
        TypedResults.Ok(await registry.Get(host).GetVersionAsync(ct));

    static async Task<Ok<ContainerEngineInfo>> Info(string host, BridgeRegistry<IContainerHost> registry, CancellationToken ct) =>
        TypedResults.Ok(await registry.Get(host).GetInfoAsync(ct));

    static async Task<Ok<ContainerList>> ListContainers(string host, BridgeRegistry<IContainerHost> registry, CancellationToken ct,
        bool? all = null, int? limit = null, string? filters = null)
    {
        var query = new ContainerListQuery(all ?? false, limit, ParseFilters(filters));
        ContainerNames.Validate(query);
        return TypedResults.Ok(new ContainerList(await registry.Get(host).ListContainersAsync(query, ct)));
    }

    static async Task<Created<ContainerCreated>> CreateContainer(string host, ContainerCreateRequest request, BridgeRegistry<IContainerHost> registry, CancellationToken ct)
    {
        if (request is null) throw new GatewayException(ErrorCode.BadRequest, "A JSON body with at least an image is required.");
        ContainerNames.Validate(request);
        var created = await registry.Get(host).CreateContainerAsync(request, ct);
        return TypedResults.Created($"/v1/docker/{host}/containers/{created.Id}", created);
    }

    static async Task<Ok<ContainerDetails>> InspectContainer(string host, string container, BridgeRegistry<IContainerHost> registry, CancellationToken ct)
    {
        ContainerNames.ValidateIdOrName(container);
        return TypedResults.Ok(await registry.Get(host).InspectContainerAsync(container, ct));
    }

    static async Task<Ok<ContainerActionResult>> StartContainer(string host, string container, BridgeRegistry<IContainerHost> registry, CancellationToken ct)
    {
        ContainerNames.ValidateIdOrName(container);
        return TypedResults.Ok(new ContainerActionResult(container, "start", await registry.Get(host).StartContainerAsync(container, ct)));
    }

    /// <param name="t">Seconds to wait for the container to stop before it is killed.</param>
    static async Task<Ok<ContainerActionResult>> StopContainer(string host, string container, BridgeRegistry<IContainerHost> registry, CancellationToken ct, int? t = null)
    {
        ContainerNames.ValidateIdOrName(container);
        ValidateWait(t);
        return TypedResults.Ok(new ContainerActionResult(container, "stop", await registry.Get(host).StopContainerAsync(container, t, ct)));
    }

    static async Task<Ok<ContainerActionResult>> RestartContainer(string host, string container, BridgeRegistry<IContainerHost> registry, CancellationToken ct, int? t = null)
    {
        ContainerNames.ValidateIdOrName(container);
        ValidateWait(t);
        await registry.Get(host).RestartContainerAsync(container, t, ct);
        return TypedResults.Ok(new ContainerActionResult(container, "restart", true));
    }

    static async Task<Ok<ContainerExit>> WaitContainer(string host, string container, BridgeRegistry<IContainerHost> registry, CancellationToken ct)
    {
        ContainerNames.ValidateIdOrName(container);
        return TypedResults.Ok(await registry.Get(host).WaitContainerAsync(container, ct));
    }

    static async Task<NoContent> RemoveContainer(string host, string container, BridgeRegistry<IContainerHost> registry, CancellationToken ct,
        bool? force = null, bool? volumes = null)
    {
        ContainerNames.ValidateIdOrName(container);
        await registry.Get(host).RemoveContainerAsync(container, force ?? false, volumes ?? false, ct);
        return TypedResults.NoContent();
    }

    /// <param name="tail">Only the last N lines ("all" or absent: the whole log).</param>
    /// <param name="since">RFC 3339 time or Unix seconds, either with up to nine fraction digits.</param>
    /// <param name="until">RFC 3339 time or Unix seconds, either with up to nine fraction digits.</param>
    static async Task Logs(HttpContext context, string host, string container, BridgeRegistry<IContainerHost> registry, CancellationToken ct,
        bool? follow = null, bool? stdout = null, bool? stderr = null, bool? timestamps = null,
        string? tail = null, string? since = null, string? until = null)
    {
        ContainerNames.ValidateIdOrName(container);
        var query = new ContainerLogsQuery(follow ?? false, stdout ?? true, stderr ?? true, timestamps ?? false,
            ParseTail(tail), ParseTime(since, nameof(since)), ParseTime(until, nameof(until)));
        ContainerNames.Validate(query);
        var target = registry.Get(host);
        await ContainerNdjson.WriteAsync(context, target.StreamLogsAsync(container, query, ct), ct);
    }

    static async Task Exec(HttpContext context, string host, string container, ContainerExecRequest request, BridgeRegistry<IContainerHost> registry, CancellationToken ct)
    {
        ContainerNames.ValidateIdOrName(container);
        if (request is null) throw new GatewayException(ErrorCode.BadRequest, "A JSON body with at least a command is required.");
        ContainerNames.Validate(request);
        var target = registry.Get(host);
        await ContainerNdjson.WriteAsync(context, target.ExecAsync(container, request, ct), ct);
    }

    /// <param name="path">Absolute path of a file or folder in the container.</param>
    static async Task GetArchive(HttpContext context, string host, string container, BridgeRegistry<IContainerHost> registry, CancellationToken ct, string? path = null)
    {
        ContainerNames.ValidateIdOrName(container);
        ContainerNames.ValidateContainerPath(path);
        await using var tar = await registry.Get(host).GetArchiveAsync(container, path!, ct);
        context.Response.ContentType = "application/x-tar";
        context.Response.Headers.CacheControl = "no-store";
        await tar.CopyToAsync(context.Response.Body, ct);
    }

    /// <param name="path">Absolute path of an existing folder in the container.</param>
    static async Task<NoContent> PutArchive(HttpContext context, string host, string container, BridgeRegistry<IContainerHost> registry, CancellationToken ct, string? path = null)
    {
        ContainerNames.ValidateIdOrName(container);
        ContainerNames.ValidateContainerPath(path);
        var target = registry.Get(host);
        AcceptArchiveBody(context);
        await target.PutArchiveAsync(container, path!, context.Request.Body, ct);
        return TypedResults.NoContent();
    }

    /// <summary>Archives are routinely larger than Kestrel's 30 MB default and are streamed on, so the limit is lifted; tar only.</summary>
    static void AcceptArchiveBody(HttpContext context)
    {
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = null;
        var type = context.Request.ContentType;
        if (type is not null && !type.StartsWith("application/x-tar", StringComparison.OrdinalIgnoreCase)
            && !type.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase))
            throw new GatewayException(ErrorCode.UnsupportedMediaType, "Send the archive as application/x-tar.");
    }

    static async Task<Ok<ImageList>> ListImages(string host, BridgeRegistry<IContainerHost> registry, CancellationToken ct, bool? all = null) =>
        TypedResults.Ok(new ImageList(await registry.Get(host).ListImagesAsync(all ?? false, ct)));

    static async Task<Ok<ImagePullResult>> PullImage(string host, ImagePullRequest request, BridgeRegistry<IContainerHost> registry, CancellationToken ct)
    {
        if (request is null) throw new GatewayException(ErrorCode.BadRequest, "A JSON body naming the image is required: {\"image\":\"registry.example:5000/team/app:1.2\"}.");
        ContainerNames.Validate(request);
        return TypedResults.Ok(await registry.Get(host).PullImageAsync(request, ct));
    }

    static async Task<Ok<ImageLoadResult>> LoadImages(HttpContext context, string host, BridgeRegistry<IContainerHost> registry, CancellationToken ct)
    {
        var target = registry.Get(host);
        AcceptArchiveBody(context);
        return TypedResults.Ok(await target.LoadImagesAsync(context.Request.Body, ct));
    }

    /// <summary>
    /// Docker's filter map, read member by member: a deserializer keeps one of two same-named members and reads null as
    /// no values, so a filter given twice or null would be passed on as something the caller did not say.
    /// </summary>
    static IReadOnlyDictionary<string, IReadOnlyList<string>>? ParseFilters(string? filters)
    {
        if (string.IsNullOrWhiteSpace(filters)) return null;
        JsonDocument document;
        try { document = JsonDocument.Parse(filters); }
        catch (JsonException) { throw FiltersShape(); }
        using (document)
        {
            // An escaped lone surrogate (\udc00) parses, but reading it as a string throws InvalidOperationException.
            try
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object) throw FiltersShape();
                var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
                foreach (var filter in document.RootElement.EnumerateObject())
                {
                    var name = filter.Name;
                    if (result.ContainsKey(name))
                        throw new GatewayException(ErrorCode.BadRequest, $"Filter '{name}' is given twice; give it once, with all its values in one array.");
                    if (filter.Value.ValueKind == JsonValueKind.Null)
                        throw new GatewayException(ErrorCode.BadRequest, $"Filter '{name}' is null; give an array of strings, or leave the filter out.");
                    if (filter.Value.ValueKind != JsonValueKind.Array) throw FiltersShape();
                    var values = new List<string>();
                    foreach (var value in filter.Value.EnumerateArray())
                    {
                        if (value.ValueKind == JsonValueKind.Null)
                            throw new GatewayException(ErrorCode.BadRequest, $"Filter '{name}' holds a null value; its values are strings.");
                        if (value.ValueKind != JsonValueKind.String) throw FiltersShape();
                        values.Add(value.GetString()!);
                    }
                    result[name] = values;
                }
                return result;
            }
            catch (InvalidOperationException)
            {
                throw new GatewayException(ErrorCode.BadRequest, "filters holds an escaped lone surrogate (\\uD800-\\uDFFF without its pair), which is no text.");
            }
        }
    }

    static GatewayException FiltersShape() =>
        new(ErrorCode.BadRequest, "filters must be a JSON object of string arrays, e.g. {\"label\":[\"app=web\"]}.");

    static int? ParseTail(string? tail) => tail switch
    {
        null or "" or "all" => null,
        _ when int.TryParse(tail, NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
        _ => throw new GatewayException(ErrorCode.BadRequest, "tail is a number of lines or 'all'."),
    };

    static DateTimeOffset? ParseTime(string? value, string name)
    {
        if (string.IsNullOrEmpty(value)) return null;
        // Unix seconds with up to nine fraction digits, as the engine reads them (and the docker CLI sends them).
        if (UnixSeconds().Match(value) is { Success: true } unix
            && long.TryParse(unix.Groups["seconds"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds < 253402300800)
        {
            var nanoseconds = unix.Groups["fraction"].Success ? int.Parse(unix.Groups["fraction"].Value.PadRight(9, '0'), CultureInfo.InvariantCulture) : 0;
            return DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanoseconds / 100);
        }
        // RFC 3339 only: .NET's own parsing also took "1/2/3" (which day?), "Jan 1 2026" and a time without its offset.
        if (Rfc3339().Match(value) is { Success: true } m
            && DateTimeOffset.TryParse(m.Groups["fraction"].Length > 8 ? value.Remove(m.Groups["fraction"].Index + 8, m.Groups["fraction"].Length - 8) : value,
                CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
            return t;
        throw new GatewayException(ErrorCode.BadRequest,
            $"{name} is an RFC 3339 time (2026-11-22T17:47:50.5Z) or Unix seconds (1700000000 or 1700000000.5); a duration such as 10m is the docker CLI's own shorthand, send the time it stands for.");
    }

    [GeneratedRegex(@"\A(?<seconds>[0-9]{1,12})(\.(?<fraction>[0-9]{1,9}))?\z", RegexOptions.CultureInvariant)]
    private static partial Regex UnixSeconds();

    [GeneratedRegex(@"\A[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?<fraction>\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})\z", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();

    static void ValidateWait(int? t)
    {
        if (t is < 0 or > 3600) throw new GatewayException(ErrorCode.BadRequest, "t (seconds to wait before killing) is between 0 and 3600.");
    }
}
