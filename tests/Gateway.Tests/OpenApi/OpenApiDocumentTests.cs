using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.OpenApi;

public sealed class OpenApiDocumentTests
{
    private static string CommittedPath => Path.Combine(Backends.RepositoryRoot, "openapi", "gateway.v1.json");

    [Fact]
    public async Task Served_document_matches_the_committed_one()
    {
        await using var server = await GatewayServer.StartAsync();
        var served = await server.Client.GetStringAsync("openapi/v1.json");
        var normalized = Normalize(served);
        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(CommittedPath, normalized);
            return;
        }
        Assert.True(File.Exists(CommittedPath), $"{CommittedPath} is missing; run: bash scripts/update-openapi.sh");
        var committed = Normalize(await File.ReadAllTextAsync(CommittedPath));
        Assert.True(committed == normalized,
            "The served OpenAPI document differs from openapi/gateway.v1.json. If the change is intended, run: bash scripts/update-openapi.sh\n" + FirstDifference(committed, normalized));
    }

    [Fact]
    public async Task Swagger_ui_is_served()
    {
        await using var server = await GatewayServer.StartAsync();
        var html = await server.Client.GetStringAsync("swagger/index.html");
        Assert.Contains("swagger-ui", html);
    }

    [Fact]
    public async Task Document_holds_no_secrets_of_the_configuration()
    {
        const string secret = "s3cr3t-value-that-must-not-leak";
        await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Stores:other:Kind"] = "local",
            ["Gateway:Stores:other:Root"] = Path.Combine(Path.GetTempPath(), secret),
        });
        var served = await server.Client.GetStringAsync("openapi/v1.json");
        Assert.DoesNotContain(secret, served);
    }

    private static string Normalize(string json) =>
        JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

    private static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var el = i < e.Length ? e[i] : "<end>";
            var al = i < a.Length ? a[i] : "<end>";
            if (el != al) return $"line {i + 1}: committed `{el.Trim()}`, served `{al.Trim()}`";
        }
        return "";
    }
}
