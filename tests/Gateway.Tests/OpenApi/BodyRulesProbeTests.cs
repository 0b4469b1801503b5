using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Testing;
using Json.Schema;
using Xunit;

namespace Gateway.Tests.OpenApi;

/// <summary>
/// The committed OpenAPI document states the rules of the copy and migration bodies: a body the documented schema refuses
/// must be a 400 problem, and one it accepts must not be. Until 2026-12-03 a migration's source and target were
/// documented as nullable and optional, its mode, verify and concurrency as any value, and the names in both bodies as
/// any string, though the gateway refuses all of those.
/// </summary>
public sealed class BodyRulesProbeTests : IAsyncLifetime
{
    private const string Bucket = "body-rules";
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await GatewayServer.StartAsync();
        foreach (var bucket in new[] { Bucket, Bucket + "-target" })
            (await _server.Client.PutAsync($"v1/stores/local/buckets/{bucket}", null)).EnsureSuccessStatusCode();
        (await _server.Client.PutAsync($"v1/stores/local/buckets/{Bucket}/objects/a.txt", new StringContent("a"))).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string Migration(string change) =>
        "{\"source\":{\"store\":\"local\",\"bucket\":\"" + Bucket + "\"},\"target\":{\"store\":\"local\",\"bucket\":\"" + Bucket + "-target\"},\"dryRun\":true" + change + "}";

    private static string Copy(string source = "\"a.txt\"", string target = "\"b.txt\"", string targetBucket = "\"" + Bucket + "\"", string change = "") =>
        "{\"source\":{\"bucket\":\"" + Bucket + "\",\"key\":" + source + "},\"target\":{\"bucket\":" + targetBucket + ",\"key\":" + target + "}" + change + "}";

