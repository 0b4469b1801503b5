using System.Text.RegularExpressions;
using Gateway.Contracts.Errors;

namespace Gateway.Contracts.Clusters;

/// <summary>Kubernetes' own naming rules (DNS-1123), checked before any call so a bad name never reaches a cluster.</summary>
public static partial class KubernetesNames
{
    [GeneratedRegex(@"\A[a-z0-9]([-a-z0-9]*[a-z0-9])?\z")]
    private static partial Regex LabelPattern();

    [GeneratedRegex(@"\A[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\z")]
    private static partial Regex SubdomainPattern();

    // Label selector syntax: keys/values ([prefix/]name, [A-Za-z0-9._-]), operators = == != in notin ! and the API
    // server's > and < (an integer value), sets in parentheses.
    [GeneratedRegex(@"\A[A-Za-z0-9._/\-=!,()<> \t]*\z")]
    private static partial Regex SelectorCharacters();

    // Field selector syntax: field paths and values, operators = == !=, terms joined by ',', '\' escaping ',', '=' or '\' in a value.
    [GeneratedRegex(@"\A[A-Za-z0-9._/:\-=!,\\ ]*\z")]
    private static partial Regex FieldSelectorCharacters();

    [GeneratedRegex(@"\A[A-Za-z0-9._~=-]*\z")]
    private static partial Regex ContinueCharacters();

    /// <summary>A configured cluster's name as used in <c>/v1/kubernetes/{cluster}</c>.</summary>
    public static void ValidateCluster(string? cluster)
    {
        if (cluster is null || cluster.Length > 63 || !LabelPattern().IsMatch(cluster))
            throw new GatewayException(ErrorCode.BadRequest, "Cluster names are DNS-1123 labels: 1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit.");
    }

    /// <summary>Namespaces are DNS-1123 labels.</summary>
    public static void ValidateNamespace(string? ns)
    {
        if (ns is null || ns.Length > 63 || !LabelPattern().IsMatch(ns))
            throw new GatewayException(ErrorCode.BadRequest, "Namespaces are DNS-1123 labels: 1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit.");
    }

    /// <summary>Pod and deployment names are DNS-1123 subdomains.</summary>
    public static void ValidateName(string? name)
    {
        if (name is null || name.Length > 253 || !SubdomainPattern().IsMatch(name))
            throw new GatewayException(ErrorCode.BadRequest, "Resource names are DNS-1123 subdomains: at most 253 characters of a-z, 0-9, '-' and '.', each part starting and ending with a letter or digit.");
    }

    /// <summary>Container names inside a pod are DNS-1123 labels.</summary>
    public static void ValidateContainer(string? container)
    {
        if (container is null || container.Length > 63 || !LabelPattern().IsMatch(container))
            throw new GatewayException(ErrorCode.BadRequest, "Container names are DNS-1123 labels: 1-63 characters of a-z, 0-9 and '-'.");
    }

    public static void Validate(ClusterListQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.LabelSelector is { } s && (s.Length > 1024 || !SelectorCharacters().IsMatch(s)))
            throw new GatewayException(ErrorCode.BadRequest, "labelSelector may hold at most 1024 characters of label keys, values, '=', '==', '!=', '!', '>', '<', ',', 'in', 'notin' and parentheses.");
        if (query.FieldSelector is { } f && (f.Length > 1024 || !FieldSelectorCharacters().IsMatch(f)))
            throw new GatewayException(ErrorCode.BadRequest, "fieldSelector may hold at most 1024 characters of field paths, values, ':', '=', '==', '!=', ',' and '\\' escapes.");
        if (query.Limit is < 1 or > ClusterListQuery.MaxLimit)
            throw new GatewayException(ErrorCode.BadRequest, $"limit must be between 1 and {ClusterListQuery.MaxLimit}.");
        if (query.Continue is { } c && (c.Length > 4096 || !ContinueCharacters().IsMatch(c)))
            throw new GatewayException(ErrorCode.BadRequest, "continue is not a token returned by a previous page.");
    }

    public static void Validate(PodLogsQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Container is not null) ValidateContainer(query.Container);
        if (query.TailLines is < 0)
            throw new GatewayException(ErrorCode.BadRequest, "tailLines must not be negative.");
        if (query.SinceSeconds is < 1)
            throw new GatewayException(ErrorCode.BadRequest, "sinceSeconds must be at least 1.");
    }

    public static void ValidateGracePeriod(int? seconds)
    {
        if (seconds is < 0 or > 86400)
            throw new GatewayException(ErrorCode.BadRequest, "gracePeriodSeconds is between 0 (at once) and 86400.");
    }

    public static void ValidateReplicas(int replicas)
    {
        if (replicas is < 0 or > 10000)
            throw new GatewayException(ErrorCode.BadRequest, "replicas must be between 0 and 10000.");
    }
}
