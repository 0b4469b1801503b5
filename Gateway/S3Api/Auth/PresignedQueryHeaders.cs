using Gateway.S3Api.Errors;

namespace Gateway.S3Api.Auth;

/// <summary>
/// Presigners that move a request's x-amz-* headers into the query string (Ruby's, PHP's, Go v1's, JavaScript v3's): SigV4
/// signs the whole query, and S3 acts on such a parameter as on the header. Taken for a SigV4 presigned request only (SigV2
/// does not sign the query), and only for what describes the object written, so nothing a URL names is silently dropped:
/// user metadata, tags, storage class, and a canned ACL or grants (refused as in a header when they would share); and
/// the bucket owner conditions, which must not be dropped either (fail closed: a URL that names an owner is refused for
/// any other).
/// </summary>
internal static class PresignedQueryHeaders
{
    private static readonly string[] Names = ["x-amz-tagging", "x-amz-storage-class", "x-amz-acl", "x-amz-expected-bucket-owner", "x-amz-source-expected-bucket-owner"];

    public static void Apply(HttpRequest request)
    {
        foreach (var (name, values) in request.Query)
        {
            if (!IsHoisted(name)) continue;
            if (values.Count != 1) throw S3Errors.InvalidArgument($"The query parameter '{name}' is given more than once.");
            var value = values.ToString();
            if (!System.Text.Ascii.IsValid(value)) throw S3Errors.InvalidArgument($"The query parameter '{name}' holds bytes outside US-ASCII.", name, value);
            if (request.Headers.TryGetValue(name, out var header))
            {
                if (header.ToString() != value) throw S3Errors.InvalidArgument($"'{name}' is given as a header and as a query parameter with different values.", name, value);
                continue;
            }
            request.Headers[name] = value;
        }
    }

    private static bool IsHoisted(string name) =>
        name.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase) || name.StartsWith("x-amz-grant-", StringComparison.OrdinalIgnoreCase)
        || Names.Contains(name, StringComparer.OrdinalIgnoreCase);
}
