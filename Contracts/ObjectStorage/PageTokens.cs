using System.Buffers.Text;
using System.Text;
using Gateway.Contracts.Errors;

namespace Gateway.Contracts.ObjectStorage;

/// <summary>
/// Wraps a platform's continuation token (S3 token, Azure marker, GCS page token) in a tagged base64url
/// envelope, so a forged or mangled token is a 400 at the gateway, not an odd answer from the service.
/// </summary>
public static class PageTokens
{
    public static string Wrap(string tag, string platformToken) =>
        tag + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(platformToken));

    public static string Unwrap(string tag, string pageToken)
    {
        var prefix = tag + ".";
        if (pageToken.StartsWith(prefix, StringComparison.Ordinal))
        {
            try { return new UTF8Encoding(false, true).GetString(Base64Url.DecodeFromChars(pageToken.AsSpan(prefix.Length))); }
            catch (FormatException) { }
            catch (ArgumentException) { }
        }
        throw new GatewayException(ErrorCode.BadRequest, "pageToken is not a token this store handed out.");
    }
}
