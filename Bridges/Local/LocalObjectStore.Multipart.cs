using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Gateway.Contracts.Errors;
using Gateway.Contracts.IO;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Bridges.Local;

/// <summary>
/// Multipart uploads on disk, crash-safe as every write of the store. An upload is a folder root/.uploads/{id} (never a
/// bucket: it has no marker) holding <c>upload.json</c> (bucket, key, content type, metadata) and one object file per
/// part, named by its number, in the same format as objects (bytes, then a trailer with size and MD5). Each file is
/// written under root/.tmp and renamed into place, so a crash leaves a part whole or absent (the start clears .tmp),
/// and the parts survive restarts: listing them is reading their trailers. Completing writes the concatenated part
/// files as one object by the put path (tmp, intent, rename), so the object appears whole or not at all, then removes
/// the folder; a crash between the two leaves the folder, which a new completion or an abort clears. The concatenation
/// is a kernel-side copy and is not hashed again: the object's ETag is S3's md5-of-md5s-N of its parts and it has no
/// MD5, unless the completion states one (then the bytes are read, hashed and checked, and the MD5 is the ETag).
/// </summary>
public sealed partial class LocalObjectStore
{
    private const string UploadsFolder = ".uploads";
    private const string UploadManifest = "upload.json";

    [GeneratedRegex(@"\A[0-9a-f]{32}\z")]
    private static partial Regex UploadIdPattern();

    internal sealed record UploadManifestJson(string Bucket, string Key, string ContentType, Dictionary<string, string> Metadata,
        ContentHeaders? ContentHeaders = null);

    [JsonSerializable(typeof(UploadManifestJson))]
    internal sealed partial class UploadJson : JsonSerializerContext;

