using Gateway.Contracts.ObjectStorage;

namespace Gateway.Storage;

public sealed record StoreDescription(string Name, string Kind, StoreCapabilities Capabilities);
public sealed record StoreList(IReadOnlyList<StoreDescription> Stores);
public sealed record BucketList(IReadOnlyList<BucketInfo> Buckets);
public sealed record BucketDescription(string Store, string Name);

[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record ObjectLocation(string Bucket, string Key);

/// <summary>Body of POST /v1/stores/{store}/copy.</summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record CopyObjectBody
{
    public required ObjectLocation Source { get; init; }
    public required ObjectLocation Target { get; init; }
    /// <summary>The copy happens only if the source's ETag matches.</summary>
    public string? SourceIfMatch { get; init; }
    /// <summary>"*" makes the copy create-only at the target.</summary>
    public string? TargetIfNoneMatch { get; init; }
    public string? TargetIfMatch { get; init; }
    /// <summary>"copy" (default) keeps the source's content type and metadata; "replace" uses the ones given here.</summary>
    public string? MetadataDirective { get; init; }
    /// <summary>Only with "replace" (a copy keeps the source's): the target's content type.</summary>
    public string? ContentType { get; init; }
    /// <summary>Only with "replace" (a copy keeps the source's; an empty object may be sent either way): the target's metadata.</summary>
    public Dictionary<string, string>? Metadata { get; init; }
    /// <summary>Only with "replace" (an empty object may be sent either way): Cache-Control, Content-Disposition, Content-Encoding, Content-Language and Expires of the target (none when absent).</summary>
    public ContentHeaders? ContentHeaders { get; init; }
}
