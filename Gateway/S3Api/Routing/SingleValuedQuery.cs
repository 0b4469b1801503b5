using Gateway.S3Api.Errors;

namespace Gateway.S3Api.Routing;

/// <summary>
/// Every S3 query parameter takes one value. ASP.NET joins a repeated one with commas (<c>prefix=a&amp;prefix=b</c> read as
/// <c>a,b</c>), and SigV2 does not sign listing parameters, so a second <c>prefix</c> could be appended to a presigned URL:
/// a parameter given twice is refused before anything is read or written. Names are matched exactly, as S3 and the front
/// door's lookups match them (<see cref="CaseSensitiveQuery"/>): <c>prefix=a&amp;Prefix=b</c> is <c>prefix</c> once and a
/// parameter S3 does not have.
/// </summary>
public static class SingleValuedQuery
{
    public static void Check(HttpRequest request)
    {
        foreach (var (name, values) in request.Query)
        {
            if (values.Count < 2) continue;
            var shown = Printable(name);
            throw new S3Exception("InvalidArgument", 400, $"The query parameter '{shown}' is given {values.Count} times; give it once.")
            {
                Details = [("ArgumentName", shown)],
            };
        }
    }

    /// <summary>A query name as an error may show it: short printable ASCII, else "(unprintable)".</summary>
    internal static string Printable(string s) => s.Length <= 64 && s.All(c => c is > ' ' and < '\x7f') ? s : "(unprintable)";
}
