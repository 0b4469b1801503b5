using System.Buffers.Text;
using System.Text;
using Gateway.Contracts.Errors;

namespace Gateway.Bridges.AzureBlob;

/// <summary>Wraps Azure's continuation marker so a forged or mangled token is a 400 here, not an odd answer from the service.</summary>
static class AzurePageToken
{
    const string Prefix = "az.";

    public static string Wrap(string marker) => Prefix + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(marker));

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
