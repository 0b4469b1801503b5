using Gateway.Contracts.Containers;

namespace Gateway.Docker.Channel;

/// <summary>Operation names and JSON argument shapes of the "containers" bridge family on CTP-96.</summary>
public static class ContainerCalls
{
    public const string Family = "containers";

    public const string GetVersion = "version";
    public const string GetInfo = "info";
    public const string ListContainers = "list-containers";
    public const string Inspect = "inspect-container";
    public const string Create = "create-container";
    public const string Start = "start-container";
    public const string Stop = "stop-container";
    public const string Restart = "restart-container";
    public const string Remove = "remove-container";
    /// <summary>Answers with an NDJSON body, one <see cref="LogLineWire"/> per line.</summary>
    public const string Logs = "container-logs";
    public const string ListImages = "list-images";
    /// <summary>Takes the <c>docker save</c> archive as the request body.</summary>
    public const string LoadImages = "load-images";

    public sealed record ContainerArgs(string Container, int? WaitSeconds = null, bool Force = false, bool RemoveVolumes = false);
    public sealed record LogsArgs(string Container, ContainerLogsQuery Query);
    public sealed record ListImagesArgs(bool All);
    public sealed record Changed(bool Value);
}
