using System.Globalization;
using System.Text;
using System.Text.Json;
using Gateway.S3Api.Errors;

namespace Gateway.S3Api.Operations.PostObject;

/// <summary>One policy condition: exact match, starts-with, or the file's content-length-range.</summary>
public sealed record PostCondition(string Operator, string Field, string Value)
{
    public const string Eq = "eq";
    public const string StartsWith = "starts-with";
}

/// <summary>
/// A browser POST upload's policy (the base64 JSON document with <c>expiration</c> and <c>conditions</c>, names
/// case-sensitive as in S3): parsed strictly, then checked against the form. See docs/s3.md, "POST Object".
/// </summary>
public sealed class PostPolicy
{
    /// <summary>Fields no condition needs to name (S3's list, plus SigV2's key id and signature).</summary>
    private static readonly HashSet<string> Exempt = new(StringComparer.OrdinalIgnoreCase)
    {
        "awsaccesskeyid", "signature", "file", "policy", "x-amz-signature",
    };

    private PostPolicy(DateTimeOffset expiration, IReadOnlyList<PostCondition> conditions, long? minLength, long? maxLength)
    {
        Expiration = expiration;
        Conditions = conditions;
        MinLength = minLength;
        MaxLength = maxLength;
    }

    public DateTimeOffset Expiration { get; }
    public IReadOnlyList<PostCondition> Conditions { get; }
    public long? MinLength { get; }
    public long? MaxLength { get; }

    public static PostPolicy Parse(string base64)
    {
        byte[] json;
        try { json = Convert.FromBase64String(base64.Trim()); }
        catch (FormatException) { throw Invalid("Invalid Policy: Invalid Base64 Encoding."); }
        JsonDocument document;
        try { document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 }); }
        catch (JsonException) { throw Invalid("Invalid Policy: Invalid JSON."); }
        using (document)
        {
            // The parse leaves string contents unchecked: invalid UTF-8 or an escaped lone surrogate throws when a string is read.
            try { return Read(document.RootElement); }
            catch (InvalidOperationException) { throw Invalid("Invalid Policy: Invalid JSON."); }
        }
    }

    private static PostPolicy Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw Invalid("Invalid Policy: the policy must be a JSON object.");
        if (!root.TryGetProperty("expiration", out var expiration) || expiration.ValueKind != JsonValueKind.String)
            throw Invalid("Invalid Policy: Policy missing expiration.");
        if (!TryParseExpiration(expiration.GetString()!, out var expires))
            throw Invalid("Invalid Policy: Invalid 'expiration' value: expecting ISO 8601 UTC, e.g. 2030-01-01T12:00:00.000Z.");
        if (!root.TryGetProperty("conditions", out var list) || list.ValueKind != JsonValueKind.Array)
            throw Invalid("Invalid Policy: Policy missing conditions.");
        var conditions = new List<PostCondition>();
        long? min = null, max = null;
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object)
            {
                var pairs = item.EnumerateObject().ToList();
                if (pairs.Count != 1 || Text(pairs[0].Value) is not { } value)
                    throw Invalid("Invalid Policy: an exact-match condition is an object with one name and a string value.");
                conditions.Add(new PostCondition(PostCondition.Eq, pairs[0].Name, value));
                continue;
            }
            if (item.ValueKind != JsonValueKind.Array) throw Invalid("Invalid Policy: a condition is an object or an array.");
            var parts = item.EnumerateArray().ToList();
            var op = parts.Count > 0 && parts[0].ValueKind == JsonValueKind.String ? parts[0].GetString()!.ToLowerInvariant() : "";
            if (op == "content-length-range")
            {
                if (parts.Count != 3 || !TryLength(parts[1], out var lo) || !TryLength(parts[2], out var hi) || lo < 0 || hi < lo)
                    throw Invalid("Invalid Policy: content-length-range takes two whole numbers, 0 <= min <= max.");
                min = Math.Max(min ?? 0, lo);
                max = Math.Min(max ?? long.MaxValue, hi);
                continue;
            }
            if (op is not (PostCondition.Eq or PostCondition.StartsWith) || parts.Count != 3
                || parts[1].ValueKind != JsonValueKind.String || parts[1].GetString() is not ['$', _, ..] field || Text(parts[2]) is not { } expected)
                throw Invalid("Invalid Policy: a condition array is [\"eq\" | \"starts-with\", \"$field\", \"value\"] or [\"content-length-range\", min, max].");
            conditions.Add(new PostCondition(op, field[1..], expected));
        }
        return new PostPolicy(expires, conditions, min, max);
    }

    /// <summary>A whole number, as a JSON number or a string of digits (TryGetInt64 throws on anything but a number).</summary>
    private static bool TryLength(JsonElement e, out long value)
    {
        value = 0;
        return e.ValueKind switch
        {
            JsonValueKind.Number => e.TryGetInt64(out value),
            JsonValueKind.String => long.TryParse(e.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out value),
            _ => false,
        };
    }

    private static string? Text(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.GetRawText(),
        _ => null,
    };

    private static bool TryParseExpiration(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'"], CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);

    /// <summary>
    /// Every condition holds for the form (the bucket condition against the addressed bucket, a missing field as
    /// empty), the bucket is named by one, and every field but the exempt ones and <c>x-ignore-*</c> is named by one.
    /// </summary>
    public void Check(string bucket, string key, IReadOnlyDictionary<string, string> fields, DateTimeOffset now)
    {
        if (Expiration < now) throw Denied("Invalid according to Policy: Policy expired.");
        var covered = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var condition in Conditions)
        {
            covered.Add(condition.Field);
            var actual = condition.Field.ToLowerInvariant() switch
            {
                "bucket" => bucket,
                "key" => key,
                _ => fields.GetValueOrDefault(condition.Field) ?? "",
            };
            var holds = condition.Operator == PostCondition.Eq
                ? string.Equals(actual, condition.Value, StringComparison.Ordinal)
                : StartsWith(condition.Field, actual, condition.Value);
            if (!holds) throw Denied($"Invalid according to Policy: Policy Condition failed: [\"{condition.Operator}\", \"${Safe(condition.Field)}\", \"{Safe(condition.Value)}\"]");
        }
        if (!covered.Contains("bucket")) throw Denied("Invalid according to Policy: Policy Condition failed: [\"eq\", \"$bucket\", ...] is missing.");
        foreach (var name in fields.Keys)
            if (!Exempt.Contains(name) && !name.StartsWith("x-ignore-", StringComparison.OrdinalIgnoreCase) && !covered.Contains(name))
                throw Denied($"Invalid according to Policy: Extra input fields: {PostForm.Printable(name)}");
    }

    /// <summary>starts-with; for Content-Type each comma-separated type must start with the value, as S3 checks it.</summary>
    private static bool StartsWith(string field, string actual, string prefix) =>
        field.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) && actual.Contains(',')
            ? actual.Split(',', StringSplitOptions.TrimEntries).All(t => t.StartsWith(prefix, StringComparison.Ordinal))
            : actual.StartsWith(prefix, StringComparison.Ordinal);

    private static string Safe(string s)
    {
        var sb = new StringBuilder();
        foreach (var c in s.Length > 128 ? s[..128] : s) sb.Append(c is >= ' ' and < '\x7f' and not '"' ? c : '?');
        return sb.ToString();
    }

    public static S3Exception Invalid(string message) => new("InvalidPolicyDocument", 400, message);
    private static S3Exception Denied(string message) => new("AccessDenied", 403, message);
}
