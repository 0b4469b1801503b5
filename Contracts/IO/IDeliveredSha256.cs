namespace Gateway.Contracts.IO;

/// <summary>
/// A body stream that knows the SHA-256 of every byte it delivered, hashed in this process: a channel response body
/// (its hash is the one checked against the witness), or a view that passes such a body's bytes on unchanged. A reader
/// that needs the SHA-256 of the same bytes takes it from here instead of hashing them a second time; a stream that
/// cannot vouch (its bytes are not exactly its source's) says <see cref="VouchesForSha256"/> false.
/// </summary>
public interface IDeliveredSha256
{
    /// <summary>Whether <see cref="DeliveredSha256"/> will be known once the body was read to its end.</summary>
    bool VouchesForSha256 { get; }

    /// <summary>
    /// The SHA-256 and length of everything delivered, once the body was read to its end and checked; null before, or
    /// when it failed.
    /// </summary>
    (byte[] Sha256, long Length)? DeliveredSha256 { get; }
}

/// <summary>How a pass-through view forwards its source's <see cref="IDeliveredSha256"/>.</summary>
public static class DeliveredSha256
{
    public static bool Vouches(Stream source) => source is IDeliveredSha256 { VouchesForSha256: true };

    public static (byte[] Sha256, long Length)? Of(Stream source) => source is IDeliveredSha256 { VouchesForSha256: true } d ? d.DeliveredSha256 : null;
}
