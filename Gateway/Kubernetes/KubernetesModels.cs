namespace Gateway.Kubernetes;

public sealed record ClusterNameList(IReadOnlyList<string> Clusters);

/// <remarks>Required in the JSON too: a body without it (<c>{}</c>) bound to 0 and scaled the deployment to zero.</remarks>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record ScaleRequest([property: System.Text.Json.Serialization.JsonRequired] int Replicas);
