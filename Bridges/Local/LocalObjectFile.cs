using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Bridges.Local;

/// <summary>
/// One object is one file: the content, then a JSON trailer with the key and metadata, its length
/// (uint32 LE) and an 8-byte magic. Keeping both in one file makes the final rename the single atomic
/// step of a write, so a reader sees the old object or the new one, never a mix. The trailer holds the content's MD5,
/// or, for an object composed from multipart parts without hashing it again, no MD5 and S3's <c>md5-of-md5s-N</c> ETag.
/// </summary>
internal static partial class LocalObjectFile
{
    private static readonly byte[] Magic = "GWOBJv01"u8.ToArray();
    private const int FooterLength = 12;
    private const int MaxTrailerBytes = 64 * 1024;

    /// <param name="Md5">Base64 MD5 of the content; null for a composed object, which has <paramref name="ETag"/> instead.</param>
    /// <param name="ETag">The quoted ETag when it is not the MD5 (a composed object's <c>"md5-of-md5s-N"</c>); null otherwise.</param>
    internal sealed record Trailer(
        string Key, long Size, string? Md5, string ContentType,
        Dictionary<string, string> Metadata, DateTimeOffset LastModified, ContentHeaders? Headers = null, string? ETag = null);

    [JsonSerializable(typeof(Trailer))]
    [JsonSerializable(typeof(Dictionary<string, string>))]
    internal sealed partial class TrailerJson : JsonSerializerContext;

    public static void WriteTrailer(Stream file, Trailer trailer)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(trailer, TrailerJson.Default.Trailer);
        Span<byte> footer = stackalloc byte[FooterLength];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, (uint)json.Length);
        Magic.CopyTo(footer[4..]);
        file.Write(json);
        file.Write(footer);
    }

    /// <summary>Reads the trailer of an object file; null when the file is not a complete object.</summary>
    public static Trailer? ReadTrailer(FileStream file)
    {
        var length = file.Length;
        if (length < FooterLength) return null;
        Span<byte> footer = stackalloc byte[FooterLength];
        file.Seek(length - FooterLength, SeekOrigin.Begin);
        file.ReadExactly(footer);
        if (!footer[4..].SequenceEqual(Magic)) return null;
        var jsonLength = BinaryPrimitives.ReadUInt32LittleEndian(footer);
        if (jsonLength > MaxTrailerBytes || jsonLength > length - FooterLength) return null;
        var json = new byte[jsonLength];
        file.Seek(length - FooterLength - jsonLength, SeekOrigin.Begin);
        file.ReadExactly(json);
        var trailer = JsonSerializer.Deserialize(json, TrailerJson.Default.Trailer);
        if (trailer is null || trailer.Size != length - FooterLength - jsonLength || (trailer.Md5 ?? trailer.ETag) is null) return null;
        return trailer;
    }

    /// <summary>The trailer of the object file at <paramref name="path"/>; null when it is missing or incomplete.</summary>
    public static Trailer? TryRead(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1);
            return ReadTrailer(file);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>S3's ETag of a multipart object: the MD5 of its parts' MD5s, then a dash and the number of parts, quoted.</summary>
    public static string MultipartETag(IReadOnlyList<byte[]> partMd5s)
    {
        var all = new byte[partMd5s.Count * 16];
        for (var i = 0; i < partMd5s.Count; i++) partMd5s[i].CopyTo(all, i * 16);
        return $"\"{Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(all))}-{partMd5s.Count}\"";
    }

    public static ObjectInfo ToInfo(Trailer t) => new()
    {
        Key = t.Key,
        Size = t.Size,
        ETag = t.ETag ?? $"\"{Convert.ToHexStringLower(Convert.FromBase64String(t.Md5!))}\"",
        ContentMd5 = t.Md5,
        ContentType = t.ContentType,
        LastModified = t.LastModified,
        Metadata = t.Metadata,
        ContentHeaders = t.Headers,
    };
}
