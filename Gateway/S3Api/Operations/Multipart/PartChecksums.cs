using System.Buffers.Text;
using System.Globalization;
using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Routing;

namespace Gateway.S3Api.Operations.Multipart;

/// <summary>
/// The checksum each part of an upload was verified (or computed) with, so ListParts answers it and CompleteMultipartUpload
/// composes the object's: an empty object per part in the upload's area, its key holding everything
/// (<c>.s3-uploads/{uploadId}/sum-NNNNN.{part ETag}.{algorithm}.{value}</c>, ETag and value base64url), so one listing
/// answers every part. Only an upload created with a checksum algorithm keeps them (S3 keeps no part checksum for
/// another upload), so the others never list them. A record counts only while the part's ETag is the one it names: a part sent again replaces it,
/// and a crash between a part and its record leaves a part without a checksum, never one with another part's.
/// </summary>
internal static class PartChecksums
{
    private static string Prefix(string uploadId) => MultipartMetadata.UploadPrefix(uploadId) + "sum-";

    public static Task RecordAsync(S3Context c, string uploadId, StoredPart part, string algorithm, string value)
    {
        var t = c.Target;
        var key = string.Join('.',
            Prefix(uploadId) + part.Number.ToString("D5", CultureInfo.InvariantCulture),
            Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(part.S3ETag)),
            algorithm,
            Base64Url.EncodeToString(Convert.FromBase64String(value)));
        return t.Store.PutObjectAsync(t.Bucket, key, Stream.Null, new PutObjectOptions { ContentType = "application/octet-stream", ContentLength = 0 }, c.Aborted);
    }

    /// <summary>The part checksum records of an upload: the checksum of each held part that has one, by part number, and every record's key.</summary>
    public sealed record Recorded(IReadOnlyDictionary<int, (string Algorithm, string Value)> ByPart, IReadOnlyList<string> Keys);

    /// <summary>The recorded checksum of each of <paramref name="parts"/> that has one: (lower-case algorithm, base64 value) by part number.</summary>
    public static async Task<Recorded> ReadAsync(S3Context c, string uploadId, IReadOnlyDictionary<int, StoredPart> parts)
    {
        var found = new Dictionary<int, (string, string)>();
        var keys = await ListAsync(c, uploadId);
        foreach (var key in keys)
        {
            var fields = key[Prefix(uploadId).Length..].Split('.');
            if (fields.Length != 4 || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                || !parts.TryGetValue(number, out var part) || !ChecksumVerifyingStream.Algorithms.Contains(fields[2]))
                continue;
            try
            {
                if (System.Text.Encoding.UTF8.GetString(Base64Url.DecodeFromChars(fields[1])) != part.S3ETag) continue;
                found[number] = (fields[2], Convert.ToBase64String(Base64Url.DecodeFromChars(fields[3])));
            }
            catch (FormatException) { }
        }
        return new Recorded(found, keys);
    }

    /// <summary>Removes the records <paramref name="keys"/> (the upload completed or was aborted).</summary>
    public static async Task DropAsync(S3Context c, IReadOnlyList<string> keys)
    {
        var t = c.Target;
        foreach (var key in keys) await t.Store.DeleteObjectAsync(t.Bucket, key, ObjectConditions.None, c.Aborted);
    }

    /// <summary>The keys of every part checksum record of the upload.</summary>
    public static async Task<List<string>> ListAsync(S3Context c, string uploadId)
    {
        var t = c.Target;
        var keys = new List<string>();
        string? token = null;
        do
        {
            var page = await t.Store.ListObjectsAsync(t.Bucket, new ListObjectsRequest { Prefix = Prefix(uploadId), PageToken = token }, c.Aborted);
            keys.AddRange(page.Objects.Select(o => o.Key));
            token = page.NextPageToken;
        } while (token is not null);
        return keys;
    }
}
