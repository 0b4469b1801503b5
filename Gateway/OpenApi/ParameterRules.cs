using System.Globalization;
using System.Text.Json.Nodes;
using Gateway.ChannelHosting;
using Gateway.Contracts.Clusters;
using Gateway.Contracts.ObjectStorage;
using Gateway.Migrations;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gateway.OpenApi;

/// <summary>
/// The rules the gateway checks its path and query values against, written into the parameters' schemas (patterns,
/// lengths, bounds, enums, required), so a client or an API fuzzer reading the document knows what is refused with a
/// 400 before it sends it. The checks themselves stay where they are (ObjectNames, the endpoints);
/// <c>ParameterRulesProbeTests</c> sends the values on both sides of every rule written here and fails when the document
/// and the gateway disagree.
/// </summary>
internal static class ParameterRules
{
    // ECMA-262 patterns (what JSON Schema's "pattern" is), anchored around ObjectNames' own.
    internal const string StoreName = "^" + ObjectNames.StoreNamePattern + "$";
    internal const string BucketName = "^" + ObjectNames.BucketNamePattern + "$";
    internal const string IPv4Shape = "^" + ObjectNames.IPv4ShapePattern + "$";

    // A key: segments of anything but control characters, U+FFFE and U+FFFF (ObjectNames.IsNotXmlCharacter), split at '/'
    // and '\' (sent as %5C), none of them '.' or '..', the first one not empty (no leading '/' or '\').
    internal const string Segment = @"(?:\.{0,2}[^\u0000-\u001F\u007F\uFFFE\uFFFF/\\.][^\u0000-\u001F\u007F\uFFFE\uFFFF/\\]*|\.{3}[^\u0000-\u001F\u007F\uFFFE\uFFFF/\\]*)";
    internal const string Key = "^" + Segment + @"(?:[/\\]" + Segment + "?)*$";
    // A listing prefix comes in the query, where a backslash is taken: the key rules split segments at both.
    private const string Prefix = "^(?:" + Segment + @"(?:[/\\]" + Segment + "?)*)?$";
    // A REST upstream path: no backslash (the request target refuses it, %5C too), no segment that is '.' or '..'.
    private const string RestPath = @"^(?!(?:.*/)?\.{1,2}(?:;[^/]*)?(?:/|$))[^\\]*$";
    internal const string Delimiter = @"^[^\u0000-\u001F\u007F-\u009F\uFFFE\uFFFF]*$";

    /// <summary>A migration glob: the delimiter's characters, without rclone's '?', '[...]', '{a,b}' and '\' (KeyFilter refuses them).</summary>
    internal const string Glob = @"^[^\u0000-\u001F\u007F-\u009F\uFFFE\uFFFF?\[\]{}\\]*$";

    public static void Configure(OpenApiOptions options) =>
        options.AddOperationTransformer((operation, _, _) =>
        {
            Apply(operation);
            return Task.CompletedTask;
        });

