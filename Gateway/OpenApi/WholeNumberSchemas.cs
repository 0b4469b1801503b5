using Gateway.Problems;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gateway.OpenApi;

/// <summary>
/// Gives int and long back their <c>integer</c> type: the generator leaves a type with a custom JSON converter
/// untyped, and <see cref="WholeNumberConverter{T}"/> is one (it reads a body's whole numbers as JSON Schema's
/// <c>integer</c> does). Query and path values of these types are the same integers.
/// </summary>
internal static class WholeNumberSchemas
{
    public static void Configure(OpenApiOptions options) => options.AddSchemaTransformer((schema, context, _) =>
    {
        var type = context.JsonTypeInfo.Type;
        var bare = Nullable.GetUnderlyingType(type) ?? type;
        if (schema is not OpenApiSchema s || !WholeNumberConverter<int>.Types.Contains(bare)) return Task.CompletedTask;
        s.Format ??= bare == typeof(int) ? "int32" : "int64";
        // As the generator types them: a nullable body member may be null; a query value is absent instead.
        s.Type = bare != type && context.JsonPropertyInfo is not null ? JsonSchemaType.Integer | JsonSchemaType.Null : JsonSchemaType.Integer;
        return Task.CompletedTask;
    });
}
