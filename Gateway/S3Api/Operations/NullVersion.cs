using Gateway.S3Api.Errors;
using Gateway.S3Api.Routing;

namespace Gateway.S3Api.Operations;

/// <summary>
/// The stores keep one version per key, as an S3 bucket whose versioning was never enabled: its objects' version id is
/// "null". A request naming version "null" addresses the current object; any other id names no version there, and
/// is refused as S3 refuses it (400 InvalidArgument), changing nothing - a delete of another version never removes
/// the current object.
/// </summary>
public static class NullVersion
{
    public const string Id = "null";

    public static void Require(string versionId, string argumentName = "versionId")
    {
        if (versionId != Id) throw InvalidVersionId(argumentName, versionId);
    }

    public static S3Exception InvalidVersionId(string argumentName, string value) =>
        S3Errors.InvalidArgument("Invalid version id specified", argumentName, value);

    /// <summary>An object request's ?versionId: "null" or refused; the answer then names the version it acted on.</summary>
    public static void CheckObjectRequest(S3Context c)
    {
        if (!c.Request.Query.TryGetValue("versionId", out var value)) return;
        if (value.Count != 1) throw InvalidVersionId("versionId", value.ToString());
        Require(value[0] ?? "");
        c.Response.Headers["x-amz-version-id"] = Id;
    }
}
