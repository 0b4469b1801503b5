using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Gateway.S3Api.Operations.Multipart;

/// <summary>
/// Where multipart uploads live while in progress: in the target bucket under <c>.s3-uploads/{uploadId}/</c>, one
/// object per part plus an <c>upload</c> object holding the target key, content type and metadata. Each part is an
/// atomic store write, so an upload survives a gateway restart on every store kind; listings hide the area.
/// </summary>
public static partial class MultipartMetadata
{
    public const string PartsPrefix = ".s3-uploads/";
    /// <summary>Reserved metadata names (underscores: Azure metadata names must be identifiers).</summary>
    public const string ReservedPrefix = "gw_s3_";
    public const string ETagKey = "gw_s3_etag";
    public const string TargetKey = "gw_s3_key";
    /// <summary>On a completed object: the upload id it was completed from, so a repeated CompleteMultipartUpload is answered.</summary>
    public const string UploadKey = "gw_s3_upload";
    public const int MinPartBytes = 5 * 1024 * 1024;
    public const int MaxPartNumber = 10000;

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex UploadIdPattern();

    public static bool IsPartsAreaKey(string key) => key.StartsWith(PartsPrefix, StringComparison.Ordinal);

    public static bool IsReserved(string metadataName) => metadataName.StartsWith(ReservedPrefix, StringComparison.Ordinal);

    public static string NewUploadId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static bool IsUploadId(string? id) => id is not null && UploadIdPattern().IsMatch(id);

    public static string UploadPrefix(string uploadId) => PartsPrefix + uploadId + "/";
    public static string ManifestKey(string uploadId) => UploadPrefix(uploadId) + "upload";
    public static string PartPrefix(string uploadId) => UploadPrefix(uploadId) + "part-";
    public static string PartKey(string uploadId, int part) => PartPrefix(uploadId) + part.ToString("D5", CultureInfo.InvariantCulture);

    public static int? PartNumberOf(string partKey)
    {
        var at = partKey.LastIndexOf("part-", StringComparison.Ordinal);
        return at >= 0 && int.TryParse(partKey.AsSpan(at + 5), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    public static string EncodeKey(string key) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(key));
    /// <summary>The key an upload record names; null for a value the front door did not encode (a record written by other means).</summary>
    public static string? DecodeKey(string value)
    {
        try { return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(value)); }
        catch (FormatException) { return null; }
    }

    /// <summary>S3's multipart ETag: MD5 of the parts' binary MD5s, then "-" and the part count.</summary>
    public static string MultipartETag(IEnumerable<string> partETags)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var count = 0;
        foreach (var etag in partETags)
        {
            var bare = etag.Trim('"');
            md5.AppendData(bare.Length == 32 && bare.All(Uri.IsHexDigit) ? Convert.FromHexString(bare) : MD5.HashData(Encoding.UTF8.GetBytes(bare)));
            count++;
        }
        return Convert.ToHexStringLower(md5.GetHashAndReset()) + "-" + count.ToString(CultureInfo.InvariantCulture);
    }
}
