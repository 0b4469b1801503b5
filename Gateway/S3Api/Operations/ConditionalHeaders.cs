using Gateway.S3Api.Errors;
using Microsoft.Extensions.Primitives;

namespace Gateway.S3Api.Operations;

/// <summary>
/// The conditional headers' form, checked before an object request acts (RFC 9110: <c>If-Match = "*" / #entity-tag</c>). An
/// empty one was taken as absent, so an empty If-Match made a PUT or DELETE unconditional; <c>*</c> listed among ETags is
/// neither form. Both are refused with InvalidArgument, changing nothing. A date that does not parse is still ignored, as
/// RFC 9110 asks and S3 does.
/// </summary>
public static class ConditionalHeaders
{
    private static readonly (string Name, bool Date)[] Headers =
    [
        ("If-Match", false), ("If-None-Match", false), ("If-Modified-Since", true), ("If-Unmodified-Since", true),
        ("x-amz-copy-source-if-match", false), ("x-amz-copy-source-if-none-match", false),
        ("x-amz-copy-source-if-modified-since", true), ("x-amz-copy-source-if-unmodified-since", true),
    ];

    public static void Check(IHeaderDictionary headers)
    {
        foreach (var (name, date) in Headers)
        {
            if (!headers.TryGetValue(name, out var values)) continue;
            if (date ? values.Any(string.IsNullOrWhiteSpace) : S3ObjectHeaders.Tags(values) is null)
                throw Refusal(name, values, $"The {name} header is empty; send a value or leave the header out.");
            if (!date && S3ObjectHeaders.Tags(values) is { Count: > 1 } tags && tags.Contains("*"))
                throw Refusal(name, values, $"'*' in {name} stands alone: it cannot be listed with entity tags.");
        }
    }

    private static S3Exception Refusal(string name, StringValues values, string message) =>
        new("InvalidArgument", 400, message) { Details = [("ArgumentName", name), ("ArgumentValue", values.ToString())] };
}
