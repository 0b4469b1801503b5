using Gateway.Contracts.ObjectStorage;

namespace Gateway.Storage;

/// <summary>
/// <c>Gateway:Stores:{name}:Capabilities</c>: features an operator switches off for one store (an account without the
/// permission to create buckets, a target that must not keep user metadata...). A flag can only narrow what the
/// store's kind supports; <c>true</c> never adds a feature.
/// </summary>
public sealed class CapabilitySettings
{
    public const string Section = "Capabilities";

    public bool? CreateBuckets { get; set; }
    public bool? ListBuckets { get; set; }
    public bool? ServerSideCopy { get; set; }
    public bool? Ranges { get; set; }
    public bool? UserMetadata { get; set; }
    public bool? ConditionalRequests { get; set; }
    public bool? CreateOnly { get; set; }
    public bool? MultipartUploads { get; set; }

    /// <summary>The settings of a store section; throws InvalidOperationException naming an unknown flag or a bad value.</summary>
    public static CapabilitySettings Of(IConfigurationSection store) =>
        store.GetSection(Section).Get<CapabilitySettings>(o => o.ErrorOnUnknownConfiguration = true) ?? new();

    public StoreCapabilities Narrow(StoreCapabilities kind) => kind with
    {
        CreateBuckets = kind.CreateBuckets && CreateBuckets != false,
        ListBuckets = kind.ListBuckets && ListBuckets != false,
        ServerSideCopy = kind.ServerSideCopy && ServerSideCopy != false,
        Ranges = kind.Ranges && Ranges != false,
        UserMetadata = kind.UserMetadata && UserMetadata != false,
        ConditionalRequests = kind.ConditionalRequests && ConditionalRequests != false,
        CreateOnly = kind.CreateOnly && CreateOnly != false,
        MultipartUploads = kind.MultipartUploads && MultipartUploads != false,
        // A composing copy is a copy-object call: it goes where server-side copy goes.
        ComposeParts = kind.ComposeParts && ServerSideCopy != false,
    };

    public bool NarrowsAnything => new[] { CreateBuckets, ListBuckets, ServerSideCopy, Ranges, UserMetadata, ConditionalRequests, CreateOnly, MultipartUploads }.Contains(false);
}
