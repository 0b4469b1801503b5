namespace Gateway.Kubernetes;

public sealed record ClusterNameList(IReadOnlyList<string> Clusters);

public sealed record ScaleRequest(int Replicas);
