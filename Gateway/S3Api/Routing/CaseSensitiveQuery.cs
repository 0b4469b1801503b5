using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Gateway.S3Api.Routing;

/// <summary>
/// S3's query parameter names are case-sensitive (<c>Prefix</c> is not <c>prefix</c>, and S3 ignores it as it ignores any
/// parameter it does not know); ASP.NET's query collection matches names ignoring case. The request's query is read again
/// with exact names, decoded as ASP.NET decodes it, before anything of the front door looks a parameter up.
/// </summary>
public static class CaseSensitiveQuery
{
    public static void Apply(HttpContext http)
    {
        var (_, raw) = Auth.CanonicalRequest.RawTarget(http.Request);
        var values = new Dictionary<string, StringValues>(StringComparer.Ordinal);
        foreach (var pair in new QueryStringEnumerable(raw))
        {
            var name = pair.DecodeName().ToString();
            var value = pair.DecodeValue().ToString();
            values[name] = values.TryGetValue(name, out var earlier) ? StringValues.Concat(earlier, value) : new StringValues(value);
        }
        http.Features.Set<IQueryFeature>(new QueryFeature(new QueryCollection(values)));
    }
}