    private static readonly (string Path, string Body)[] Samples =
    [
        ("/v1/migrations", Migration("")),
        ("/v1/migrations", Migration(",\"mode\":\"sync\",\"verify\":\"size\",\"concurrency\":1,\"bandwidthLimit\":0")),
        ("/v1/migrations", Migration(",\"concurrency\":64,\"bandwidthLimit\":1024,\"include\":[\"**/*.txt\"],\"exclude\":[\"tmp/**\"]")),
        ("/v1/migrations", Migration(",\"mode\":null,\"verify\":null,\"concurrency\":null,\"bandwidthLimit\":null")),
        ("/v1/migrations", Migration(",\"mode\":\"bogus\"")),
        // The enums are lower-case in the document: "MOVE" started a real move (session-42 probe).
        ("/v1/migrations", Migration(",\"mode\":\"MOVE\"")),
        ("/v1/migrations", Migration(",\"verify\":\"Size\"")),
        ("/v1/migrations", Migration(",\"verify\":\"md5\"")),
        ("/v1/migrations", Migration(",\"concurrency\":0")),
        ("/v1/migrations", Migration(",\"concurrency\":65")),
        ("/v1/migrations", Migration(",\"bandwidthLimit\":5")),
        // JSON Schema's integer is any whole JSON number: 8.0 and 1e3 are whole, 1.5 and 6.5e1 are not (session-42 probe).
        ("/v1/migrations", Migration(",\"concurrency\":8.0,\"bandwidthLimit\":1e3")),
        ("/v1/migrations", Migration(",\"concurrency\":6.4E+1,\"bandwidthLimit\":1048576.000")),
        ("/v1/migrations", Migration(",\"concurrency\":0.08e2,\"bandwidthLimit\":-0.0e5")),
        ("/v1/migrations", Migration(",\"concurrency\":6.5e1")),
        ("/v1/migrations", Migration(",\"concurrency\":1.5")),
        ("/v1/migrations", Migration(",\"bandwidthLimit\":1024.5")),
        ("/v1/migrations", Migration(",\"bandwidthLimit\":-1")),
        ("/v1/migrations", Migration(",\"include\":[\"\"]")),
        ("/v1/migrations", Migration(",\"exclude\":[\"a\\u0001\"]")),
        ("/v1/migrations", "{\"source\":null,\"target\":{\"store\":\"local\",\"bucket\":\"" + Bucket + "-target\"},\"dryRun\":true}"),
        ("/v1/migrations", "{\"target\":{\"store\":\"local\",\"bucket\":\"" + Bucket + "-target\"},\"dryRun\":true}"),
        ("/v1/migrations", "{\"source\":{\"store\":\"local\",\"bucket\":\"" + Bucket + "\"},\"target\":null,\"dryRun\":true}"),
        ("/v1/migrations", "{\"source\":{\"store\":\"Local\",\"bucket\":\"" + Bucket + "\"},\"target\":{\"store\":\"local\",\"bucket\":\"" + Bucket + "-target\"},\"dryRun\":true}"),
        ("/v1/migrations", "{\"source\":{\"store\":\"local\",\"bucket\":\"ab\"},\"target\":{\"store\":\"local\",\"bucket\":\"" + Bucket + "-target\"},\"dryRun\":true}"),
        ("/v1/migrations", "{\"source\":{\"store\":\"local\",\"bucket\":\"" + Bucket + "\",\"prefix\":\"in/\"},\"target\":{\"store\":\"local\",\"bucket\":\"" + Bucket + "-target\",\"prefix\":\"\"},\"dryRun\":true}"),
        ("/v1/migrations", "{\"source\":{\"store\":\"local\",\"bucket\":\"" + Bucket + "\",\"prefix\":\"in/../x\"},\"target\":{\"store\":\"local\",\"bucket\":\"" + Bucket + "-target\"},\"dryRun\":true}"),
        ("/v1/stores/local/copy", Copy()),
        ("/v1/stores/local/copy", Copy(target: "\"dir/x\\\\y.txt\"")),
        ("/v1/stores/local/copy", Copy(change: ",\"metadataDirective\":\"replace\",\"contentType\":\"text/plain\"")),
        ("/v1/stores/local/copy", Copy(change: ",\"metadataDirective\":\"copy\"")),
        ("/v1/stores/local/copy", Copy(change: ",\"metadataDirective\":\"move\"")),
        ("/v1/stores/local/copy", Copy(change: ",\"metadataDirective\":\"REPLACE\",\"contentType\":\"text/plain\"")),
        ("/v1/stores/local/copy", Copy(change: ",\"metadataDirective\":\"Copy\"")),
        ("/v1/stores/local/copy", Copy(target: "\"a/../b\"")),
        ("/v1/stores/local/copy", Copy(target: "\"/b\"")),
        ("/v1/stores/local/copy", Copy(target: "\"\"")),
        ("/v1/stores/local/copy", Copy(target: "\"" + new string('k', 1025) + "\"")),
        ("/v1/stores/local/copy", Copy(targetBucket: "\"a--b\"")),
        ("/v1/stores/local/copy", Copy(targetBucket: "\"10.0.0.1\"")),
    ];

    [Fact]
    public async Task Every_body_the_document_refuses_is_a_400_and_none_it_accepts_is()
    {
        var document = JsonNode.Parse(File.ReadAllText(Path.Combine(Backends.RepositoryRoot, "openapi", "gateway.v1.json")))!;
        var failures = new List<string>();
        foreach (var (path, body) in Samples)
        {
            var template = path == "/v1/migrations" ? path : "/v1/stores/{store}/copy";
            var schema = document["paths"]![template]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!;
            var documented = Accepts(document, schema, body);
            var answer = await RawHttp.SendAsync(_server, "POST", path, body, ["Content-Type: application/json"]);
            if (documented == (answer.Status == 400))
                failures.Add($"POST {path} {Show(body)}: the document {(documented ? "accepts" : "refuses")} it, the gateway answered {answer.Status} {answer.Payload}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>Whether the documented body schema, with the document's components, takes the body.</summary>
    private static bool Accepts(JsonNode document, JsonNode schema, string body)
    {
        var wrapper = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = "https://gateway.test/body-rules/" + Guid.NewGuid().ToString("N"),
            ["$defs"] = document["components"]!["schemas"]!.DeepClone(),
            ["allOf"] = new JsonArray(schema.DeepClone()),
        };
        var text = wrapper.ToJsonString().Replace("\"#/components/schemas/", "\"#/$defs/", StringComparison.Ordinal);
        using var instance = JsonDocument.Parse(body);
        return JsonSchema.FromText(text).Evaluate(instance.RootElement).IsValid;
    }

    private static string Show(string body) => body.Length > 200 ? body[..200] + "..." : body;
}
