using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Bridges.Gcs;

/// <summary>
/// No multipart operations yet (<see cref="StoreCapabilities.MultipartUploads"/> is false): callers write whole objects,
/// which the bridge sends as a resumable upload inside put-object. See docs/cloud-storage.md.
/// </summary>
public sealed partial class GcsObjectStore
{
    public Task<StartedUpload> StartMultipartUploadAsync(string bucket, string key, MultipartUploadOptions options, CancellationToken ct) =>
        throw NoMultipart();

    public Task<UploadedPart> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream content, UploadPartOptions options,
        CancellationToken ct) => throw NoMultipart();

    public Task<IReadOnlyList<UploadedPart>> ListPartsAsync(string bucket, string key, string uploadId, CancellationToken ct) => throw NoMultipart();

    public Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, CompleteUploadRequest request,
        CancellationToken ct) => throw NoMultipart();

    public Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken ct) => throw NoMultipart();

    static GatewayException NoMultipart() => new(ErrorCode.NotSupported, "A GCS store has no multipart uploads; write the object whole.");
}
