using System.Text.Json;
using Gateway.Testing;
using Gateway.Testing.OpenApi;
using Xunit;

namespace Gateway.Tests.Probes;

/// <summary>
/// Black-box probes of the operator endpoints on a gateway that has made no bridge call yet: what an empty audit log
/// answers, and the document path for a name that is not the document. Each refusal is a problem+json the committed
/// OpenAPI document declares for its operation.
/// </summary>
public sealed class OperatorEndpointProbeTests : IAsyncLifetime
{
    private GatewayServer _server = null!;
    private readonly OpenApiContract _contract = OpenApiContract.Load();

    public async Task InitializeAsync() => _server = await GatewayServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task An_audit_log_without_a_signed_head_answers_a_declared_404_and_a_request_missing_its_sizes_a_400()
    {
        // Nothing has reached a bridge: the log has no head yet. The 404 was answered but not in the document.
        foreach (var (target, template) in new[] { ("/v1/audit/head", "/v1/audit/head"), ("/v1/audit/consistency?from=1&to=1", "/v1/audit/consistency") })
        {
            var answer = await RawHttp.SendAsync(_server, "GET", target);
            ExpectProblem(answer, 404, "not-found", target);
            Assert.Null(_contract.Check("GET", template, answer));
        }
        // Missing sizes are wrong whatever the log holds: the 400 says so before the empty log's 404.
        var missing = await RawHttp.SendAsync(_server, "GET", "/v1/audit/consistency?from=1");
        ExpectProblem(missing, 400, "bad-request", "/v1/audit/consistency?from=1");
        Assert.Contains("'from' and 'to'", missing.Payload, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/openapi/v2.json")]
    [InlineData("/openapi/gateway.json")]
    public async Task A_document_name_that_is_not_the_document_is_a_404_problem(string target)
    {
        // The document route took any name and answered the others with a text/plain 404 of its own.
        var answer = await RawHttp.SendAsync(_server, "GET", target);
        ExpectProblem(answer, 404, "not-found", target);
        var document = await RawHttp.SendAsync(_server, "GET", "/openapi/v1.json");
        Assert.Equal(200, document.Status);
        using var parsed = JsonDocument.Parse(document.Payload);
        Assert.Equal("3.1.1", parsed.RootElement.GetProperty("openapi").GetString());
    }

    [Theory]
    // The pending list took after=-1 (its own "from the start") while saying 'after' is zero or more, as the other audit pages do.
    [InlineData("/v1/audit/pending?after=-1")]
    [InlineData("/v1/audit/pending?after=-2")]
    [InlineData("/v1/audit?after=-1")]
    [InlineData("/v1/witnesses/some-request/proof?after=-1")]
    public async Task A_negative_audit_page_cursor_is_a_400_on_every_audit_page(string target)
    {
        var answer = await RawHttp.SendAsync(_server, "GET", target);
        ExpectProblem(answer, 400, "bad-request", target);
        Assert.Contains("'after'", answer.Payload, StringComparison.Ordinal);
        Assert.Equal(200, (await RawHttp.SendAsync(_server, "GET", "/v1/audit/pending?after=0")).Status);
    }

    private static void ExpectProblem(RawHttp.Response answer, int status, string code, string target)
    {
        Assert.True(answer.Status == status, $"{target}: {answer.Status} {answer.ContentType}: {answer.Payload}");
        Assert.StartsWith("application/problem+json", answer.ContentType, StringComparison.Ordinal);
        using var problem = JsonDocument.Parse(answer.Payload);
        Assert.Equal(code, problem.RootElement.GetProperty("code").GetString());
        Assert.Equal($"https://gateway.dev/problems/{code}", problem.RootElement.GetProperty("type").GetString());
    }
}
