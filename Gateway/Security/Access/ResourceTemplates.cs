using System.Text;

namespace Gateway.Security;

/// <summary>Fills a resource template from the request: <c>{name}</c> and <c>{**name}</c> from route values, <c>{?name}</c> from the query.</summary>
public static class ResourceTemplates
{
    public static string Resolve(string template, HttpContext context)
    {
        var sb = new StringBuilder(template.Length + 32);
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            if (open < 0) { sb.Append(template, i, template.Length - i); break; }
            sb.Append(template, i, open - i);
            var close = template.IndexOf('}', open);
            if (close < 0) throw new FormatException($"Unclosed '{{' in resource template '{template}'.");
            var name = template[(open + 1)..close];
            if (name.StartsWith('?')) sb.Append(context.Request.Query[name[1..]].ToString());
            else sb.Append(context.GetRouteValue(name.TrimStart('*'))?.ToString() ?? "");
            i = close + 1;
        }
        return sb.ToString();
    }
}
