using Gateway.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace Gateway.Tests.Observability;

/// <summary>
/// With tracing off (the default), a REST upstream gets its caller's trace headers as they came (docs/observability.md,
/// Traces 5). The gateway runs as its own process: tracer providers in this test process listen process-wide, so an
/// in-process gateway would be traced by the tests beside it.
/// </summary>
public sealed class UntracedPropagationTests
{
    [Fact]
    public async Task Each_call_passes_its_own_callers_traceparent_and_none_when_the_caller_sent_none()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var upstream = builder.Build();
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        upstream.Map("/{**rest}", (HttpRequest r) =>
        {
            seen[r.Path.ToString()] = r.Headers["traceparent"].ToString();
            return "ok";
        });
        await upstream.StartAsync();
        var data = Directory.CreateTempSubdirectory("gw-untraced-").FullName;
        try
        {
            await using var gateway = await GatewayProcess.StartAsync(data, new Dictionary<string, string>
            {
                ["Gateway:Rest:Upstreams:plain:BaseUrl"] = upstream.Urls.First() + "/",
            });
            var first = "00-0af7651916cd43dd8448eb211c803191-b7ad6b7169203331-01";
            var second = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";
            foreach (var (path, traceparent) in new[] { ("/first", first), ("/second", second), ("/none", null) })
            {
                var headers = new List<string> { $"X-Api-Key: {gateway.ApiKey}" };
                if (traceparent is not null) headers.Add($"traceparent: {traceparent}");
                var answer = await RawHttp.SendAsync(gateway.BaseAddress, "GET", "/v1/rest/plain" + path, extraHeaders: headers);
                Assert.True(answer.Status == 200, $"{answer.Status}: {answer.Payload}");
            }

            Assert.Equal(first, seen["/first"]);
            Assert.Equal(second, seen["/second"]);
            Assert.Equal("", seen["/none"]);
        }
        finally { Directory.Delete(data, recursive: true); }
    }
}