    private static void Apply(OpenApiOperation operation)
    {
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            if (parameter.Schema is not OpenApiSchema schema) continue;
            if (parameter.In == ParameterLocation.Path) PathRule(parameter, schema, operation.OperationId);
            else if (parameter.In == ParameterLocation.Query) QueryRule(parameter, schema, operation.OperationId);
        }
    }

    private static void PathRule(OpenApiParameter parameter, OpenApiSchema schema, string? operationId)
    {
        switch (parameter.Name)
        {
            case "store":
                Text(schema, StoreName, 1, 63);
                parameter.Description ??= "A configured store's name (GET /v1/stores): 1-63 of a-z, 0-9 and '-', starting with a letter or digit.";
                break;
            case "bucket":
                Text(schema, BucketName, 3, 63);
                schema.Not = new OpenApiSchema { Pattern = IPv4Shape };
                parameter.Description ??= "S3's bucket-name rules: 3-63 of a-z, 0-9, single '-' and single '.', each dot-separated part starting "
                    + "and ending with a letter or digit, not shaped like an IP address (no '.' on a store whose capabilities say dottedBucketNames: false).";
                break;
            case "key":
                Text(schema, Key, 1, ObjectNames.MaxKeyBytes);
                parameter.Description ??= $"The object key, 1-{ObjectNames.MaxKeyBytes} bytes of UTF-8, percent-encoded, its '/' sent as '/' (%2F is refused) and a backslash as %5C: "
                    + "no control characters, no U+FFFE or U+FFFF, no leading '/' or backslash, no '.' or '..' segment between either.";
                break;
            case "path" when operationId?.EndsWith("ToUpstream", StringComparison.Ordinal) == true:
                schema.Pattern = RestPath;
                parameter.Description ??= "The path below the upstream, percent-encoded, its '/' sent as '/' (%2F and %5C are refused); "
                    + "no backslash and no '.' or '..' segment (plain or %2e, nor with path parameters: '..;x'); it may be empty.";
                break;
            case "requestId" when operationId is "GetWitnesses" or "GetWitnessProofs":
                Text(schema, null, 1, 128);
                parameter.Description ??= "A gateway request's id: the X-Request-Id header of its answer (1-128 characters).";
                break;
        }
    }

    private static void QueryRule(OpenApiParameter parameter, OpenApiSchema schema, string? operationId)
    {
        switch (operationId, parameter.Name)
        {
            case ("ListObjects", "prefix"):
                Text(schema, Prefix, null, ObjectNames.MaxKeyBytes);
                parameter.Description ??= "Only keys that start with it: empty, or a key by the key rules.";
                break;
            case ("ListObjects", "delimiter"):
                Text(schema, Delimiter, null, ObjectNames.MaxKeyBytes);
                parameter.Description ??= $"Keys sharing a prefix up to it are rolled into commonPrefixes: at most {ObjectNames.MaxKeyBytes} bytes of UTF-8, no control characters, no U+FFFE or U+FFFF.";
                break;
            case ("ListObjects", "pageToken"):
                Text(schema, null, null, 4096);
                parameter.Description ??= "The nextPageToken of the previous page of the same listing (opaque, sealed to it).";
                break;
            case ("ListObjects" or "ListMigrations" or "ListMigrationItems", "pageSize"):
                Bounds(schema, 1, 1000);
                break;
            case ("ListMigrationItems", "state"):
                OneOf(schema, MigrationItemStates.ItemStates);
                parameter.Description ??= "Only items in this state (lower case, as the report writes it).";
                break;
            case ("ListMigrationItems", "action"):
                OneOf(schema, MigrationItemStates.ItemActions);
                parameter.Description ??= "Only items of this action (lower case, as the report writes it).";
                break;
            case ("ListAuditEntries" or "GetWitnesses" or "GetWitnessProofs" or "ListPendingAuditCalls", "after"):
                Bounds(schema, 0, null);
                break;
            case ("ListAuditEntries" or "GetWitnesses" or "ListPendingAuditCalls", "limit"):
                Bounds(schema, 1, ChannelEndpoints.MaxPage);
                break;
            case ("GetWitnessProofs", "limit"):
                Bounds(schema, 1, ChannelEndpoints.MaxProofPage);
                break;
            case ("ListNamespaces" or "ListPods" or "ListDeployments" or "ListEvents", "limit"):
                Bounds(schema, 1, ClusterListQuery.MaxLimit);
                parameter.Description ??= $"Page size, {ClusterListQuery.DefaultLimit} when absent (kubectl's chunk size): the answer's continue fetches the next page.";
                break;
            case ("GetAuditConsistency", "from" or "to"):
                Bounds(schema, 1, null);
                parameter.Required = true;
                parameter.Description ??= "A tree size, 1 <= from <= to <= the latest signed head's size.";
                break;
        }
    }

    internal static void Text(OpenApiSchema schema, string? pattern, int? minLength, int? maxLength)
    {
        schema.Pattern = pattern;
        schema.MinLength = minLength;
        schema.MaxLength = maxLength;
    }

    internal static void Bounds(OpenApiSchema schema, long? minimum, long? maximum)
    {
        schema.Minimum = minimum?.ToString(CultureInfo.InvariantCulture);
        schema.Maximum = maximum?.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The values a string takes; a nullable one (a JSON member the body may set to null) takes null too.</summary>
    internal static void OneOf(OpenApiSchema schema, IEnumerable<string> values)
    {
        schema.Enum = values.Select(v => (JsonNode)JsonValue.Create(v)).ToList();
        if (schema.Type is { } type && type.HasFlag(JsonSchemaType.Null)) schema.Enum.Add(null!);
    }
}
