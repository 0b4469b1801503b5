using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Gateway.Testing.OpenApi;

/// <summary>
/// The committed openapi/gateway.v1.json used as the contract for real answers: the status must be listed for the
/// operation, the content type must be one of that answer's documented media types (a body where none is documented
/// is a mismatch too), and a JSON body must validate against the documented schema, components included.
/// Validation is JsonSchema.Net's (OpenAPI 3.1 schemas are JSON Schema 2020-12); nothing here knows a schema by hand.
/// </summary>
public sealed class OpenApiContract
{
    private const string ComponentRef = "\"#/components/schemas/";
    private static readonly Lazy<OpenApiContract> Committed = new(() => new(File.ReadAllText(DocumentPath())));
    private static int _instances;

    private readonly JsonObject _paths;
    private readonly JsonObject _components;
    private readonly Dictionary<string, JsonSchema> _schemas = new(StringComparer.Ordinal);
    private readonly int _instance = Interlocked.Increment(ref _instances);

    public OpenApiContract(string documentJson)
    {
        var document = JsonNode.Parse(documentJson)!.AsObject();
        _paths = document["paths"]!.AsObject();
        _components = document["components"]?["schemas"]?.AsObject() ?? [];
    }

    /// <summary>The committed document, read once per test process.</summary>
    public static OpenApiContract Load() => Committed.Value;

    /// <summary>Every (method, path template) pair the document lists.</summary>
    public IEnumerable<(string Method, string Path)> Operations =>
        _paths.SelectMany(p => p.Value!.AsObject().Where(o => o.Key != "parameters").Select(o => (o.Key.ToUpperInvariant(), p.Key)));

    /// <summary>Null when the answer is what the document says <paramref name="method"/> <paramref name="pathTemplate"/> answers; otherwise why not.</summary>
    public string? Check(string method, string pathTemplate, RawHttp.Response answer)
    {
        var where = $"{method} {pathTemplate} {answer.Status}";
        if (_paths[pathTemplate]?[method.ToLowerInvariant()]?["responses"] is not JsonObject responses)
            return $"{method} {pathTemplate} is not in the OpenAPI document";
        var status = answer.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if ((responses[status] ?? responses[$"{status[0]}XX"] ?? responses["default"]) is not JsonObject response)
            return $"{where}: status not documented (documented: {string.Join(", ", responses.Select(r => r.Key))})";

        if (response["headers"] is JsonObject headers)
            foreach (var (name, header) in headers)
                if (header?["required"]?.GetValue<bool>() == true && !HasHeader(answer, name))
                    return $"{where}: the required header {name} is missing";

        var body = method == "HEAD" || answer.Status is 204 or 304 ? "" : answer.Payload;
        var content = response["content"] as JsonObject;
        if (content is null || content.Count == 0)
            return body.Length == 0 ? null : $"{where}: answers {Describe(answer)} but the document lists no content";
        var mediaType = answer.ContentType.Split(';')[0].Trim().ToLowerInvariant();
        if (body.Length == 0 && mediaType.Length == 0) return method == "HEAD" ? null : $"{where}: an empty answer where the document lists {string.Join(", ", content.Select(c => c.Key))}";
        var documented = content.FirstOrDefault(c => c.Key == mediaType).Value
            ?? content.FirstOrDefault(c => c.Key == mediaType.Split('/')[0] + "/*").Value
            ?? content.FirstOrDefault(c => c.Key == "*/*").Value;
        if (documented is null)
            return $"{where}: answers {Describe(answer)}, the document lists {string.Join(", ", content.Select(c => c.Key))}";
        if (method == "HEAD" || !IsJson(mediaType) || documented["schema"] is not JsonObject schema) return null;

        JsonDocument instance;
        try { instance = JsonDocument.Parse(body); }
        catch (JsonException e) { return $"{where}: the {mediaType} body is not JSON ({e.Message}): {Trim(body)}"; }
        using (instance)
        {
            var results = SchemaFor($"{pathTemplate} {method} {status} {mediaType}", schema)
                .Evaluate(instance.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            if (results.IsValid) return null;
            var errors = (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Value}"));
            return $"{where}: the body does not match the documented schema: {string.Join("; ", errors.Take(5))}: {Trim(body)}";
        }
    }

    private JsonSchema SchemaFor(string key, JsonObject schema)
    {
        lock (_schemas)
        {
            if (_schemas.TryGetValue(key, out var built)) return built;
            // One self-contained 2020-12 schema per answer: the documented schema with the components as $defs.
            var wrapper = new JsonObject
            {
                ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
                ["$id"] = $"https://gateway.test/openapi/{_instance}/{_schemas.Count}",
                ["$defs"] = _components.DeepClone(),
                ["allOf"] = new JsonArray(schema.DeepClone()),
            };
            var text = wrapper.ToJsonString().Replace(ComponentRef, "\"#/$defs/", StringComparison.Ordinal);
            built = JsonSchema.FromText(text);
            _schemas[key] = built;
            return built;
        }
    }

    private static bool IsJson(string mediaType) => mediaType == "application/json" || mediaType.EndsWith("+json", StringComparison.Ordinal);

    private static bool HasHeader(RawHttp.Response answer, string name) =>
        answer.Head.Split("\r\n").Any(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase));

    private static string Describe(RawHttp.Response answer) => answer.ContentType.Length == 0 ? "a body without Content-Type" : answer.ContentType;

    private static string Trim(string text) => text.Length > 300 ? text[..300] + "..." : text;

    private static string DocumentPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "openapi", "gateway.v1.json");
            if (File.Exists(path)) return path;
        }
        throw new InvalidOperationException("openapi/gateway.v1.json not found above the test binary.");
    }
}
