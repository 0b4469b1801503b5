using System.Buffers.Text;
using System.Text;
using Gateway.Contracts.Errors;

namespace Gateway.Bridges.Gcs;

/// <summary>Wraps the JSON API's page token so a forged or mangled token is a 400 here, not an odd answer from the service.</summary>
static class GcsPageToken
{
    const string Prefix = "gs.";

    public static string Wrap(string continuationToken) => Prefix + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(continuationToken));

    public static string Unwrap(string pageToken)
    {
        if (pageToken.StartsWith(Prefix, StringComparison.Ordinal))
        {
            try { return new UTF8Encoding(false, true).GetString(Base64Url.DecodeFromChars(pageToken.AsSpan(Prefix.Length))); }
            catch (FormatException) { }
            catch (ArgumentException) { }
        }
        throw new GatewayException(ErrorCode.BadRequest, "pageToken is not a token this store handed out.");
    }
}
