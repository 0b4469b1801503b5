using System.Globalization;
using Gateway.S3Api.Errors;

namespace Gateway.S3Api.Auth;

/// <summary>The SigV4 parameters of one request, from the Authorization header or a presigned URL's query.</summary>
public sealed record SigV4Request
{
    public required string AccessKeyId { get; init; }
    /// <summary>yyyyMMdd of the credential scope.</summary>
    public required string ScopeDate { get; init; }
    public required string Region { get; init; }
    public required string Service { get; init; }
    public required IReadOnlyList<string> SignedHeaders { get; init; }
    public required string Signature { get; init; }
    /// <summary>The request time as signed (X-Amz-Date / x-amz-date / Date).</summary>
    public required string AmzDate { get; init; }
    public required DateTimeOffset Time { get; init; }
    public bool Presigned { get; init; }
    /// <summary>Presigned URLs only: seconds the URL stays valid.</summary>
    public int ExpiresSeconds { get; init; }

    public string Scope => $"{ScopeDate}/{Region}/{Service}/{SigV4.Terminator}";

    /// <summary>Null when the request carries no SigV4 credentials at all.</summary>
    public static SigV4Request? Parse(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length > 0) return ParseHeader(request, authorization);
        if (request.Query.ContainsKey("AWSAccessKeyId") && request.Query.ContainsKey("Signature"))
            throw S3Errors.InvalidRequest("The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.");
        if (request.Query.ContainsKey("X-Amz-Algorithm") || request.Query.ContainsKey("X-Amz-Signature") || request.Query.ContainsKey("X-Amz-Credential"))
            return ParseQuery(request);
        return null;
    }

    private static SigV4Request ParseHeader(HttpRequest request, string authorization)
    {
        if (authorization.StartsWith("AWS ", StringComparison.Ordinal))
            throw S3Errors.InvalidRequest("The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.");
        if (!authorization.StartsWith(SigV4.Algorithm + " ", StringComparison.Ordinal))
            throw S3Errors.AuthorizationHeaderMalformed("The authorization header is malformed; only AWS4-HMAC-SHA256 is supported.");
        string? credential = null, signedHeaders = null, signature = null;
        foreach (var part in authorization[(SigV4.Algorithm.Length + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) throw S3Errors.AuthorizationHeaderMalformed("The authorization header is malformed.");
            var value = part[(eq + 1)..];
            switch (part[..eq])
            {
                case "Credential": credential = value; break;
                case "SignedHeaders": signedHeaders = value; break;
                case "Signature": signature = value; break;
                default: throw S3Errors.AuthorizationHeaderMalformed($"The authorization header is malformed; unexpected '{part[..eq]}'.");
            }
        }
        if (credential is null || signedHeaders is null || signature is null)
            throw S3Errors.AuthorizationHeaderMalformed("The authorization header is malformed; Credential, SignedHeaders and Signature are required.");
        var amzDate = request.Headers["x-amz-date"].ToString();
        DateTimeOffset time;
        if (amzDate.Length > 0)
        {
            if (!TryParseAmzDate(amzDate, out time)) throw S3Errors.AccessDenied("AWS authentication requires a valid Date or x-amz-date header");
        }
        else
        {
            amzDate = request.Headers.Date.ToString();
            if (!DateTimeOffset.TryParseExact(amzDate, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time))
                throw S3Errors.AccessDenied("AWS authentication requires a valid Date or x-amz-date header");
            amzDate = time.UtcDateTime.ToString(SigV4.TimeFormat, CultureInfo.InvariantCulture);
        }
        return Build(credential, signedHeaders, signature, amzDate, time, presigned: false, expires: 0, S3Errors.AuthorizationHeaderMalformed);
    }

    private static SigV4Request ParseQuery(HttpRequest request)
    {
        var q = request.Query;
        static S3Exception Bad(string m) => S3Errors.AuthorizationQueryParametersError(m);
        if (q["X-Amz-Algorithm"].ToString() != SigV4.Algorithm)
            throw Bad("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
        var credential = Single(q, "X-Amz-Credential");
        var amzDate = Single(q, "X-Amz-Date");
        var expiresText = Single(q, "X-Amz-Expires");
        var signedHeaders = Single(q, "X-Amz-SignedHeaders");
        var signature = Single(q, "X-Amz-Signature");
        if (credential is null || amzDate is null || expiresText is null || signedHeaders is null || signature is null)
            throw Bad("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
        if (!TryParseAmzDate(amzDate, out var time)) throw Bad("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
        // Digits too many for an int are still a number to S3, one past the week's limit; a minus sign makes a negative one.
        var negative = expiresText.StartsWith('-');
        var digits = negative ? expiresText[1..] : expiresText;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit)) throw Bad("X-Amz-Expires should be a number");
        if (negative) throw Bad("X-Amz-Expires must be non-negative");
        if (!int.TryParse(expiresText, NumberStyles.None, CultureInfo.InvariantCulture, out var expires) || expires > 604800)
            throw Bad("X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds");
        return Build(credential, signedHeaders, signature, amzDate, time, presigned: true, expires, Bad);
    }

    private static string? Single(IQueryCollection q, string name) => q[name] is { Count: 1 } v ? v[0] : null;

    private static SigV4Request Build(string credential, string signedHeaders, string signature, string amzDate, DateTimeOffset time,
        bool presigned, int expires, Func<string, S3Exception> malformed)
    {
        // Credential = <access key id>/<yyyyMMdd>/<region>/s3/aws4_request; the key id itself holds no '/'.
        var parts = credential.Split('/');
        if (parts.Length != 5 || parts[0].Length == 0)
            throw malformed($"The {(presigned ? "X-Amz-Credential parameter" : "authorization header")} is malformed; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");
        if (parts[4] != SigV4.Terminator) throw malformed("The credential scope must end in 'aws4_request'.");
        if (parts[3] != SigV4.Service) throw malformed($"The credential scope names service '{parts[3]}'; expecting 's3'.");
        if (parts[1].Length != 8 || !amzDate.StartsWith(parts[1], StringComparison.Ordinal))
            throw malformed("The credential scope date does not match the request date.");
        var headers = signedHeaders.Split(';');
        if (headers.Any(h => h.Length == 0 || h != h.ToLowerInvariant()) || !headers.Contains("host"))
            throw malformed("SignedHeaders must be lower-case header names separated by ';' and include 'host'.");
        for (var i = 1; i < headers.Length; i++)
            if (string.CompareOrdinal(headers[i - 1], headers[i]) >= 0) throw malformed("SignedHeaders must be sorted and without repeats.");
        if (signature.Length != 64 || !signature.All(Uri.IsHexDigit)) throw malformed("The signature must be 64 hex digits.");
        return new SigV4Request
        {
            AccessKeyId = parts[0],
            ScopeDate = parts[1],
            Region = parts[2],
            Service = parts[3],
            SignedHeaders = headers,
            Signature = signature,
            AmzDate = amzDate,
            Time = time,
            Presigned = presigned,
            ExpiresSeconds = expires,
        };
    }

    public static bool TryParseAmzDate(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(text, SigV4.TimeFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
}
