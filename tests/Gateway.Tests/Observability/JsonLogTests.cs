using System.Net;
using System.Text.Json;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.Observability;

/// <summary>Gateway:Observability:Logs:Format = json: ASP.NET's JSON console format, with trace id, span id and request ids on a request's lines.</summary>
public sealed class JsonLogTests
{
    [Fact]
    public async Task A_requests_log_lines_are_json_with_its_trace_id_span_id_and_request_ids()
    {
        JsonLogCapture? logs = null;
        await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug",
            ["Gateway:Observability:Logs:Format"] = "json",
        }, services: s => JsonLogCapture.Register(s, c => logs = c));
        using var caller = TracePropagationTests.Caller();
        using var anonymous = new HttpClient { BaseAddress = server.BaseAddress };
        using var refused = await anonymous.GetAsync("v1/stores");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var requestId = refused.Headers.GetValues("X-Request-Id").Single();

        var lines = logs!.Lines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        var securityEvent = Assert.Single(lines, l => l.GetProperty("EventId").GetInt32() == 7001 && Scope(l, "GatewayRequestId") == requestId);
        Assert.Equal("Warning", securityEvent.GetProperty("LogLevel").GetString());
        Assert.Equal(caller.TraceId.ToHexString(), Scope(securityEvent, "TraceId"));
        Assert.Matches("^[0-9a-f]{16}$", Scope(securityEvent, "SpanId"));
        Assert.False(string.IsNullOrEmpty(Scope(securityEvent, "RequestId")), "ASP.NET's own request id");
        Assert.Equal("/v1/stores", Scope(securityEvent, "RequestPath"));
        // Other ASP.NET lines of the request carry the trace too (this one at Debug, as Microsoft.AspNetCore is set here)...
        Assert.Contains(lines, l => l.GetProperty("Category").GetString()!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
            && Scope(l, "TraceId") == caller.TraceId.ToHexString());
        // ...but never "Request starting GET ...?query": the query may hold signatures or tokens.
        Assert.DoesNotContain(lines, l => l.GetProperty("Category").GetString() == "Microsoft.AspNetCore.Hosting.Diagnostics");
    }

    private static string? Scope(JsonElement line, string name)
    {
        if (!line.TryGetProperty("Scopes", out var scopes)) return null;
        foreach (var scope in scopes.EnumerateArray())
            if (scope.ValueKind == JsonValueKind.Object && scope.TryGetProperty(name, out var value)) return value.ToString();
        return null;
    }
}
