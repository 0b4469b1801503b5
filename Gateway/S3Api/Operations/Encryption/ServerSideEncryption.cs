using Gateway.S3Api.Errors;
using Gateway.S3Api.Routing;

namespace Gateway.S3Api.Operations.Encryption;

/// <summary>
/// S3's server-side encryption headers. SSE-S3 (<c>AES256</c>) promises that the service encrypts the object at rest
/// under keys it manages: taken, and echoed, where the store does that (the cloud stores always do; other stores only
/// when the operator lists them in <c>Gateway:S3:EncryptedAtRestStores</c>). SSE-KMS and SSE-C need keys this gateway
/// does not hold: <c>NotImplemented</c>, never an object stored unencrypted while the client believes otherwise.
/// Conflicting or unknown values are S3's 400 <c>InvalidArgument</c>. See docs/s3.md, "Server-side encryption".
/// </summary>
public static class ServerSideEncryption
{
    public const string Header = "x-amz-server-side-encryption";
    public const string Aes256 = "AES256";
    private const string KmsKeyId = "x-amz-server-side-encryption-aws-kms-key-id";
    private const string KmsContext = "x-amz-server-side-encryption-context";
    private const string CustomerPrefix = "x-amz-server-side-encryption-customer-";
    private const string CopySourceCustomerPrefix = "x-amz-copy-source-server-side-encryption-customer-";

    /// <summary>Store kinds whose every object is encrypted at rest by the platform under its own keys, whatever the request says.</summary>
    private static readonly HashSet<string> EncryptingKinds = new(StringComparer.Ordinal) { "azure-blob", "gcs", "s3" };

    /// <summary>
    /// A write that makes an object (PutObject, CopyObject's target, CreateMultipartUpload, POST Object): checks the headers and
    /// returns <c>AES256</c> when SSE-S3 was asked for (to echo), null when no encryption was named.
    /// </summary>
    public static string? ForWrite(S3Context c) =>
        ForWrite(c, c.Request.Headers.Keys, name => c.Request.Headers.TryGetValue(name, out var value) ? value.ToString() : null);

    /// <summary>
    /// The same rule over any named values: a request's headers, or a POST form's fields (<paramref name="names"/>, with
    /// <paramref name="value"/> looking one up, case-insensitively, null when absent).
    /// </summary>
    public static string? ForWrite(S3Context c, IEnumerable<string> names, Func<string, string?> value)
    {
        var customer = names.Any(name => name.StartsWith(CustomerPrefix, StringComparison.OrdinalIgnoreCase));
        var kmsParameters = value(KmsKeyId) is not null || value(KmsContext) is not null;
        if (value(Header) is not { } given)
        {
            if (kmsParameters) throw S3Errors.InvalidArgument($"'{KmsKeyId}' and '{KmsContext}' need '{Header}: aws:kms'.", Header, "null");
            if (customer) throw S3Errors.NotImplemented("Server-side encryption with customer-provided keys (SSE-C)");
            return null;
        }
        if (customer)
            throw S3Errors.InvalidArgument("Server Side Encryption with Customer provided key is incompatible with the encryption method specified.", Header, given);
        switch (given)
        {
            case Aes256:
                if (kmsParameters) throw S3Errors.InvalidArgument($"'{KmsKeyId}' and '{KmsContext}' are not valid with '{Header}: {Aes256}'.", Header, given);
                if (!EncryptsAtRest(c))
                    throw S3Errors.NotImplemented($"Server-side encryption ({Aes256}) on a store that does not encrypt at rest");
                return Aes256;
            case "aws:kms" or "aws:kms:dsse":
                throw S3Errors.NotImplemented("Server-side encryption with KMS keys (SSE-KMS)");
            default:
                throw S3Errors.InvalidArgument("The encryption method specified is not supported.", Header, given);
        }
    }

    /// <summary>GetObject and HeadObject: S3 takes no SSE-S3 or SSE-KMS header there, and no object here is SSE-C encrypted.</summary>
    public static void CheckRead(HttpRequest request)
    {
        if (request.Headers.ContainsKey(Header) || request.Headers.ContainsKey(KmsKeyId) || request.Headers.ContainsKey(KmsContext))
            throw S3Errors.InvalidArgument($"The '{Header}' headers are not supported for this operation.");
        if (HasAny(request, CustomerPrefix)) throw NotApplicable();
    }

    /// <summary>
    /// UploadPart and UploadPartCopy: the encryption is the upload's, named when it started; no upload here is SSE-C, and no
    /// copy source is SSE-C encrypted.
    /// </summary>
    public static void CheckPart(HttpRequest request)
    {
        CheckCopySource(request);
        CheckRead(request);
    }

    /// <summary>CopyObject's source: none is SSE-C encrypted, so a key for it does not apply.</summary>
    public static void CheckCopySource(HttpRequest request)
    {
        if (HasAny(request, CopySourceCustomerPrefix)) throw NotApplicable();
    }

    public static void Echo(HttpResponse response, string? encryption)
    {
        if (encryption is not null) response.Headers[Header] = encryption;
    }

    private static bool EncryptsAtRest(S3Context c) =>
        EncryptingKinds.Contains(c.Target.Store.Kind) || c.Services.Options.EncryptedAtRestStores.Contains(c.Target.StoreName, StringComparer.Ordinal);

    private static bool HasAny(HttpRequest request, string prefix) =>
        request.Headers.Keys.Any(name => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    private static S3Exception NotApplicable() => S3Errors.InvalidRequest("The encryption parameters are not applicable to this object.");
}
