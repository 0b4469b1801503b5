using System.Globalization;
using System.Runtime.CompilerServices;
using Gateway.Contracts.Errors;

namespace Gateway.Problems;

/// <summary>
/// Whole-number query parameters are ASCII digits, with '-' before a negative one, and nothing else; flags are
/// <c>true</c> or <c>false</c> (in any case) and nothing else. ASP.NET binds them with .NET's parsing, which also takes a
/// '+' sign and white space around the digits (<c>pageSize=+1</c>, <c>limit=%205</c>) and white space or NULs around a
/// flag (<c>all=true%00</c>), so one value had many spellings and a value a strict client or a cache reads differently
/// was taken. Checked here for every endpoint at once, from the parameters the endpoint binds, before it binds them,
/// with the number's range and an empty flag too: the endpoints' binding code is source-generated (the Request Delegate
/// Generator), which answers a bare 400 for a nullable value it cannot parse instead of saying which parameter and why,
/// and takes an empty flag as absent. A parameter given twice is <see cref="RawPathGuard"/>'s.
/// </summary>
internal static class ScalarQueryGuard
{
    private static readonly HashSet<Type> WholeNumberTypes =
        [typeof(int), typeof(long), typeof(short), typeof(uint), typeof(ulong), typeof(ushort), typeof(byte), typeof(sbyte)];

    private sealed record Scalar(string Name, Type Type)
    {
        public bool IsFlag => Type == typeof(bool);
    }

    private static readonly ConditionalWeakTable<Endpoint, Scalar[]> Parameters = [];

    public static string? Check(HttpContext context)
    {
        if (context.GetEndpoint() is not RouteEndpoint endpoint || context.Request.QueryString.Value is not { Length: > 1 }) return null;
        foreach (var scalar in Parameters.GetValue(endpoint, e => ScalarQueryParameters((RouteEndpoint)e)))
        {
            var name = scalar.Name;
            if (!context.Request.Query.TryGetValue(name, out var given) || given.Count != 1) continue;
            var value = given[0] ?? "";
            if (scalar.IsFlag && !value.Equals("true", StringComparison.OrdinalIgnoreCase) && !value.Equals("false", StringComparison.OrdinalIgnoreCase))
                return $"The parameter '{name}' is not valid: true or false is expected.";
            if (scalar.IsFlag || value.Length == 0) continue;
            if (!IsWholeNumber(value))
                return $"The parameter '{name}' is not valid: a whole number is expected (ASCII digits, '-' before a negative one; no '+', spaces or exponent).";
            if (!InRange(value, scalar.Type))
                return $"The parameter '{name}' is out of range: the number is too large or too small for it.";
        }
        return null;
    }

    private static bool InRange(string digits, Type type)
    {
        const NumberStyles Style = NumberStyles.AllowLeadingSign;
        var c = CultureInfo.InvariantCulture;
        return type == typeof(int) ? int.TryParse(digits, Style, c, out _)
            : type == typeof(long) ? long.TryParse(digits, Style, c, out _)
            : type == typeof(short) ? short.TryParse(digits, Style, c, out _)
            : type == typeof(uint) ? uint.TryParse(digits, Style, c, out _)
            : type == typeof(ulong) ? ulong.TryParse(digits, Style, c, out _)
            : type == typeof(ushort) ? ushort.TryParse(digits, Style, c, out _)
            : type == typeof(byte) ? byte.TryParse(digits, Style, c, out _)
            : sbyte.TryParse(digits, Style, c, out _);
    }

    private static bool IsWholeNumber(string value)
    {
        var digits = value.StartsWith('-') ? value.AsSpan(1) : value.AsSpan();
        return !digits.IsEmpty && !digits.ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>The endpoint's whole-number and flag parameters bound from the query.</summary>
    private static Scalar[] ScalarQueryParameters(RouteEndpoint endpoint) =>
        [.. QueryParameters.Of(endpoint).Where(p => WholeNumberTypes.Contains(p.Type) || p.Type == typeof(bool)).Select(p => new Scalar(p.Name, p.Type))];

    public static IApplicationBuilder UseScalarQueryGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (Check(context) is { } reason) throw new GatewayException(ErrorCode.BadRequest, reason);
        await next(context);
    });
}
