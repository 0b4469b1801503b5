using Gateway.S3Api.Errors;

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
            var tags = date ? null : S3ObjectHeaders.Tags(values);
            if (date ? values.Any(string.IsNullOrWhiteSpace) : tags is null)
                throw S3Errors.InvalidArgument($"The {name} header is empty; send a value or leave the header out.", name, values.ToString());
            if (tags is { Count: > 1 } && tags.Contains("*"))
                throw S3Errors.InvalidArgument($"'*' in {name} stands alone: it cannot be listed with entity tags.", name, values.ToString());
        }
    }
}
