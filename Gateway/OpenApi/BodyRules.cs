using Gateway.Contracts.ObjectStorage;
using Gateway.Migrations;
using Gateway.Storage;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gateway.OpenApi;

/// <summary>
/// The rules the gateway checks a copy's and a migration's JSON body against, written into their schemas as
/// <see cref="ParameterRules"/> does for path and query values: required members that may not be null, name patterns,
/// enums and bounds. The checks stay in MigrationSpec, ObjectNames and the copy endpoint; <c>BodyRulesProbeTests</c>
/// sends bodies on both sides of each rule and fails when the document and the gateway disagree.
/// </summary>
internal static class BodyRules
{
    // A key in a JSON body follows the path's key rules (segments split at '/' and '\').
    private const string BodyKey = ParameterRules.Key;

    public static void Configure(OpenApiOptions options)
    {
        options.AddSchemaTransformer((schema, context, _) =>
        {
            if (schema is OpenApiSchema s) Apply(s, context.JsonTypeInfo.Type);
            return Task.CompletedTask;
        });
        // The generator wraps a nullable reference in oneOf [null, $ref] after the schema transformers ran, so the null
        // branch of a member MigrationSpec refuses when null (a 400) is taken out of the finished component here.
        options.AddDocumentTransformer((document, _, _) =>
        {
            if (document.Components?.Schemas?.TryGetValue(nameof(MigrationRequest), out var found) == true && found is OpenApiSchema request)
                foreach (var name in new[] { "source", "target" })
                    Property(request, name, p => p.OneOf = p.OneOf?.Where(o => o is not OpenApiSchema { Type: JsonSchemaType.Null }).ToList());
            return Task.CompletedTask;
        });
    }

    private static void Apply(OpenApiSchema schema, Type type)
    {
        if (type == typeof(ObjectLocation))
        {
            Property(schema, "bucket", p => Bucket(p));
            Property(schema, "key", p => ParameterRules.Text(p, BodyKey, 1, ObjectNames.MaxKeyBytes));
        }
        else if (type == typeof(MigrationLocation))
        {
            Property(schema, "store", p => ParameterRules.Text(p, ParameterRules.StoreName, 1, 63));
            Property(schema, "bucket", p => Bucket(p));
            Property(schema, "prefix", p => ParameterRules.Text(p, "^(?:" + BodyKey[1..^1] + ")?$", null, ObjectNames.MaxKeyBytes));
        }
        else if (type == typeof(CopyObjectBody))
        {
            Property(schema, "metadataDirective", p => ParameterRules.OneOf(p, ["copy", "replace"]));
        }
        else if (type == typeof(MigrationRequest))
        {
            // MigrationSpec refuses a missing or null source and target with a 400, so neither is optional (nor nullable: below).
            foreach (var name in new[] { "source", "target" })
            {
                schema.Required ??= new HashSet<string>();
                schema.Required.Add(name);
            }
            Property(schema, "mode", p => ParameterRules.OneOf(p, Enum.GetNames<MigrationMode>().Select(n => n.ToLowerInvariant())));
            Property(schema, "verify", p => ParameterRules.OneOf(p, Enum.GetNames<VerifyMode>().Select(n => n.ToLowerInvariant())));
            Property(schema, "concurrency", p => ParameterRules.Bounds(p, 1, MigrationSpec.MaxConcurrency));
            Property(schema, "bandwidthLimit", p =>
            {
                p.Minimum = "0";
                p.Description = "Bytes per second: 0 (no limit, the default) or at least 1024.";
                p.AnyOf = [new OpenApiSchema { Maximum = "0" }, new OpenApiSchema { Minimum = "1024" }];
            });
            foreach (var name in new[] { "include", "exclude" })
                Property(schema, name, p =>
                {
                    p.MaxItems = 100;
                    if (p.Items is OpenApiSchema item) ParameterRules.Text(item, ParameterRules.Glob, 1, 1024);
                });
        }
    }

    private static void Bucket(OpenApiSchema schema)
    {
        ParameterRules.Text(schema, ParameterRules.BucketName, 3, 63);
        schema.Not = new OpenApiSchema { Pattern = ParameterRules.IPv4Shape };
    }

    private static void Property(OpenApiSchema schema, string name, Action<OpenApiSchema> rule)
    {
        if (schema.Properties is not null && schema.Properties.TryGetValue(name, out var found) && found is OpenApiSchema property) rule(property);
    }
}
