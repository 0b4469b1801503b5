using System.Text.Json;
using Gateway.Testing;

namespace Gateway.Tests.Probes;

/// <summary>A query parameter as the document declares it: its name and its type (integer, boolean or string).</summary>
public sealed record QueryParameter(string Name, string Type);

/// <summary>One operation of the committed OpenAPI document, with what the sweep needs to build requests for it.</summary>
public sealed record SweepOperation(string Method, string Path, IReadOnlyList<string> PathParameters,
    IReadOnlyList<QueryParameter> QueryParameters, bool JsonBody, bool HasBody)
{
    /// <summary>
    /// The path with every parameter well-formed except <paramref name="hostile"/>, whose value goes as given (already
    /// percent-encoded or deliberately not).
    /// </summary>
    public string Target(Func<string, string> wellFormed, (string Name, string Value)? hostile = null)
    {
        var target = Path;
        foreach (var name in PathParameters)
        {
            var value = hostile is { } h && h.Name == name
                ? h.Value
                : string.Join('/', wellFormed(name).Split('/').Select(Uri.EscapeDataString));
            target = target.Replace("{" + name + "}", value, StringComparison.Ordinal);
        }
        return target;
    }

    /// <summary>A body the operation accepts (for the operations that take one), so only the probed part is wrong.</summary>
    public (string Body, string ContentType)? WellFormedBody() => (Method, Path) switch
    {
        ("PUT", "/v1/stores/{store}/buckets/{bucket}/objects/{key}") => ("hello again", "text/plain"),
        ("POST", "/v1/stores/{store}/copy") => ($"{{\"source\":{{\"bucket\":\"{ProbeGateway.Bucket}\",\"key\":\"{ProbeGateway.Key}\"}},\"target\":{{\"bucket\":\"{ProbeGateway.Bucket}\",\"key\":\"copy.txt\"}}}}", "application/json"),
        ("POST", "/v1/migrations") => ($"{{\"source\":{{\"store\":\"local\",\"bucket\":\"{ProbeGateway.Bucket}\"}},\"target\":{{\"store\":\"local\",\"bucket\":\"{ProbeGateway.TargetBucket}\"}},\"dryRun\":true}}", "application/json"),
        ("POST", "/v1/docker/{host}/containers") => ("{\"image\":\"gw-probe/none:1\"}", "application/json"),
        ("PUT", "/v1/kubernetes/{cluster}/namespaces/{namespace}/deployments/{deployment}/scale") => ("{\"replicas\":1}", "application/json"),
        ("POST", "/v1/docker/{host}/images/load") => ("not a tar archive", "application/x-tar"),
        _ when JsonBody => ("{}", "application/json"),
        _ => null,
    };

    private static readonly Lazy<IReadOnlyList<SweepOperation>> Document = new(Load);

    public static IReadOnlyList<SweepOperation> All() => Document.Value;

    private static List<SweepOperation> Load()
    {
        var file = System.IO.Path.Combine(Backends.RepositoryRoot, "openapi", "gateway.v1.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var list = new List<SweepOperation>();
        foreach (var path in doc.RootElement.GetProperty("paths").EnumerateObject())
        foreach (var op in path.Value.EnumerateObject().Where(o => o.Name != "parameters"))
        {
            var pathParameters = new List<string>();
            var query = new List<QueryParameter>();
            if (op.Value.TryGetProperty("parameters", out var ps))
                foreach (var p in ps.EnumerateArray())
                {
                    var name = p.GetProperty("name").GetString()!;
                    if (p.GetProperty("in").GetString() == "path") pathParameters.Add(name);
                    else if (p.GetProperty("in").GetString() == "query") query.Add(new QueryParameter(name, TypeOf(p)));
                }
            var hasBody = op.Value.TryGetProperty("requestBody", out var body);
            var json = hasBody && body.TryGetProperty("content", out var content) && content.TryGetProperty("application/json", out _);
            list.Add(new SweepOperation(op.Name.ToUpperInvariant(), path.Name, pathParameters, query, json, hasBody));
        }
        if (list.Count < 40) throw new InvalidOperationException($"only {list.Count} operations in {file}");
        return list;
    }

    private static string TypeOf(JsonElement parameter)
    {
        if (!parameter.TryGetProperty("schema", out var schema) || !schema.TryGetProperty("type", out var type)) return "string";
        var text = type.ToString();
        return text.Contains("integer", StringComparison.Ordinal) ? "integer" : text.Contains("boolean", StringComparison.Ordinal) ? "boolean" : "string";
    }
}
