using Gateway.Contracts.Containers;

namespace Gateway.Docker;

public sealed record DockerHostList(IReadOnlyList<string> Hosts);
public sealed record ContainerList(IReadOnlyList<ContainerSummary> Containers);
public sealed record ImageList(IReadOnlyList<ImageSummary> Images);

/// <param name="Changed">False when the container already was in the asked-for state.</param>
public sealed record ContainerActionResult(string Container, string Action, bool Changed);