    public Task<StartedUpload> StartMultipartUploadAsync(string bucket, string key, MultipartUploadOptions options, CancellationToken ct)
    {
        ExistingBucketDir(bucket);
        ObjectNames.ValidateKey(key);
        var id = Guid.NewGuid().ToString("N");
        var dir = UploadDir(id);
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(_tmp, Guid.NewGuid().ToString("N"));
        var manifest = new UploadManifestJson(bucket, key, options.ContentType, new Dictionary<string, string>(options.Metadata),
            ContentHeaders.OrNull(options.ContentHeaders));
        using (var file = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096))
        {
            JsonSerializer.Serialize(file, manifest, UploadJson.Default.UploadManifestJson);
            file.Flush(_fsync);
        }
        File.Move(tmp, Path.Combine(dir, UploadManifest));
        if (_fsync)
        {
            DirectorySync.Flush(dir);
            DirectorySync.Flush(Path.GetDirectoryName(dir)!);
        }
        // A delete of the bucket that ran meanwhile did not see this upload: it ends here instead (the start clears what a crash leaves).
        if (!File.Exists(Path.Combine(BucketDir(bucket), BucketMarker)))
        {
            DeleteUploadDir(dir);
            throw BucketMissing(bucket);
        }
        return Task.FromResult(new StartedUpload(id));
    }

    public async Task<UploadedPart> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream content, UploadPartOptions options,
        CancellationToken ct)
    {
        MultipartNames.ValidatePartNumber(partNumber);
        var dir = OpenUpload(bucket, key, uploadId);
        var tmp = Path.Combine(_tmp, Guid.NewGuid().ToString("N"));
        try
        {
            var (size, md5) = await WriteContentAsync(tmp, content, ct).ConfigureAwait(false);
            if (options.ContentLength >= 0 && size != options.ContentLength)
                throw new GatewayException(ErrorCode.BadRequest, $"The part has {size} bytes but its length was given as {options.ContentLength}.");
            var trailer = new LocalObjectFile.Trailer(partNumber.ToString(CultureInfo.InvariantCulture), size, Convert.ToBase64String(md5),
                "application/octet-stream", [], DateTimeOffset.UtcNow);
            AppendTrailer(tmp, trailer);
            try
            {
                File.Move(tmp, PartPath(dir, partNumber), overwrite: true);
            }
            catch (DirectoryNotFoundException)
            {
                throw MultipartNames.NoSuchUpload(uploadId); // aborted or completed meanwhile
            }
            if (_fsync) DirectorySync.Flush(dir);
            return ToPart(partNumber, trailer);
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    public Task<IReadOnlyList<UploadedPart>> ListPartsAsync(string bucket, string key, string uploadId, CancellationToken ct)
    {
        var dir = OpenUpload(bucket, key, uploadId);
        var parts = new List<UploadedPart>();
        try
        {
            foreach (var file in Directory.EnumerateFiles(dir))
            {
                if (!int.TryParse(Path.GetFileName(file), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || PartPath(dir, n) != file) continue;
                if (LocalObjectFile.TryRead(file) is { Md5: not null } trailer) parts.Add(ToPart(n, trailer));
            }
        }
        catch (DirectoryNotFoundException)
        {
            throw MultipartNames.NoSuchUpload(uploadId);
        }
        parts.Sort((a, b) => a.PartNumber.CompareTo(b.PartNumber));
        return Task.FromResult<IReadOnlyList<UploadedPart>>(parts);
    }

    public async Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, CompleteUploadRequest request,
        CancellationToken ct)
    {
        request.Validate();
        var dir = OpenUpload(bucket, key, uploadId);
        var manifest = ReadManifest(dir, uploadId);
        // Every part is opened and checked before anything is written: the handles keep these versions readable
        // even if a part is sent again meanwhile.
        var files = new List<(FileStream File, long Size)>(request.Parts.Count);
        var partMd5s = new List<byte[]>(request.Parts.Count);
        try
        {
            foreach (var part in request.Parts)
            {
                FileStream file;
                try
                {
                    file = new FileStream(PartPath(dir, part.PartNumber), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.SequentialScan);
                }
                catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
                {
                    throw InvalidPart(part.PartNumber, "is not uploaded");
                }
                files.Add((file, 0));
                var trailer = LocalObjectFile.ReadTrailer(file) is { Md5: not null } read ? read : throw InvalidPart(part.PartNumber, "is not uploaded");
                if (ToPart(part.PartNumber, trailer).ETag != part.ETag) throw InvalidPart(part.PartNumber, "has another ETag");
                file.Seek(0, SeekOrigin.Begin);
                files[^1] = (file, trailer.Size);
                partMd5s.Add(Convert.FromBase64String(trailer.Md5!));
            }
            var options = new PutObjectOptions
            {
                ContentType = manifest.ContentType,
                Metadata = WithAdded(manifest.Metadata, request.Metadata),
                ContentHeaders = manifest.ContentHeaders,
                ContentLength = files.Sum(f => f.Size),
                ContentMd5 = request.ContentMd5,
                Conditions = request.Conditions,
            };
            ObjectInfo written;
            if (request.ContentMd5 is null)
            {
                written = await PutPartFilesAsync(bucket, key, files, partMd5s, options, ct).ConfigureAwait(false);
            }
            else
            {
                // The caller states the whole object's MD5: it is checked against the bytes, so they are read and hashed.
                await using var body = new PartFilesStream(files);
                written = await PutObjectAsync(bucket, key, body, options, ct).ConfigureAwait(false);
                files.Clear(); // the stream owned and closed them
            }
            DeleteUploadDir(dir);
            return written;
        }
        finally
        {
            foreach (var (file, _) in files) await file.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The part files concatenated into the object, nothing hashed again: the ETag is the parts' md5-of-md5s-N.</summary>
    private Task<ObjectInfo> PutPartFilesAsync(string bucket, string key, List<(FileStream File, long Size)> files,
        List<byte[]> partMd5s, PutObjectOptions options, CancellationToken ct)
    {
        var target = ObjectPath(ExistingBucketDir(bucket), key);
        if (!options.Conditions.IsEmpty) Preconditions.Check(TryReadInfo(target), options.Conditions, isRead: false);
        return PutCopiedContentAsync(bucket, key, target, [.. files.Select(f => (f.File.SafeFileHandle, f.Size))],
            size => new LocalObjectFile.Trailer(key, size, null, options.ContentType, new Dictionary<string, string>(options.Metadata),
                DateTimeOffset.UtcNow, ContentHeaders.OrNull(options.ContentHeaders), LocalObjectFile.MultipartETag(partMd5s)),
            options.Conditions, ct);
    }

    public Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken ct)
    {
        ExistingBucketDir(bucket);
        ObjectNames.ValidateKey(key);
        if (!UploadIdPattern().IsMatch(uploadId)) return Task.CompletedTask;
        var dir = UploadDir(uploadId);
        if (Directory.Exists(dir))
        {
            var manifest = ReadManifest(dir, uploadId);
            if (manifest.Bucket == bucket && manifest.Key == key) DeleteUploadDir(dir);
        }
        return Task.CompletedTask;
    }

    /// <summary>The folder of an upload of this bucket and key; NotFound for any other id (ours are 32 hex digits).</summary>
    private string OpenUpload(string bucket, string key, string uploadId)
    {
        ExistingBucketDir(bucket);
        ObjectNames.ValidateKey(key);
        if (!UploadIdPattern().IsMatch(uploadId)) throw MultipartNames.NoSuchUpload(uploadId);
        var dir = UploadDir(uploadId);
        var manifest = ReadManifest(dir, uploadId);
        if (manifest.Bucket != bucket || manifest.Key != key) throw MultipartNames.NoSuchUpload(uploadId);
        return dir;
    }

    /// <summary>The manifest of upload <paramref name="uploadId"/>, or null when it has none that can be read.</summary>
    private UploadManifestJson? ReadManifestOrNull(string uploadId)
    {
        try { return ReadManifest(UploadDir(uploadId), uploadId); }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { return null; }
    }

    private static UploadManifestJson ReadManifest(string dir, string uploadId)
    {
        try
        {
            using var file = new FileStream(Path.Combine(dir, UploadManifest), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            return JsonSerializer.Deserialize(file, UploadJson.Default.UploadManifestJson) ?? throw MultipartNames.NoSuchUpload(uploadId);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            throw MultipartNames.NoSuchUpload(uploadId);
        }
    }

    private void DeleteUploadDir(string dir)
    {
        try
        {
            // The manifest first: from then on the upload is unknown, whatever of its parts a crash leaves.
            File.Delete(Path.Combine(dir, UploadManifest));
            Directory.Delete(dir, recursive: true);
            if (_fsync) DirectorySync.Flush(Path.GetDirectoryName(dir)!);
        }
        catch (DirectoryNotFoundException) { }
    }

    private static IReadOnlyDictionary<string, string> WithAdded(Dictionary<string, string> metadata, IReadOnlyDictionary<string, string>? added)
    {
        if (added is not { Count: > 0 }) return metadata;
        var merged = new Dictionary<string, string>(metadata);
        foreach (var (name, value) in added) merged[name] = value;
        return merged;
    }

    private string UploadDir(string uploadId) => Path.Combine(_root, UploadsFolder, uploadId);

    private static string PartPath(string dir, int partNumber) => Path.Combine(dir, partNumber.ToString(CultureInfo.InvariantCulture));

    private static UploadedPart ToPart(int partNumber, LocalObjectFile.Trailer trailer) =>
        new(partNumber, $"\"{Convert.ToHexStringLower(Convert.FromBase64String(trailer.Md5!))}\"", trailer.Size) { ContentMd5 = trailer.Md5 };

    private static GatewayException InvalidPart(int partNumber, string problem) =>
        new(ErrorCode.BadRequest, $"Part {partNumber} of the completion {problem}; nothing was written.");

    /// <summary>The part files one after another, each its recorded size (the trailer is not read). Owns the files.</summary>
    private sealed class PartFilesStream(List<(FileStream File, long Size)> files) : ReadOnlyStream
    {
        private int _next;
        private BoundedReadStream? _current;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (true)
            {
                if (_current is null)
                {
                    if (_next == files.Count) return 0;
                    var (file, size) = files[_next++];
                    _current = new BoundedReadStream(file, size);
                }
                var n = await _current.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (n > 0) return n;
                await _current.DisposeAsync().ConfigureAwait(false);
                _current = null;
            }
        }

        public override async ValueTask DisposeAsync()
        {
            for (var i = _current is null ? _next : _next - 1; i < files.Count; i++) await files[i].File.DisposeAsync().ConfigureAwait(false);
            _current = null;
            _next = files.Count;
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
