using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Testing;
using Json.Schema;
using Xunit;

namespace Gateway.Tests.OpenApi;

/// <summary>
/// The committed OpenAPI document states the rules of the path and query values (patterns, lengths, bounds, enums,
/// required): a value the document's schema refuses must be a 400 problem, and one it accepts must not be a 400, so a
/// client or an API fuzzer that reads the document is neither surprised by a refusal nor told a value is wrong that the
/// gateway takes. Until 2026-12-03 every store, bucket and key was any string, pageSize any integer, state and action
/// any string, and the consistency proof's from and to were optional, though the gateway refuses all of those.
/// </summary>
public sealed class ParameterRulesProbeTests : IAsyncLifetime
{
    private const string Bucket = "rules-bucket";
    private const string Key = "there.txt";
    private GatewayServer _server = null!;
    private string _migrationId = null!;

    public async Task InitializeAsync()
    {
        _server = await GatewayServer.StartAsync();
        (await _server.Client.PutAsync($"v1/stores/local/buckets/{Bucket}", null)).EnsureSuccessStatusCode();
        (await _server.Client.PutAsync($"v1/stores/local/buckets/{Bucket}-target", null)).EnsureSuccessStatusCode();
        (await _server.Client.PutAsync($"v1/stores/local/buckets/{Bucket}/objects/{Key}", new StringContent("here"))).EnsureSuccessStatusCode();
        var migration = await _server.Client.PostAsJsonAsync("v1/migrations", new
        {
            source = new { store = "local", bucket = Bucket },
            target = new { store = "local", bucket = Bucket + "-target" },
            dryRun = true,
        });
        migration.EnsureSuccessStatusCode();
        _migrationId = (await migration.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>(operation, parameter, values): each value is sent alone in that parameter, as given (already percent-encoded).</summary>
    private static readonly (string Operation, string Parameter, string[] Values)[] Samples =
    [
        ("GetBucket", "store", ["local", "nostore", "a", "0-x", new string('s', 63), new string('s', 64), "-a", "A", "a_b", "a.b"]),
        ("GetBucket", "bucket", [Bucket, "abc", "a-b.c", "1.2.3", new string('b', 63), new string('b', 64), "ab", "a--b", "a..b", "a.-b",
            "1.2.3.4", "-ab", "ab-", "Abc", "a_b"]),
        ("GetObject", "key", [Key, "a", "a/b", "dir/", "a//b", "...", "a/.../b", ".a", "..a", "%C3%A9", "%25", new string('k', 1024),
            new string('k', 1025), "a/./b", "a%01b", "a%5Cb", "a%7Fb"]),
        ("ListObjects", "prefix", ["", "a/", "a", "..a/", new string('p', 1024), new string('p', 1025), "a/./", "%01", "a%5C"]),
        ("ListObjects", "delimiter", ["/", "ab", "%C3%A9", new string('d', 1024), new string('d', 1025), "%01", "%C2%85"]),
        ("ListObjects", "pageSize", ["1", "1000", "0", "1001", "-1"]),
        ("ListObjects", "pageToken", ["", new string('t', 4097)]),
        ("ListMigrations", "pageSize", ["1", "1000", "0", "1001"]),
        ("ListMigrationItems", "state", ["planned", "done", "skipped", "failed", "FAILED", "Failed", "bogus", ""]),
        ("ListMigrationItems", "action", ["copy", "identical", "delete", "newer-at-target", "gone-at-source", "COPY", "bogus"]),
        ("ListMigrationItems", "pageSize", ["1", "1000", "0", "1001"]),
        ("ListAuditEntries", "after", ["0", "5", "-1"]),
        ("ListAuditEntries", "limit", ["1", "1000", "0", "1001"]),
        ("GetWitnesses", "requestId", ["no-such-request", new string('r', 128), new string('r', 129)]),
        ("GetWitnesses", "after", ["0", "-1"]),
        ("GetWitnesses", "limit", ["1", "1000", "0", "1001"]),
        ("GetWitnessProofs", "requestId", ["no-such-request", new string('r', 128), new string('r', 129)]),
        ("GetWitnessProofs", "limit", ["1", "100", "0", "101"]),
        ("ListPendingAuditCalls", "after", ["0", "-1"]),
        ("ListPendingAuditCalls", "limit", ["1", "1000", "0", "1001"]),
        ("GetAuditConsistency", "from", ["1", "0", "-1"]),
        // Until 2026-12-03 the REST path was any string, though dot segments and backslashes are refused (upstream 'nope' is 404).
        ("ForwardGetToUpstream", "path", ["", "a", "a/b", "a//b", "a/", "...", "a/.../b", ".a", "..a/b", "%C3%A9", "a%01b", "a%3Bv=1",
            ".", "..", "a/./b", "a/..", "a/%2e%2e/b", "%2E", "a%5Cb",
            // (2026-12-05) a dot segment with path parameters, which servlet containers take as the dot segment; ';' elsewhere is fine.
            "..;/b", "a/..;x=1/b", ".;", "..%3B", "a;../b", "..a;b", ";.."]),
    ];

    [Fact]
    public async Task Every_value_the_document_refuses_is_a_400_and_none_it_accepts_is()
    {
        var operations = DocumentOperations();
        var failures = new List<string>();
        var tried = 0;
        foreach (var (operationId, name, values) in Samples)
        {
            if (!operations.TryGetValue(operationId, out var operation))
            {
                failures.Add($"the document has no operation {operationId}");
                continue;
            }
            var parameter = operation.Parameters.FirstOrDefault(p => p["name"]!.GetValue<string>() == name);
            if (parameter is null)
            {
                failures.Add($"{operationId} documents no parameter {name}");
                continue;
            }
            foreach (var value in values)
            {
                var documented = Accepts(parameter["schema"]!.AsObject(), Uri.UnescapeDataString(value));
                var answer = await RawHttp.SendAsync(_server, operation.Method, Target(operation, name, value));
                tried++;
                if (documented == (answer.Status == 400))
                    failures.Add($"{operationId} {name}={Show(value)}: the document {(documented ? "accepts" : "refuses")} it, the gateway answered {answer.Status}");
            }
        }
        Assert.True(tried > 100, $"only {tried} values tried");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task A_query_parameter_the_document_requires_is_a_400_when_it_is_missing()
    {
        var failures = new List<string>();
        var required = 0;
        foreach (var (operationId, operation) in DocumentOperations())
        foreach (var parameter in operation.Parameters.Where(p => p["in"]!.GetValue<string>() == "query" && p["required"]?.GetValue<bool>() == true))
        {
            required++;
            var name = parameter["name"]!.GetValue<string>();
            // Every other required parameter given a valid value, this one left out.
            var others = operation.Parameters.Where(p => p["in"]!.GetValue<string>() == "query" && p["required"]?.GetValue<bool>() == true
                && p["name"]!.GetValue<string>() != name).Select(p => p["name"]!.GetValue<string>() + "=1");
            var target = Fill(operation.Path) + (others.Any() ? "?" + string.Join("&", others) : "");
            var answer = await RawHttp.SendAsync(_server, operation.Method, target);
            if (answer.Status != 400) failures.Add($"{operationId} without {name}: {answer.Status}");
        }
        var consistency = DocumentOperations()["GetAuditConsistency"].Parameters;
        Assert.All(new[] { "from", "to" }, name => Assert.True(consistency.Single(p => p["name"]!.GetValue<string>() == name)["required"]?.GetValue<bool>() == true,
            $"the consistency proof's {name} is not documented as required"));
        Assert.True(required >= 2, $"only {required} required query parameters");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private sealed record Operation(string Method, string Path, IReadOnlyList<JsonObject> Parameters);

    private static Dictionary<string, Operation> DocumentOperations()
    {
        var document = JsonNode.Parse(File.ReadAllText(Path.Combine(Backends.RepositoryRoot, "openapi", "gateway.v1.json")))!;
        var operations = new Dictionary<string, Operation>(StringComparer.Ordinal);
        foreach (var (path, item) in document["paths"]!.AsObject())
        foreach (var (method, op) in item!.AsObject())
        {
            if (op?["operationId"]?.GetValue<string>() is not { } id) continue;
            if (!path.StartsWith("/v1/stores", StringComparison.Ordinal) && !path.StartsWith("/v1/migrations", StringComparison.Ordinal)
                && !path.StartsWith("/v1/audit", StringComparison.Ordinal) && !path.StartsWith("/v1/witnesses", StringComparison.Ordinal)
                && !path.StartsWith("/v1/rest", StringComparison.Ordinal)) continue;
            var parameters = (op["parameters"] as JsonArray ?? []).Select(p => p!.AsObject()).ToList();
            operations[id] = new Operation(method.ToUpperInvariant(), path, parameters);
        }
        return operations;
    }

    /// <summary>The operation's path with things that exist, the parameter under test set to <paramref name="value"/>.</summary>
    private string Target(Operation operation, string name, string value)
    {
        var inPath = operation.Path.Contains("{" + name + "}", StringComparison.Ordinal);
        var path = Fill(inPath ? operation.Path.Replace("{" + name + "}", value, StringComparison.Ordinal) : operation.Path);
        var query = inPath ? "" : $"{name}={value}";
        if (operation.Path.EndsWith("/consistency", StringComparison.Ordinal)) query += "&to=1";
        return query.Length == 0 ? path : path + "?" + query.TrimStart('&');
    }

    private string Fill(string path) => path
        .Replace("{store}", "local", StringComparison.Ordinal)
        .Replace("{bucket}", Bucket, StringComparison.Ordinal)
        .Replace("{key}", Key, StringComparison.Ordinal)
        .Replace("{id}", _migrationId, StringComparison.Ordinal)
        .Replace("{requestId}", "no-such-request", StringComparison.Ordinal)
        .Replace("{upstream}", "nope", StringComparison.Ordinal);

    /// <summary>Whether the parameter's documented schema takes the value (an integer parameter takes only integers).</summary>
    private static bool Accepts(JsonObject schema, string value)
    {
        JsonNode? instance = schema["type"]?.GetValue<string>() == "integer"
            ? long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number)
                ? JsonValue.Create(number) : JsonValue.Create(value)
            : JsonValue.Create(value);
        var wrapper = new JsonObject { ["$schema"] = "https://json-schema.org/draft/2020-12/schema" };
        foreach (var (k, v) in schema) wrapper[k] = v?.DeepClone();
        return JsonSchema.FromText(wrapper.ToJsonString()).Evaluate(JsonSerializer.SerializeToElement(instance)).IsValid;
    }

    private static string Show(string value) => value.Length > 40 ? $"{value[..10]}...({value.Length} characters)" : $"'{value}'";
}
