using Gateway.Contracts.Containers;

namespace Gateway.Channel.Families.Containers;

/// <summary>The "containers" family: every <see cref="IContainerHost"/> (Docker Engine) operation, declared once.</summary>
public static class ContainersFamily
{
    public static BridgeFamily<IContainerHost> Declaration { get; } = new("containers", "Docker host",
    [
        new("version", nameof(IContainerHost.GetVersionAsync)) { Idempotent = true },
        new("info", nameof(IContainerHost.GetInfoAsync)) { Idempotent = true },
        new("list-containers", nameof(IContainerHost.ListContainersAsync)) { Idempotent = true },
        new("inspect-container", nameof(IContainerHost.InspectContainerAsync)) { Idempotent = true, Target = a => a.Join("idOrName") },
        new("create-container", nameof(IContainerHost.CreateContainerAsync))
        {
            Target = a => a.Get<ContainerCreateRequest>("request") is var r ? r.Name ?? r.Image : "",
        },
        new("start-container", nameof(IContainerHost.StartContainerAsync)) { Idempotent = true, Target = a => a.Join("idOrName") },
        new("stop-container", nameof(IContainerHost.StopContainerAsync)) { Idempotent = true, Target = a => a.Join("idOrName") },
        new("restart-container", nameof(IContainerHost.RestartContainerAsync)) { Target = a => a.Join("idOrName") },
        new("wait-container", nameof(IContainerHost.WaitContainerAsync)) { Idempotent = true, Target = a => a.Join("idOrName") },
        new("remove-container", nameof(IContainerHost.RemoveContainerAsync)) { Idempotent = true, Target = a => a.Join("idOrName") },
        new("container-logs", nameof(IContainerHost.StreamLogsAsync)) { Idempotent = true, ResponseBody = Rpc.ResponseBody.Live, Target = a => a.Join("idOrName") },
        new("exec-container", nameof(IContainerHost.ExecAsync)) { ResponseBody = Rpc.ResponseBody.Live, Target = a => a.Join("idOrName") },
        new("get-archive", nameof(IContainerHost.GetArchiveAsync)) { Idempotent = true, ResponseBody = Rpc.ResponseBody.Sized, Target = a => $"{a["idOrName"]}:{a["path"]}" },
        new("put-archive", nameof(IContainerHost.PutArchiveAsync)) { RequestBody = true, Target = a => $"{a["idOrName"]}:{a["path"]}" },
        new("list-images", nameof(IContainerHost.ListImagesAsync)) { Idempotent = true },
        new("load-images", nameof(IContainerHost.LoadImagesAsync)) { RequestBody = true },
        new("pull-image", nameof(IContainerHost.PullImageAsync)) { Idempotent = true, Target = a => a.Get<ImagePullRequest>("request")?.Image ?? "" },
    ],
    checks:
    [
        ArgumentCheck.Named("idOrName", ContainerNames.ValidateIdOrName),
        ArgumentCheck.Named("path", ContainerNames.ValidateContainerPath),
        ArgumentCheck.Of<ContainerListQuery>(ContainerNames.Validate),
        ArgumentCheck.Of<ContainerCreateRequest>(ContainerNames.Validate),
        ArgumentCheck.Of<ContainerLogsQuery>(ContainerNames.Validate),
        ArgumentCheck.Of<ContainerExecRequest>(ContainerNames.Validate),
        ArgumentCheck.Of<ImagePullRequest>(ContainerNames.Validate),
    ])
    {
        ValidateInstanceName = ContainerNames.ValidateHost,
    };
}
