using System.Reflection;
using System.Runtime.CompilerServices;
using Gateway.Contracts.Errors;
using Microsoft.AspNetCore.Http.Metadata;

namespace Gateway.Problems;

/// <summary>
/// Whole-number query parameters are ASCII digits, with '-' before a negative one, and nothing else; flags are
/// <c>true</c> or <c>false</c> (in any case) and nothing else. ASP.NET binds them with .NET's parsing, which also takes a
/// '+' sign and white space around the digits (<c>pageSize=+1</c>, <c>limit=%205</c>) and white space or NULs around a
/// flag (<c>all=true%00</c>), so one value had many spellings and a value a strict client or a cache reads differently
/// was taken. Checked here for every endpoint at once, from the parameters the endpoint binds, before it binds them; what
/// passes is left to the binder (out of range, given twice, empty: its own answers).
/// </summary>
internal static class ScalarQueryGuard
{
    private static readonly HashSet<Type> WholeNumberTypes =
        [typeof(int), typeof(long), typeof(short), typeof(uint), typeof(ulong), typeof(ushort), typeof(byte), typeof(sbyte)];

    private sealed record Scalar(string Name, bool IsFlag);

    private static readonly ConditionalWeakTable<Endpoint, Scalar[]> Parameters = [];

    public static string? Check(HttpContext context)
    {
        if (context.GetEndpoint() is not RouteEndpoint endpoint || context.Request.QueryString.Value is not { Length: > 1 }) return null;
        foreach (var (name, isFlag) in Parameters.GetValue(endpoint, e => ScalarQueryParameters((RouteEndpoint)e)))
        {
            if (!context.Request.Query.TryGetValue(name, out var given) || given.Count != 1 || given[0] is not { Length: > 0 } value) continue;
            if (isFlag && !value.Equals("true", StringComparison.OrdinalIgnoreCase) && !value.Equals("false", StringComparison.OrdinalIgnoreCase))
                return $"The parameter '{name}' is not valid: true or false is expected.";
            if (!isFlag && !IsWholeNumber(value))
                return $"The parameter '{name}' is not valid: a whole number is expected (ASCII digits, '-' before a negative one; no '+', spaces or exponent).";
        }
        return null;
    }

    private static bool IsWholeNumber(string value)
    {
        var digits = value.StartsWith('-') ? value.AsSpan(1) : value.AsSpan();
        return !digits.IsEmpty && !digits.ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>The endpoint's whole-number and flag parameters bound from the query: not from the route, a header, the body or services.</summary>
    private static Scalar[] ScalarQueryParameters(RouteEndpoint endpoint)
    {
        var names = new List<Scalar>();
        foreach (var binding in endpoint.Metadata.GetOrderedMetadata<IParameterBindingMetadata>())
        {
            var parameter = binding.ParameterInfo;
            var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
            if (!WholeNumberTypes.Contains(type) && type != typeof(bool)) continue;
            var attributes = parameter.GetCustomAttributes().ToList();
            if (attributes.Any(a => a is IFromRouteMetadata or IFromHeaderMetadata or IFromBodyMetadata or IFromServiceMetadata or IFromFormMetadata))
                continue;
            var name = attributes.OfType<IFromQueryMetadata>().FirstOrDefault()?.Name ?? binding.Name;
            if (attributes.OfType<IFromQueryMetadata>().Any() || endpoint.RoutePattern.GetParameter(name) is null) names.Add(new(name, type == typeof(bool)));
        }
        return [.. names];
    }

    public static IApplicationBuilder UseScalarQueryGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (Check(context) is { } reason) throw new GatewayException(ErrorCode.BadRequest, reason);
        await next(context);
    });
}
