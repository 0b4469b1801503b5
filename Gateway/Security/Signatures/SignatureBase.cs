using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Security;

/// <summary>Builds the RFC 9421 §2.5 signature base from the covered components of a request, as received.</summary>
public static class SignatureBase
{
    public static string Build(HttpContext context, IReadOnlyList<string> components, string signatureParams)
    {
        var sb = new StringBuilder();
        foreach (var component in components)
        {
            sb.Append('"').Append(component).Append("\": ").Append(Value(context, component)).Append('\n');
        }
        sb.Append("\"@signature-params\": ").Append(signatureParams);
        return sb.ToString();
    }

    private static string Value(HttpContext context, string component)
    {
        var request = context.Request;
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw)) raw = request.PathBase + request.Path + request.QueryString;
        var q = raw.IndexOf('?');
        return component switch
        {
            "@method" => request.Method,
            "@target-uri" => $"{request.Scheme}://{request.Host.Value}{raw}",
            "@authority" => (request.Host.Value ?? "").ToLowerInvariant(),
            "@scheme" => request.Scheme.ToLowerInvariant(),
            "@request-target" => raw,
            "@path" => q >= 0 ? raw[..q] : raw,
            "@query" => q >= 0 ? raw[q..] : "?",
            _ when component.StartsWith('@') => throw new FormatException($"The derived component '{component}' is not supported."),
            _ => Field(request, component),
        };
    }

    private static string Field(HttpRequest request, string name)
    {
        if (name != name.ToLowerInvariant()) throw new FormatException("Covered field names must be lowercase.");
        if (!request.Headers.TryGetValue(name, out var values) || values.Count == 0)
            throw new FormatException($"The covered field '{name}' is not in the request.");
        return string.Join(", ", values.Select(v => (v ?? "").Trim()));
    }
}
