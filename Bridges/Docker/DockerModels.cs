using System.Globalization;
using Docker.DotNet.Models;
using Gateway.Contracts.Containers;
using ContainerState = Gateway.Contracts.Containers.ContainerState;
using PortBinding = Gateway.Contracts.Containers.PortBinding;
using SdkContainerState = Docker.DotNet.Models.ContainerState;
using SdkPortBinding = Docker.DotNet.Models.PortBinding;

namespace Gateway.Bridges.Docker;

/// <summary>Docker.DotNet's models → the gateway's records (no SDK type leaves the bridge).</summary>
static class DockerModels
{
    static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>();

    public static ContainerEngineVersion ToContract(VersionResponse v) => new(
        v.Version ?? "", v.APIVersion ?? "", v.MinAPIVersion ?? "", v.Os ?? "", v.Arch ?? "", v.KernelVersion ?? "", v.GitCommit ?? "");

    public static ContainerEngineInfo ToContract(SystemInfoResponse i) => new(
        i.ID ?? "", i.Name ?? "", i.ServerVersion ?? "", i.Containers, i.ContainersRunning, i.ContainersPaused,
        i.ContainersStopped, i.Images, i.Driver ?? "", i.OperatingSystem ?? "", i.OSType ?? "", i.Architecture ?? "",
        i.NCPU, i.MemTotal);

    public static ContainerSummary ToContract(ContainerListResponse c) => new(
        c.ID, c.Names?.ToList() ?? [], c.Image ?? "", c.ImageID ?? "", c.Command ?? "", Utc(c.Created),
        c.State ?? "", c.Status ?? "", Labels(c.Labels),
        c.Ports?.Select(p => new ContainerPort(p.PrivatePort, p.PublicPort == 0 ? null : p.PublicPort, p.Type ?? "tcp",
            string.IsNullOrEmpty(p.IP) ? null : p.IP)).ToList() ?? []);

    public static ContainerDetails ToContract(ContainerInspectResponse c) => new(
        c.ID, (c.Name ?? "").TrimStart('/'), c.Config?.Image ?? "", c.Image ?? "", Utc(c.Created),
        ToContract(c.State), c.Config?.Cmd?.ToList() ?? [], c.Config?.Entrypoint?.ToList() ?? [],
        c.Config?.Env?.ToList() ?? [], Labels(c.Config?.Labels), c.Config?.Tty ?? false,
        PortBindings(c.HostConfig?.PortBindings), c.RestartCount);

    static ContainerState ToContract(SdkContainerState? s) => s is null
        ? new ContainerState("unknown", false, false, false, false, false, 0, 0, null, null, null)
        : new ContainerState(s.Status ?? "", s.Running, s.Paused, s.Restarting, s.OOMKilled, s.Dead, s.Pid, s.ExitCode,
            string.IsNullOrEmpty(s.Error) ? null : s.Error, EngineTime(s.StartedAt), EngineTime(s.FinishedAt));

    public static ImageSummary ToContract(ImagesListResponse i) => new(
        i.ID ?? "", i.RepoTags?.ToList() ?? [], i.RepoDigests?.ToList() ?? [], Utc(i.Created), i.Size, Labels(i.Labels));

    public static CreateContainerParameters ToParameters(ContainerCreateRequest r)
    {
        var parameters = new CreateContainerParameters
        {
            Image = r.Image,
            Name = r.Name,
            Cmd = r.Command?.ToList(),
            Entrypoint = r.Entrypoint?.ToList(),
            Env = r.Env?.Select(kv => $"{kv.Key}={kv.Value}").ToList(),
            Labels = r.Labels?.ToDictionary(kv => kv.Key, kv => kv.Value),
            WorkingDir = r.WorkingDir,
            Tty = r.Tty,
            HostConfig = new HostConfig(),
        };
        if (r.PortBindings is { Count: > 0 } bindings)
        {
            parameters.ExposedPorts = new Dictionary<string, EmptyStruct>();
            parameters.HostConfig.PortBindings = new Dictionary<string, IList<SdkPortBinding>>();
            foreach (var group in bindings.GroupBy(b => $"{b.ContainerPort}/{b.Protocol}"))
            {
                parameters.ExposedPorts[group.Key] = default;
                parameters.HostConfig.PortBindings[group.Key] = group.Select(b => new SdkPortBinding
                {
                    HostIP = b.HostIp ?? "",
                    HostPort = b.HostPort is > 0 ? b.HostPort.Value.ToString(CultureInfo.InvariantCulture) : "",
                }).ToList();
            }
        }
        return parameters;
    }

    static IReadOnlyList<PortBinding> PortBindings(IDictionary<string, IList<SdkPortBinding>>? bindings)
    {
        if (bindings is null) return [];
        var result = new List<PortBinding>();
        foreach (var (key, hostBindings) in bindings)
        {
            var slash = key.IndexOf('/');
            var port = int.Parse(slash < 0 ? key : key[..slash], CultureInfo.InvariantCulture);
            var protocol = slash < 0 ? "tcp" : key[(slash + 1)..];
            foreach (var b in hostBindings ?? [])
            {
                int? hostPort = int.TryParse(b.HostPort, NumberStyles.None, CultureInfo.InvariantCulture, out var hp) && hp > 0 ? hp : null;
                result.Add(new PortBinding(port, protocol, hostPort, string.IsNullOrEmpty(b.HostIP) ? null : b.HostIP));
            }
        }
        return result;
    }

    static IReadOnlyDictionary<string, string> Labels(IDictionary<string, string>? labels) =>
        labels is null ? NoLabels : new Dictionary<string, string>(labels);

    static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t.ToUniversalTime(), DateTimeKind.Utc));

    /// <summary>The engine writes "0001-01-01T00:00:00Z" for never.</summary>
    static DateTimeOffset? EngineTime(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) && t.Year > 1
            ? t.ToUniversalTime() : null;
}
