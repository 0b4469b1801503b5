using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Primitives;

namespace Gateway.Problems;

/// <summary>
/// The parameters an endpoint binds from the query string, read from its binding metadata once per endpoint: those marked
/// <c>[FromQuery]</c>, and those without a source that are not route values and whose type a query value binds to (a
/// string, a type with <c>TryParse</c>, an array of either). Services, <see cref="HttpContext"/>, cancellation tokens and
/// inferred bodies have no <c>TryParse</c>, so they are not counted.
/// </summary>
internal static class QueryParameters
{
    internal sealed record Bound(string Name, Type Type);

    private static readonly ConditionalWeakTable<Endpoint, Bound[]> Cache = [];

    public static Bound[] Of(RouteEndpoint endpoint) => Cache.GetValue(endpoint, e => Read((RouteEndpoint)e));

    private static Bound[] Read(RouteEndpoint endpoint)
    {
        var bound = new List<Bound>();
        foreach (var binding in endpoint.Metadata.GetOrderedMetadata<IParameterBindingMetadata>())
        {
            var parameter = binding.ParameterInfo;
            var attributes = parameter.GetCustomAttributes().ToList();
            if (attributes.Any(a => a is IFromRouteMetadata or IFromHeaderMetadata or IFromBodyMetadata or IFromServiceMetadata or IFromFormMetadata))
                continue;
            var fromQuery = attributes.OfType<IFromQueryMetadata>().FirstOrDefault();
            var name = fromQuery?.Name ?? binding.Name;
            var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
            if (fromQuery is not null || (endpoint.RoutePattern.GetParameter(name) is null && (binding.HasTryParse || IsQueryValue(type))))
                bound.Add(new(name, type));
        }
        return [.. bound];
    }

    private static bool IsQueryValue(Type type) =>
        type == typeof(string) || type == typeof(StringValues) || type.IsPrimitive || type.IsEnum
        || (type.IsArray && type.GetElementType() is { } element && (element == typeof(string) || element.IsPrimitive || element.IsEnum));
}
