using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Gateway.Contracts.Errors;
using Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Storage;

/// <summary>
/// Listing page tokens as the gateway hands them out: the store's own token sealed with AES-256-GCM under a
/// per-gateway key, with the store, bucket, prefix and delimiter as associated data. A token is opaque, cannot be
/// forged, and opens only for the listing it was issued for; anything else is a 400.
/// </summary>
internal sealed class PageTokenSealer
{
    private const string Version = "v1.";
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private readonly byte[] _key;

    public PageTokenSealer(IOptions<GatewayOptions> options)
    {
        var file = options.Value.PageTokenKeyFile ?? Path.Combine(options.Value.DataDirectory, "keys", "page-tokens.key");
        _key = LoadOrCreate(file);
    }

    public string Seal(string store, string bucket, string? prefix, string? delimiter, string storeToken)
    {
        var plain = Encoding.UTF8.GetBytes(storeToken);
        var sealedBytes = new byte[NonceBytes + plain.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagBytes);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceBytes, plain.Length), sealedBytes.AsSpan(NonceBytes + plain.Length), Scope(store, bucket, prefix, delimiter));
        return Version + Base64Url.EncodeToString(sealedBytes);
    }

    /// <summary>The store's token inside <paramref name="pageToken"/>; a 400 when it was not issued for this very listing.</summary>
    public string Open(string store, string bucket, string? prefix, string? delimiter, string pageToken)
    {
        if (pageToken.StartsWith(Version, StringComparison.Ordinal))
        {
            byte[]? sealedBytes = null;
            try { sealedBytes = Base64Url.DecodeFromChars(pageToken.AsSpan(Version.Length)); }
            catch (FormatException) { }
            if (sealedBytes is { Length: >= NonceBytes + TagBytes })
            {
                var length = sealedBytes.Length - NonceBytes - TagBytes;
                var plain = new byte[length];
                try
                {
                    using var aes = new AesGcm(_key, TagBytes);
                    aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes, length), sealedBytes.AsSpan(NonceBytes + length),
                        plain, Scope(store, bucket, prefix, delimiter));
                    return new UTF8Encoding(false, true).GetString(plain);
                }
                catch (AuthenticationTagMismatchException) { }
                catch (ArgumentException) { }
            }
        }
        throw new GatewayException(ErrorCode.BadRequest,
            "pageToken was not issued by this gateway for this listing (same store, bucket, prefix and delimiter).");
    }

    // Length-prefixed fields, so ("ab", "c") and ("a", "bc") never share associated data.
    private static byte[] Scope(string store, string bucket, string? prefix, string? delimiter)
    {
        using var buffer = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        foreach (var field in new[] { "list-objects", store, bucket, prefix ?? "", delimiter ?? "" })
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            buffer.Write(length);
            buffer.Write(bytes);
        }
        return buffer.ToArray();
    }

    private static byte[] LoadOrCreate(string file)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (File.Exists(file)) return Read(file);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                using var stream = new FileStream(file, options);
                stream.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n"));
                stream.Flush(flushToDisk: true);
            }
            catch (IOException) when (File.Exists(file)) { } // another instance made it first: read theirs
        }
        return Read(file);
    }

    private static byte[] Read(string file)
    {
        byte[] key;
        try { key = Convert.FromBase64String(File.ReadAllText(file).Trim()); }
        catch (FormatException) { key = []; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Gateway:PageTokenKeyFile: '{file}' cannot be read ({e.GetType().Name}).", e);
        }
        if (key.Length != 32)
            throw new InvalidOperationException($"Gateway:PageTokenKeyFile: '{file}' must hold the base64 of 32 random bytes.");
        return key;
    }
}
